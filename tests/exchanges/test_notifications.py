"""Mail to the other organisation after commit, in each member's language; unread counts."""

from decimal import Decimal

import pytest

from marketplace.exchanges.conversation import mark_exchange_read, post_message
from marketplace.exchanges.queries import count_unread_exchanges, unread_counts
from marketplace.exchanges.services import accept_exchange, decline_exchange, propose_exchange
from marketplace.extensions import db
from tests.exchanges.helpers import fresh, parties


@pytest.fixture
def outbox(app):
    """flask_mailman's locmem outbox, kept on the app's mail state."""
    state = app.extensions["mailman"]
    state.outbox = []
    yield state.outbox
    state.outbox = []


def test_proposal_mail_leaves_only_after_the_commit(make, outbox):
    p = parties()
    colleague = make.user(organisation=p.provider.organisation, email="lager@holzwurm.example")
    propose_exchange(p.receiver, p.offer, 3)
    assert outbox == []
    db.session.commit()
    assert sorted(m.to[0] for m in outbox) == sorted([p.provider.email, colleague.email])
    assert all(p.offer.title in m.subject for m in outbox)
    assert p.receiver.organisation.name in outbox[0].body
    assert "/exchanges/" in outbox[0].body


def test_no_mail_when_the_transaction_is_rolled_back(make, outbox):
    p = parties()
    propose_exchange(p.receiver, p.offer, 3)
    db.session.rollback()
    db.session.commit()
    assert outbox == []


def test_inactive_members_get_no_mail(make, outbox):
    p = parties()
    make.user(organisation=p.provider.organisation, active=False)
    propose_exchange(p.receiver, p.offer, 3)
    db.session.commit()
    assert [m.to[0] for m in outbox] == [p.provider.email]


def test_each_recipient_reads_the_mail_in_their_own_language(make, outbox):
    p = parties(quantity="2000", unit="kg", category="wood", receiver_locale="en")
    exchange = propose_exchange(p.receiver, p.offer, "1234.5")
    db.session.commit()
    (to_provider,) = outbox
    assert to_provider.to == [p.provider.email]
    assert "1.234,5" in to_provider.body  # German number format for the German provider
    outbox.clear()
    accept_exchange(p.provider, exchange)
    db.session.commit()
    (to_receiver,) = outbox
    assert to_receiver.to == [p.receiver.email]
    assert "1,234.5" in to_receiver.body  # English for the English-speaking receiver


def test_decisions_and_messages_are_mailed_to_the_other_side_only(make, outbox):
    p = parties()
    exchange = propose_exchange(p.receiver, p.offer, 3)
    db.session.commit()
    outbox.clear()
    post_message(p.provider, exchange, "Passt Donnerstag um 10?")
    db.session.commit()
    assert [m.to[0] for m in outbox] == [p.receiver.email]
    assert "Passt Donnerstag um 10?" in outbox[0].body
    outbox.clear()
    decline_exchange(p.provider, fresh(exchange), note="Leider schon weg.")
    db.session.commit()
    assert [m.to[0] for m in outbox] == [p.receiver.email]
    assert "Leider schon weg." in outbox[0].body


def test_news_from_the_other_side_is_unread_until_opened(make):
    p = parties()
    colleague = make.user(organisation=p.provider.organisation)
    exchange = propose_exchange(p.receiver, p.offer, 3)
    db.session.commit()
    assert count_unread_exchanges(p.provider) == 1
    assert count_unread_exchanges(colleague) == 1
    assert count_unread_exchanges(p.receiver) == 0  # one's own proposal is not news
    assert unread_counts(p.provider, [exchange.id]) == {exchange.id: 1}

    mark_exchange_read(p.provider, exchange)
    db.session.commit()
    assert count_unread_exchanges(p.provider) == 0
    assert count_unread_exchanges(colleague) == 1  # read marks are per person

    post_message(p.receiver, fresh(exchange), "Wir bräuchten sie bis Freitag.")
    post_message(p.receiver, fresh(exchange), "Geht auch Samstag?")
    db.session.commit()
    assert count_unread_exchanges(p.provider) == 1
    assert unread_counts(p.provider, [exchange.id]) == {exchange.id: 2}

    accept_exchange(p.provider, fresh(exchange))
    db.session.commit()
    assert count_unread_exchanges(p.receiver) == 1
    mark_exchange_read(p.receiver, fresh(exchange))
    mark_exchange_read(p.receiver, fresh(exchange))  # opening twice is fine (an upsert)
    db.session.commit()
    assert count_unread_exchanges(p.receiver) == 0


def test_strangers_have_no_unread_exchanges(make):
    p = parties()
    propose_exchange(p.receiver, p.offer, Decimal("3"))
    db.session.commit()
    assert count_unread_exchanges(make.user()) == 0
