"""The start page after login: what waits for the person (with the next step as a button), unread
messages, new matches, offers ending soon and the organisation's figures, in a bounded number of
queries."""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import event

from marketplace.core.clock import utcnow
from marketplace.exchanges import services
from marketplace.extensions import db
from tests.factories import PASSWORD


def _proposal(make, provider, quantity="4"):
    receiver = make.user()
    offer = make.listing(
        organisation=provider.organisation,
        title="Europaletten aus dem Hof",
        category=make.category("pallets"),
        quantity=Decimal(10),
        unit="piece",
    )
    exchange = services.propose_exchange(receiver, offer, Decimal(quantity), message="Gern!")
    db.session.commit()
    return exchange, receiver


def test_login_leads_to_the_start_page(client, make):
    user = make.user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/start")


def test_visitors_are_sent_to_log_in(client):
    response = client.get("/start")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_proposal_waits_with_accept_as_a_button_and_its_message_is_unread(client, make, login_as):
    provider = make.user()
    exchange, _receiver = _proposal(make, provider)
    login_as(provider)
    html = client.get("/start").get_data(as_text=True)
    assert "Europaletten aus dem Hof" in html
    assert f'action="/exchanges/{exchange.id}/accept"' in html
    assert f'href="/exchanges/{exchange.id}#messages"' in html  # the proposal's message is news

    client.post(f"/exchanges/{exchange.id}/accept", data={})
    html = client.get("/start").get_data(as_text=True)
    assert f'action="/exchanges/{exchange.id}/accept"' not in html
    assert f'href="/exchanges/{exchange.id}#complete"' in html  # next: confirm the hand-over


def test_the_receiver_is_not_asked_to_accept_its_own_proposal(client, make, login_as):
    exchange, receiver = _proposal(make, make.user())
    login_as(receiver)
    html = client.get("/start").get_data(as_text=True)
    assert f'action="/exchanges/{exchange.id}/accept"' not in html
    assert "Nothing waits for you" in html


def test_offers_ending_soon_and_figures(client, make, login_as):
    user = make.user()
    soon = make.listing(
        organisation=user.organisation,
        title="Bürostühle bis Monatsende",
        available_until=utcnow() + timedelta(days=5),
    )
    make.listing(
        organisation=user.organisation,
        title="Regale bis Sommer",
        available_until=utcnow() + timedelta(days=90),
    )
    provider = user
    exchange, receiver = _proposal(make, provider)
    services.accept_exchange(provider, exchange)
    services.complete_exchange(receiver, exchange)
    db.session.commit()
    login_as(user)
    html = client.get("/start").get_data(as_text=True)
    assert f'href="/listings/{soon.id}"' in html and "Regale bis Sommer" not in html
    assert 'figure-value">100</span>' in html  # 4 pallets x 25 kg
    assert 'figure-value">≈\xa023</span>' in html  # 23.1 kg CO2e


def test_the_start_page_needs_a_bounded_number_of_queries(client, make, login_as, app):
    provider = make.user()
    for _ in range(12):
        _proposal(make, provider)
    login_as(provider)
    client.get("/start")  # warm: the first request loads the categories and the currency
    statements = []

    def count(*_args):
        statements.append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        html = client.get("/start").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert html.count('/accept"') == 5 and "7 more exchanges wait" in html
    assert len(statements) <= 25, len(statements)
