"""Web downloads (/reports/export.csv|xlsx|json): the dashboard's filters, the same rights."""

import json
from datetime import datetime
from decimal import Decimal

import pytest

from marketplace.core.clock import today
from marketplace.extensions import db
from marketplace.reports import downloads
from marketplace.reports.filters import ReportFilters
from tests import factories
from tests.reports.exchange_sets import completed, offer
from tests.reports.xlsx_reader import read_workbook


@pytest.fixture
def people(app):
    with app.app_context():
        giver = factories.organisation(name="Tischlerei Holzwurm")
        taker = factories.organisation(name="Jugendwerkstatt", kind="association")
        pallets = offer(giver, "pallets", kg_per_unit=Decimal("25"))
        completed(pallets, taker, datetime(2025, 3, 5, 10), mass_kg="100")
        completed(pallets, taker, datetime(2025, 6, 5, 10), mass_kg="40")
        users = {
            "coordinator": factories.user(role="coordinator", organisation=taker),
            "member": factories.user(organisation=giver),
            "stranger": factories.user(organisation=factories.organisation(name="Anders e.V.")),
        }
        ids = {name: user.id for name, user in users.items()}
        ids["taker_org"] = taker.id
        db.session.remove()
    return ids


def _login(app, login_as, user_id):
    from marketplace.auth.models import User

    with app.app_context():
        user = db.session.get(User, user_id)
        login_as(user)
        db.session.remove()


def test_anonymous_is_sent_to_login(client, people):
    response = client.get("/reports/export.csv")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_coordinator_downloads_csv_for_a_period(app, client, login_as, people):
    _login(app, login_as, people["coordinator"])
    response = client.get("/reports/export.csv?from=2025-06-01", buffered=True)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    end = today().isoformat()  # no "to": up to today
    assert (
        f'filename="stoffwechsel-exchanges-2025-06-01-to-{end}.csv"'
        in response.headers["Content-Disposition"]
    )
    lines = response.get_data().decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 2


def test_member_gets_own_figures_and_403_for_others(app, client, login_as, people):
    _login(app, login_as, people["stranger"])
    data = json.loads(client.get("/reports/export.json", buffered=True).get_data())
    assert data["exchanges"] == 0
    response = client.get(f"/reports/export.xlsx?organisation_id={people['taker_org']}")
    assert response.status_code == 403


def test_json_export_with_rows(app, client, login_as, people):
    _login(app, login_as, people["coordinator"])
    response = client.get("/reports/export.json?rows=1&category=wood", buffered=True)
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(response.get_data())
    assert data["exchanges"] == 2
    assert data["mass_kg"] == 140
    assert sum(row["mass_kg"] for row in data["rows"]) == data["mass_kg"]


def test_xlsx_export(app, client, login_as, people):
    _login(app, login_as, people["coordinator"])
    response = client.get("/reports/export.xlsx?factors=current")
    assert response.status_code == 200
    sheets = read_workbook(response.get_data())
    assert len(sheets["Exchanges"]) == 3


def test_bad_filters_answer_422_not_500(app, client, login_as, people):
    _login(app, login_as, people["coordinator"])
    for query in ("from=2025-99-01", "organisation_id=-1", "to=%00", "category=%ff%fe"):
        assert client.get(f"/reports/export.csv?{query}").status_code == 422, query


def test_csv_response_is_streamed(app):
    with app.test_request_context("/reports/export.csv"):
        response = downloads.csv_response(ReportFilters())
        assert response.is_streamed
        assert response.get_data().startswith(b"\xef\xbb\xbf")
