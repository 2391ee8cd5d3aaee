"""The local currency in the reports: volume net of reversals, transfers and the share tied to
hand-overs and loans, under the report's period and organisation; nothing before a currency."""

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal

import pytest

from marketplace.auth.models import User
from marketplace.extensions import db
from marketplace.ledger import services
from marketplace.orgs.models import Organisation
from marketplace.reports.filters import ReportFilters
from marketplace.reports.local_currency import summarise_local_currency
from tests import factories
from tests.ledger.helpers import taler
from tests.reports.exchange_sets import completed, offer

YEAR_2025 = ReportFilters(date_from=date(2025, 1, 1), date_to=date(2025, 12, 31))


def _region() -> dict:
    """Three organisations; a coordinator in a fourth."""
    names = ("Tischlerei", "Jugendwerkstatt", "Repair-Café")
    orgs = {name: factories.organisation(name=name) for name in names}
    office = factories.organisation(name="Wirtschaftsförderung")
    coordinator = factories.user(organisation=office, role="coordinator")
    db.session.commit()
    return {"orgs": orgs, "coordinator": coordinator}


def _pay(payer, payee, amount: str, at: datetime, **kw):
    row = services.transfer(payer.id, payee.id, Decimal(amount), "Test", actor=None, at=at, **kw)
    db.session.commit()
    return row


def _ledger(region) -> None:
    """2025: a hand-over paid (30), a payment (50) reversed in part by undoing another (20);
    one payment in 2024 (100) outside the period."""
    wood, youth, repair = region["orgs"].values()
    exchange = completed(offer(wood), youth, datetime(2025, 3, 4, 10))
    db.session.commit()
    _pay(youth, wood, "30", datetime(2025, 3, 4, 10), kind="exchange", exchange_id=exchange.id)
    _pay(repair, youth, "50", datetime(2025, 4, 1, 9))
    mistake = _pay(repair, wood, "20", datetime(2025, 5, 2, 9))
    coordinator = region["coordinator"]
    services.reverse_transfer(coordinator, mistake, "Falsch gebucht")
    db.session.commit()
    db.session.execute(  # the reversal was booked the next day
        db.text("UPDATE transfers SET created_at = :at, month = '2025-05' WHERE reverses_id = :id"),
        {"at": datetime(2025, 5, 3, 9), "id": mistake.id},
    )
    _pay(wood, repair, "100", datetime(2024, 11, 5, 9))
    db.session.commit()


@pytest.fixture
def region(make):
    return _region()


def test_nothing_of_the_currency_before_one_is_set_up(region):
    assert summarise_local_currency(ReportFilters()) is None


def test_volume_net_of_reversals_transfers_and_the_share_for_hand_overs(region):
    taler()
    _ledger(region)
    figures = summarise_local_currency(YEAR_2025)
    assert (figures.code, figures.symbol) == ("LTA", "T")
    assert figures.volume == Decimal("80.00")  # 30 + 50 + 20 - 20
    assert figures.transfers == 3 and figures.reversals == 1
    assert figures.linked_volume == Decimal("30.00")
    assert figures.linked_share == Decimal("37.5")
    assert [(m.month, m.volume) for m in figures.by_month] == [
        ("2025-03", Decimal("30.00")),
        ("2025-04", Decimal("50.00")),
        ("2025-05", Decimal("0.00")),
    ]
    everything = summarise_local_currency(ReportFilters())
    assert everything.volume == Decimal("180.00") and everything.transfers == 4


def test_an_organisations_scope_has_only_its_own_transfers(region):
    taler()
    _ledger(region)
    youth = region["orgs"]["Jugendwerkstatt"]
    figures = summarise_local_currency(
        ReportFilters(date_from=YEAR_2025.date_from, organisation_id=youth.id)
    )
    assert figures.volume == Decimal("80.00") and figures.transfers == 2  # paid 30, received 50
    assert figures.linked_share == Decimal("37.5")
    nobody = factories.organisation(name="Neu")
    db.session.commit()
    empty = summarise_local_currency(ReportFilters(organisation_id=nobody.id))
    assert empty.volume == 0 and empty.transfers == 0 and empty.linked_share is None


@pytest.fixture
def web(app):
    """The region and its ledger in an app context of its own (requests have their own)."""
    with app.app_context():
        region = _region()
        coordinator_id = region["coordinator"].id
        db.session.remove()
    return {"coordinator": coordinator_id}


def _setup_ledger(app):
    with app.app_context():
        taler()
        orgs = {o.name: o for o in db.session.scalars(db.select(Organisation))}
        coordinator = db.session.scalars(db.select(User).where(User.role == "coordinator")).one()
        region = {
            "orgs": {n: orgs[n] for n in ("Tischlerei", "Jugendwerkstatt", "Repair-Café")},
            "coordinator": coordinator,
        }
        _ledger(region)
        db.session.remove()


def _login(app, login_as, user_id):
    with app.app_context():
        login_as(db.session.get(User, user_id))
        db.session.remove()


def test_the_dashboard_pdf_and_downloads_show_nothing_before_a_currency(app, client, login_as, web):
    _login(app, login_as, web["coordinator"])
    html = client.get("/reports").get_data(as_text=True)
    assert "total-value" in html and "local-currency" not in html and "circulated" not in html
    data = json.loads(client.get("/reports/export.json", buffered=True).get_data())
    assert "local_currency" not in data
    assert client.get("/reports/export-local-currency.csv").status_code == 404
    public = client.get("/impact").get_data(as_text=True)
    assert "impact-local-currency" not in public and "circulated" not in public


def test_the_dashboard_and_its_downloads_show_the_currency_circulated(app, client, login_as, web):
    _setup_ledger(app)
    _login(app, login_as, web["coordinator"])
    args = "from=2025-01-01&to=2025-12-31"
    html = client.get(f"/reports?{args}").get_data(as_text=True)
    assert 'id="total-local-currency"' in html
    assert "Leipziger Taler circulated" in html and "80 T" in html
    assert "in 3 transfers" in html and "37.5 % of it for hand-overs and loans" in html
    assert "net of 1 reversal" in html
    assert "export-local-currency.csv" in html

    data = json.loads(client.get(f"/reports/export.json?{args}", buffered=True).get_data())
    assert data["local_currency"]["volume"] == 80
    assert data["local_currency"]["transfers"] == 3
    assert data["local_currency"]["linked_share_percent"] == 37.5

    response = client.get(f"/reports/export-local-currency.csv?{args}")
    assert response.status_code == 200
    assert "local-currency" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["group", "month", "volume", "transfers"]
    assert rows[1][:4] == ["total", "", "80.00", "3"]
    assert [r[1] for r in rows[2:]] == ["2025-03", "2025-04", "2025-05"]


def test_the_pdf_report_shows_the_currency(app, client, login_as, web, monkeypatch):
    from marketplace.reports import pdf

    documents: list[str] = []
    real = pdf.render_pdf
    monkeypatch.setattr(pdf, "render_pdf", lambda html: documents.append(html) or real(html))
    _setup_ledger(app)
    _login(app, login_as, web["coordinator"])
    response = client.get("/reports/report.pdf?from=2025-01-01&to=2025-12-31")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    (html,) = documents
    assert 'id="total-local-currency"' in html and "Leipziger Taler circulated" in html


def test_the_public_impact_page_shows_the_currency_since_the_start(app, client, web):
    _setup_ledger(app)
    html = client.get("/impact").get_data(as_text=True)
    assert 'id="impact-local-currency"' in html
    assert "Leipziger Taler circulated" in html and "180 T" in html
