"""Transfers, reversals, limits and freezing: the ledger's rules as services keep them."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from marketplace.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from marketplace.extensions import db
from marketplace.ledger import queries, services
from marketplace.ledger.models import Entry, LimitChange, Transfer
from tests import factories
from tests.ledger.helpers import balance, member, taler


@pytest.fixture
def pair(app_ctx):
    taler()
    return member("Projektzentrum Lindenau"), member("Tischlerei Span")


def test_nothing_can_be_paid_before_the_operator_sets_a_currency_up(app_ctx):
    payer, payee = member("A"), member("B")
    with pytest.raises(NotFound):
        services.pay(payer, payee.organisation_id, "5", "Holz")


def test_a_payment_is_two_entries_that_sum_to_zero_and_moves_both_balances(pair):
    payer, payee = pair
    payment = services.pay(payer, payee.organisation_id, "12,50", "Paletten")
    db.session.commit()
    assert balance(payer) == Decimal("-12.50") and balance(payee) == Decimal("12.50")
    entries = db.session.scalars(
        select(Entry).where(Entry.transfer_id == payment.transfer.id)
    ).all()
    assert sorted(e.amount_cents for e in entries) == [-1250, 1250]
    assert {e.balance_after_cents for e in entries} == {-1250, 1250}
    assert payment.transfer.created_by_id == payer.id and payment.transfer.reason == "Paletten"
    assert queries.balances_sum_cents() == 0


def test_no_balance_falls_below_its_minimum(pair):
    payer, payee = pair
    services.pay(payer, payee.organisation_id, "300", "alles")
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        services.pay(payer, payee.organisation_id, "0.01", "ein Cent zu viel")
    assert refused.value.code == "insufficient_credit"
    db.session.rollback()
    assert balance(payer) == Decimal("-300")
    assert db.session.scalar(select(func.count()).select_from(Transfer)) == 1


def test_no_balance_rises_above_its_maximum_and_the_payer_keeps_what_it_had(app_ctx):
    taler(max_balance="100")
    payer, payee = member("A"), member("B")
    with pytest.raises(Conflict) as refused:
        services.pay(payer, payee.organisation_id, "100.01", "zu viel")
    assert refused.value.code == "insufficient_credit"
    db.session.rollback()
    assert balance(payer) == 0 and balance(payee) == 0


@pytest.mark.parametrize(
    ("amount", "field"),
    [("0", "amount"), ("-5", "amount"), ("1.005", "amount"), ("zehn", "amount"), (True, "amount")],
)
def test_bad_amounts_are_refused_with_the_field(pair, amount, field):
    payer, payee = pair
    with pytest.raises(ValidationFailed) as refused:
        services.pay(payer, payee.organisation_id, amount, "x")
    assert field in refused.value.fields


def test_an_organisation_cannot_pay_itself_or_an_unknown_one(pair):
    payer, _payee = pair
    for target in (payer.organisation_id, 999_999, "abc", None):
        with pytest.raises(ValidationFailed) as refused:
            services.pay(payer, target, "5", "x")
        assert "payee_organisation_id" in refused.value.fields


def test_a_reversal_names_the_first_transfer_and_undoes_it_once(pair):
    payer, payee = pair
    first = services.pay(payer, payee.organisation_id, "40", "Regal").transfer
    db.session.commit()
    back = services.reverse_transfer(payee, first, "falsch gebucht")
    db.session.commit()
    assert back.reverses_id == first.id and back.volume_cents == -4000
    assert balance(payer) == 0 and balance(payee) == 0
    with pytest.raises(Conflict):
        services.reverse_transfer(payee, first, "nochmal")
    db.session.rollback()
    with pytest.raises(PermissionDenied):
        services.reverse_transfer(payer, first, "der Zahler darf nicht")


def test_a_coordinator_changes_limits_with_a_logged_reason_and_never_below_the_balance(pair):
    payer, payee = pair
    coordinator = factories.user(role="coordinator")
    services.pay(payer, payee.organisation_id, "200", "Material")
    db.session.commit()
    with pytest.raises(PermissionDenied):
        services.change_limits(payer, payer.organisation_id, "-1000", "3000", "mehr bitte")
    with pytest.raises(ValidationFailed) as refused:
        services.change_limits(coordinator, payer.organisation_id, "-100", "3000", "enger")
    assert "min_balance" in refused.value.fields  # the balance is -200
    with pytest.raises(ValidationFailed) as refused:
        services.change_limits(coordinator, payer.organisation_id, "-1000", "3000", "")
    assert "reason" in refused.value.fields
    db.session.rollback()
    services.change_limits(coordinator, payer.organisation_id, "-1000", "3000", "Großprojekt")
    db.session.commit()
    change = db.session.scalars(select(LimitChange)).one()
    assert (change.old_min_cents, change.new_min_cents) == (-30000, -100000)
    assert change.reason == "Großprojekt" and change.changed_by_id == coordinator.id
    services.pay(payer, payee.organisation_id, "700", "jetzt geht es")
    db.session.commit()
    assert balance(payer) == Decimal("-900")


def test_a_frozen_account_neither_pays_nor_receives(pair):
    payer, payee = pair
    coordinator = factories.user(role="coordinator")
    services.set_frozen(coordinator, payee.organisation_id, True, "Prüfung")
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        services.pay(payer, payee.organisation_id, "5", "x")
    assert refused.value.code == "account_frozen"
    db.session.rollback()
    with pytest.raises(Conflict):
        services.pay(payee, payer.organisation_id, "5", "x")
    db.session.rollback()
    services.set_frozen(coordinator, payee.organisation_id, False, "geklärt")
    services.pay(payer, payee.organisation_id, "5", "x")
    db.session.commit()
    assert balance(payee) == 5


def test_the_same_idempotency_key_pays_once_and_another_body_is_refused(pair):
    payer, payee = pair
    first = services.pay(payer, payee.organisation_id, "9.99", "Farbe", idempotency_key="k-1")
    db.session.commit()
    again = services.pay(payer, payee.organisation_id, "9.99", "Farbe", idempotency_key="k-1")
    db.session.rollback()
    assert again.replayed and again.transfer.id == first.transfer.id
    assert balance(payer) == Decimal("-9.99")
    with pytest.raises(ValidationFailed) as refused:
        services.pay(payer, payee.organisation_id, "10", "Farbe", idempotency_key="k-1")
    assert "Idempotency-Key" in refused.value.fields
    db.session.rollback()
    # Keys are per organisation: another payer may use the same one.
    other = member("Nachbarschaftszentrum")
    services.pay(other, payee.organisation_id, "9.99", "Farbe", idempotency_key="k-1")
    db.session.commit()
    assert balance(payee) == Decimal("19.98")


def test_the_statement_shows_running_balances_newest_first_and_filters(pair):
    payer, payee = pair
    for amount, reason in (("10", "Holz"), ("5", "Schrauben"), ("2.5", "Farbe")):
        services.pay(payer, payee.organisation_id, amount, reason)
    db.session.commit()
    lines, total = queries.statement(payer.organisation_id, queries.StatementFilter(), None)
    assert total == 3
    assert [line.balance_after for line in lines] == [Decimal("-17.50"), -15, -10]
    assert lines[0].counterparty.name == "Tischlerei Span" and not lines[0].incoming
    found, _ = queries.statement(
        payer.organisation_id, queries.StatementFilter(q="schrauben"), None
    )
    assert [line.transfer.reason for line in found] == ["Schrauben"]
    incoming, _ = queries.statement(
        payee.organisation_id, queries.StatementFilter(direction="out"), None
    )
    assert incoming == []
