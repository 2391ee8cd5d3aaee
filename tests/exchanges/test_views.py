"""Web pages: propose, accept, talk, complete, receipt; unread counts; refusals as messages.

The people here read English, so that assertions on texts survive the German catalogue."""

import re
from decimal import Decimal

import pytest
from flask import render_template, template_rendered
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from marketplace.exchanges.models import Exchange
from marketplace.extensions import db
from marketplace.listings.models import Listing
from marketplace.orgs.models import Organisation
from tests import factories
from tests.exchanges.helpers import change, load, outside, parties


@pytest.fixture
def p(app):
    return outside(app, parties, quantity="40", provider_locale="en", receiver_locale="en")


@pytest.fixture
def outbox(app):
    state = app.extensions["mailman"]
    state.outbox = []
    yield state.outbox
    state.outbox = []


@pytest.fixture
def rendered(app):
    """The contexts of the templates rendered during the test."""
    contexts = []

    def record(sender, template, context, **extra):
        contexts.append((template.name, context))

    template_rendered.connect(record, app)
    yield contexts
    template_rendered.disconnect(record, app)


def _exchange_ids(app):
    with app.app_context():
        ids = db.session.execute(select(Exchange.id).order_by(Exchange.id)).scalars().all()
        db.session.remove()
    return ids


def _propose(client, login_as, p, quantity="4", **form):
    login_as(p.receiver)
    response = client.post(f"/listings/{p.offer.id}/propose", data={"quantity": quantity, **form})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_propose_page_offers_all_that_is_left_and_own_requests(app, client, login_as, p):
    outside(
        app,
        lambda: factories.listing(
            kind="request",
            title="Suchen Paletten für Hochbeete",
            organisation=db.session.get(Organisation, p.receiver.organisation_id),
        ),
    )
    login_as(p.receiver)
    page = client.get(f"/listings/{p.offer.id}/propose")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'name="quantity"' in html and 'value="40"' in html
    assert "Suchen Paletten für Hochbeete" in html


def test_proposing_in_the_browser_creates_the_exchange_and_mails_the_provider(
    app, client, login_as, p, outbox
):
    exchange_id = _propose(client, login_as, p, "12.5", message="Holen Freitag ab.")
    exchange = load(app, Exchange, exchange_id)
    assert (exchange.status, exchange.quantity, exchange.message) == (
        "proposed",
        Decimal("12.5"),
        "Holen Freitag ab.",
    )
    assert [m.to[0] for m in outbox] == [p.provider.email]
    detail = client.get(f"/exchanges/{exchange_id}")
    assert detail.status_code == 200
    assert "Holen Freitag ab." in detail.get_data(as_text=True)


