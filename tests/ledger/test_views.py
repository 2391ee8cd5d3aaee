"""The account pages as members and coordinators use them: before and after set-up, paying by
form (once, however often it is sent), payment requests, downloads, the coordinator's pages."""

import re
from decimal import Decimal

import pytest

from marketplace.extensions import db
from marketplace.ledger import services
from tests import factories
from tests.ledger.helpers import balance, member, taler
from tests.reports.xlsx_reader import read_workbook


@pytest.fixture
def pair(app_ctx):
    taler()
    payer, payee = member("Projektzentrum Lindenau"), member("Tischlerei Span")
    db.session.commit()
    return payer, payee


def _page(client, path):
    response = client.get(path)
    return response.status_code, response.get_data(as_text=True)


def test_before_set_up_nothing_of_the_currency_shows(app_ctx, client, login_as):
    someone = member("Kiezladen")
    db.session.commit()
    login_as(someone)
    assert client.get("/account").status_code == 404
    home = client.get("/listings/new").get_data(as_text=True)
    assert 'href="/account"' not in home and "price_local" not in home


def test_a_member_pays_by_form_once_however_often_it_is_sent(pair, client, login_as):
    payer, payee = pair
    login_as(payer)
    status, form_page = _page(client, f"/account/pay?to={payee.organisation_id}")
    assert status == 200 and "Tischlerei Span" in form_page
    key = re.search(r'name="idempotency_key"[^>]*value="([0-9a-f]+)"', form_page).group(1)
    data = {
        "payee_organisation_id": str(payee.organisation_id),
        "amount": "12,50",
        "reason": "Paletten",
        "idempotency_key": key,
    }
    first = client.post("/account/pay", data=data)
    again = client.post("/account/pay", data=data, follow_redirects=True)
    assert first.status_code == 302
    assert "already been made" in again.get_data(as_text=True)
    assert balance(payer) == Decimal("-12.50") and balance(payee) == Decimal("12.50")
    status, account = _page(client, "/account")
    assert status == 200
    assert "-12.50" in account and "Tischlerei Span" in account and "Paletten" in account


def test_a_payment_over_the_limit_says_why_and_keeps_the_form(pair, client, login_as):
    payer, payee = pair
    login_as(payer)
    response = client.post(
        "/account/pay",
        data={"payee_organisation_id": str(payee.organisation_id), "amount": "300.01"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Not enough credit" in page and "300.01" in page
    bad = client.post(
        "/account/pay",
        data={"payee_organisation_id": str(payee.organisation_id), "amount": "1,005"},
    )
    assert bad.status_code == 422 and "At most 2 decimal places" in bad.get_data(as_text=True)
    assert balance(payer) == 0


def test_a_payment_request_approved_by_the_payer_becomes_a_transfer(pair, client, login_as):
    payer, payee = pair
    login_as(payee)
    client.post(
        "/account/requests/new",
        data={
            "payer_organisation_id": str(payer.organisation_id),
            "amount": "25",
            "reason": "Lastenrad 2 Tage",
        },
    )
    login_as(payer)
    status, page = _page(client, "/account")
    assert "asks you for" in page and "Lastenrad 2 Tage" in page
    request_id = re.search(r'data-request="(\d+)"', page).group(1)
    client.post(f"/account/requests/{request_id}/approve")
    again = client.post(f"/account/requests/{request_id}/approve", follow_redirects=True)
    assert "already been answered" in again.get_data(as_text=True)
    assert balance(payee) == 25 and balance(payer) == -25


def test_the_statement_downloads_and_prints(pair, client, login_as):
    payer, payee = pair
    for amount, reason in (("10", "=HYPERLINK(1)"), ("2.5", "Farbe")):
        services.pay(payer, payee.organisation_id, amount, reason)
    db.session.commit()
    login_as(payer)
    csv = client.get("/account/statement.csv")
    text = csv.get_data(as_text=True)
    assert csv.mimetype == "text/csv" and text.startswith("\ufeffdate,transfer_id")
    assert "'=HYPERLINK(1)" in text and "-12.50" in text
    xlsx = client.get("/account/statement.xlsx")
    rows = read_workbook(xlsx.data)["Statement"]
    assert len(rows) == 3 and rows[1][5] == -2.5
    status, printable = _page(client, "/account/statement")
    assert status == 200 and "Opening balance" in printable and "Closing balance" in printable


def test_coordinator_pages_are_403_for_members_and_change_limits_with_a_reason(
    pair, client, login_as
):
    payer, payee = pair
    coordinator = factories.user(role="coordinator")
    services.pay(payer, payee.organisation_id, "100", "Holz")
    db.session.commit()
    login_as(payer)
    assert client.get("/accounts").status_code == 403
    assert client.get(f"/accounts/{payer.organisation_id}").status_code == 403
    assert client.post(f"/accounts/{payer.organisation_id}/freeze", data={}).status_code == 403
    login_as(coordinator)
    status, overview = _page(client, "/accounts")
    assert status == 200 and "Projektzentrum Lindenau" in overview and "100.00" in overview
    refused = client.post(
        f"/accounts/{payer.organisation_id}/limits",
        data={"min_balance": "-50", "max_balance": "3000", "reason": "enger"},
    )
    assert refused.status_code == 422 and "current balance" in refused.get_data(as_text=True)
    client.post(
        f"/accounts/{payer.organisation_id}/limits",
        data={"min_balance": "-1000", "max_balance": "3000", "reason": "Großprojekt"},
    )
    status, page = _page(client, f"/accounts/{payer.organisation_id}")
    assert "Großprojekt" in page and "-1,000.00" in page


def test_a_listing_priced_in_taler_shows_the_symbol(pair, client, login_as):
    payer, payee = pair
    offer = factories.listing(
        organisation=payee.organisation, title="Eichenbretter", price_local=Decimal("4.5")
    )
    db.session.commit()
    login_as(payer)
    status, page = _page(client, f"/listings/{offer.id}")
    assert status == 200 and "4.50\u00a0T" in page
    assert 'name="price_local"' in client.get("/listings/new").get_data(as_text=True)


def test_an_organisation_page_offers_to_pay_it(pair, client, login_as):
    payer, payee = pair
    login_as(payer)
    page = client.get(f"/orgs/{payee.organisation_id}").get_data(as_text=True)
    assert f'href="/account/pay?to={payee.organisation_id}"' in page
    own = client.get(f"/orgs/{payer.organisation_id}").get_data(as_text=True)
    assert "/account/pay?to=" not in own