def test_a_bad_quantity_is_shown_on_the_form(app, client, login_as, p):
    login_as(p.receiver)
    response = client.post(f"/listings/{p.offer.id}/propose", data={"quantity": "41"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert _exchange_ids(app) == []


def test_own_offer_has_no_propose_form(app, client, login_as, p):
    login_as(p.provider)
    html = client.get(f"/listings/{p.offer.id}/propose").get_data(as_text=True)
    assert 'name="quantity"' not in html
    response = client.post(f"/listings/{p.offer.id}/propose", data={"quantity": "1"})
    assert response.status_code == 200 and _exchange_ids(app) == []


def test_proposing_needs_a_login(client, p):
    response = client.get(f"/listings/{p.offer.id}/propose")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_provider_sees_the_proposal_as_unread_until_opening_it(app, client, login_as, p, rendered):
    exchange_id = _propose(client, login_as, p)
    login_as(p.provider)
    index = client.get("/exchanges")
    html = index.get_data(as_text=True)
    assert p.offer.title in html and "Jugendwerkstatt Wedding" in html
    assert "1 new" in html
    assert rendered[-1][1]["exchange_unread_count"] == 1

    client.get(f"/exchanges/{exchange_id}")
    rendered.clear()
    html = client.get("/exchanges").get_data(as_text=True)
    assert "1 new" not in html
    assert rendered[-1][1]["exchange_unread_count"] == 0


def test_index_filters_by_status_and_side(app, client, login_as, p):
    _propose(client, login_as, p)
    login_as(p.provider)
    assert p.offer.title in client.get("/exchanges?status=proposed").get_data(as_text=True)
    assert p.offer.title not in client.get("/exchanges?status=completed").get_data(as_text=True)
    assert p.offer.title not in client.get("/exchanges?role=receiver").get_data(as_text=True)
    assert client.get("/exchanges?status=nonsense").status_code == 200


def test_provider_accepts_with_the_forms_csrf_token(app, client, login_as, p):
    exchange_id = _propose(client, login_as, p, "10")
    login_as(p.provider)
    html = client.get(f"/exchanges/{exchange_id}").get_data(as_text=True)
    assert f"/exchanges/{exchange_id}/accept" in html
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = client.post(f"/exchanges/{exchange_id}/accept")
        assert refused.status_code == 400
        assert load(app, Exchange, exchange_id).status == "proposed"
        accepted = client.post(f"/exchanges/{exchange_id}/accept", data={"csrf_token": _csrf(html)})
        assert accepted.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert load(app, Exchange, exchange_id).status == "accepted"
    assert load(app, Listing, p.offer.id).quantity_remaining == Decimal("30")
    page = client.get(f"/exchanges/{exchange_id}").get_data(as_text=True)
    assert "Accepted" in page  # the flash message
    assert f"/exchanges/{exchange_id}/complete" in page


def test_receiver_sees_no_accept_button_and_a_forged_accept_is_refused(app, client, login_as, p):
    exchange_id = _propose(client, login_as, p)
    html = client.get(f"/exchanges/{exchange_id}").get_data(as_text=True)
    assert f"/exchanges/{exchange_id}/accept" not in html
    assert f"/exchanges/{exchange_id}/cancel" in html
    response = client.post(f"/exchanges/{exchange_id}/accept")
    assert response.status_code == 403  # a missing right is a 403 page, not a message
    assert "Only the offering organisation" in response.get_data(as_text=True)
    assert load(app, Exchange, exchange_id).status == "proposed"


def test_accepting_twice_is_a_message_not_an_error(app, client, login_as, p):
    exchange_id = _propose(client, login_as, p)
    login_as(p.provider)
    client.post(f"/exchanges/{exchange_id}/accept")
    again = client.post(f"/exchanges/{exchange_id}/accept", follow_redirects=True)
    assert again.status_code == 200
    assert "already been accepted" in again.get_data(as_text=True)
    assert load(app, Listing, p.offer.id).quantity_remaining == Decimal("36")


def test_messages_go_to_the_thread_and_count_as_unread(app, client, login_as, p, rendered):
    exchange_id = _propose(client, login_as, p)
    login_as(p.provider)
    client.get(f"/exchanges/{exchange_id}")  # read
    login_as(p.receiver)
    response = client.post(
        f"/exchanges/{exchange_id}/messages", data={"body": "Passt Freitag 10 Uhr?"}
    )
    assert response.status_code == 302
    login_as(p.provider)
    client.get("/exchanges")
    assert rendered[-1][1]["exchange_unread_count"] == 1
    html = client.get(f"/exchanges/{exchange_id}").get_data(as_text=True)
    assert "Passt Freitag 10 Uhr?" in html
    empty = client.post(f"/exchanges/{exchange_id}/messages", data={"body": "  "})
    assert empty.status_code == 422


def test_complete_shows_the_reuse_record_with_its_source(app, client, login_as, p):
    exchange_id = _propose(client, login_as, p, "4")
    login_as(p.provider)
    client.post(f"/exchanges/{exchange_id}/accept")
    login_as(p.receiver)
    response = client.post(
        f"/exchanges/{exchange_id}/complete", data={"quantity": "4"}, follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "100 kg" in html
    assert "23.1 kg CO2e" in html
    assert "DEFRA" in html
    assert f"/exchanges/{exchange_id}/receipt" in html
    assert "hand-over confirmed" in html  # the audit trail


def test_complete_with_too_much_shows_the_form_again(app, client, login_as, p):
    exchange_id = _propose(client, login_as, p, "4")
    login_as(p.provider)
    client.post(f"/exchanges/{exchange_id}/accept")
    response = client.post(
        f"/exchanges/{exchange_id}/complete", data={"quantity": "5", "weighed_kg": "90,5"}
    )
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert load(app, Exchange, exchange_id).status == "accepted"


def test_donation_receipt_for_a_completed_free_hand_over(app, client, login_as, p):
    exchange_id = _propose(client, login_as, p, "4")
    assert client.get(f"/exchanges/{exchange_id}/receipt").status_code == 404  # not yet
    login_as(p.provider)
    client.post(f"/exchanges/{exchange_id}/accept")
    client.post(f"/exchanges/{exchange_id}/complete", data={"quantity": "4"})
    for user in (p.provider, p.receiver):
        login_as(user)
        response = client.get(f"/exchanges/{exchange_id}/receipt")
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Tischlerei Holzwurm" in html and "Jugendwerkstatt Wedding" in html
        assert "13353" in html and "Wedding" in html
        assert "Sachspende" in html
        assert p.offer.title in html
        assert "signature" in html.lower()
        # One line to sign on per party: the ruled paragraph, no drawn underscores besides it.
        assert html.count('class="signature-line"') == 2
        assert "____" not in html
    stranger = outside(app, factories.user)
    login_as(stranger)
    assert client.get(f"/exchanges/{exchange_id}/receipt").status_code == 404


def test_no_receipt_for_a_sale(app, client, login_as):
    sold = outside(app, parties, quantity="10", price="2.50", provider_locale="en")
    exchange_id = _propose(client, login_as, sold, "2")
    login_as(sold.provider)
    client.post(f"/exchanges/{exchange_id}/accept")
    client.post(f"/exchanges/{exchange_id}/complete", data={"quantity": "2"})
    assert client.get(f"/exchanges/{exchange_id}/receipt").status_code == 404


def test_strangers_get_404_and_coordinators_see_no_conversation(app, client, login_as, p):
    exchange_id = _propose(client, login_as, p, message="Nur für euch.")
    login_as(outside(app, factories.user))
    assert client.get(f"/exchanges/{exchange_id}").status_code == 404
    assert client.post(f"/exchanges/{exchange_id}/accept").status_code == 404
    login_as(outside(app, factories.user, role="coordinator"))
    html = client.get(f"/exchanges/{exchange_id}").get_data(as_text=True)
    assert p.offer.title in html
    assert "Nur für euch." not in html
    assert f"/exchanges/{exchange_id}/accept" not in html


def test_cancel_in_the_browser_releases_the_reservation(app, client, login_as, p):
    exchange_id = _propose(client, login_as, p, "40")
    login_as(p.provider)
    client.post(f"/exchanges/{exchange_id}/accept")
    assert load(app, Listing, p.offer.id).status == "reserved"
    login_as(p.receiver)
    client.post(f"/exchanges/{exchange_id}/cancel", data={"note": "Doch kein Bedarf."})
    offer = load(app, Listing, p.offer.id)
    assert (offer.status, offer.quantity_remaining) == ("open", Decimal("40"))


# The panel the listing page includes.


def _panel(app, listing, user):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        return render_template("exchanges/_propose_panel.html", listing=listing, current_user=user)


def test_panel_for_visitors_links_to_the_login(app, p):
    html = _panel(app, p.offer, AnonymousUserMixin())
    assert f'href="/login?next=/listings/{p.offer.id}/propose"' in html


def test_panel_for_other_organisations_is_a_propose_form(app, p):
    html = _panel(app, p.offer, p.receiver)
    assert f'action="/listings/{p.offer.id}/propose"' in html
    assert 'name="csrf_token"' in html and 'value="40"' in html


def test_panel_for_the_own_organisation_lists_its_exchanges(app, client, login_as, p):
    _propose(client, login_as, p, "4")
    html = _panel(app, p.offer, p.provider)
    assert 'name="quantity"' not in html
    assert "Jugendwerkstatt Wedding" in html


def test_panel_says_when_the_offer_is_gone(app, p):
    change(app, Listing, p.offer.id, status="closed")
    html = _panel(app, load(app, Listing, p.offer.id), p.receiver)
    assert 'name="quantity"' not in html
    assert "not open" in html


def test_german_users_type_decimal_commas_and_read_german_numbers(app, client, login_as):
    german = outside(app, parties, quantity="2000", unit="kg", category="wood")
    exchange_id = _propose(client, login_as, german, "1234,5")
    assert load(app, Exchange, exchange_id).quantity == Decimal("1234.5")
    login_as(german.provider)
    client.post(f"/exchanges/{exchange_id}/accept")
    response = client.post(
        f"/exchanges/{exchange_id}/complete", data={"quantity": "1234,5"}, follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert "1.234,5 kg" in html  # the mass, in German number format
    assert "285,17 kg CO2e" in html  # 1234.5 kg x 0.231


def test_proposal_can_answer_an_own_request(app, client, login_as, p):
    request = outside(
        app,
        lambda: factories.listing(
            kind="request",
            organisation=db.session.get(Organisation, p.receiver.organisation_id),
        ),
    )
    exchange_id = _propose(client, login_as, p, "2", request_id=str(request.id))
    assert load(app, Exchange, exchange_id).request_id == request.id


def test_a_coordinator_who_is_no_party_gets_403_for_every_action(app, client, login_as, p, make):
    """Issue 16: coordinators' refused web actions answered 302 or 422; a missing right is 403."""
    exchange_id = _propose(client, login_as, p)
    login_as(make.user(role="coordinator"))
    for action in ("accept", "decline", "cancel"):
        response = client.post(f"/exchanges/{exchange_id}/{action}")
        assert response.status_code == 403, action
    assert load(app, Exchange, exchange_id).status == "proposed"
