"""API v1 reports: summary shape, CSV and XLSX downloads, rights (401, 403) and bad input (422)."""

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import pytest

from marketplace.auth.models import User
from marketplace.extensions import db
from marketplace.reports.exports import CSV_COLUMNS
from tests import factories
from tests.reports.exchange_sets import completed, offer
from tests.reports.xlsx_reader import read_workbook


@dataclass
class World:
    coordinator: User
    giver: User
    taker: User
    outsider: User
    giver_org_id: int
    taker_org_id: int


@pytest.fixture
def world(app):
    with app.app_context():
        giver_org = factories.organisation(name="=Tischlerei Holzwurm", district="Mitte")
        taker_org = factories.organisation(name="Jugendwerkstatt", kind="association")
        other_org = factories.organisation(name="Theater am Rand", kind="initiative")
        pallets = offer(giver_org, "pallets", district="Mitte", kg_per_unit=Decimal("25"))
        metal = offer(other_org, "metals", district="+Pankow", unit="kg")
        completed(pallets, taker_org, datetime(2025, 3, 5, 10), mass_kg="100", value_eur="12.5")
        completed(pallets, taker_org, datetime(2025, 4, 1, 9), mass_kg="50.25")
        completed(metal, taker_org, datetime(2025, 4, 20, 9), mass_kg="10.5")
        users = [
            factories.user(role="coordinator", organisation=other_org),
            factories.user(organisation=giver_org),
            factories.user(organisation=taker_org),
            factories.user(organisation=other_org),
        ]
        for user in users:
            db.session.refresh(user)
        world = World(*users, giver_org.id, taker_org.id)
        db.session.expunge_all()
        db.session.remove()
    return world


def test_summary_needs_a_token(client):
    response = client.get("/api/v1/reports/summary")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_summary_in_the_contracts_shape(api, world):
    response = api.get(
        "/api/v1/reports/summary?from=2025-01-01&to=2025-12-31", as_=world.coordinator
    )
    assert response.status_code == 200
    data = response.get_json()
    assert data["from"] == "2025-01-01"
    assert data["to"] == "2025-12-31"
    assert data["exchanges"] == 3
    assert data["mass_kg"] == 160.75
    assert isinstance(data["co2e_avoided_kg"], float)
    assert data["value_eur"] == 12.5
    assert data["organisations"] == 3
    assert set(data["space_shared"]) >= {"m2_days", "hours"}
    assert {"category", "exchanges", "mass_kg", "co2e_avoided_kg"} <= set(data["by_category"][0])
    assert [m["month"] for m in data["by_month"]][:4] == [
        "2025-01",
        "2025-02",
        "2025-03",
        "2025-04",
    ]
    assert {d["district"] for d in data["by_district"]} == {"Mitte", "+Pankow"}
    assert set(data["value_lost"]) >= {"listings", "mass_kg", "co2e_kg"}
    assert "taxonomy" in data["factor_set"]


def test_summary_without_period_echoes_nulls(api, world):
    data = api.get("/api/v1/reports/summary", as_=world.coordinator).get_json()
    assert data["from"] is None and data["to"] is None
    assert data["exchanges"] == 3


def test_member_sees_own_organisation_only(api, world):
    own = api.get("/api/v1/reports/summary", as_=world.giver).get_json()
    assert own["exchanges"] == 2  # the pallets they gave
    explicit = api.get(
        f"/api/v1/reports/summary?organisation_id={world.giver_org_id}", as_=world.giver
    )
    assert explicit.status_code == 200
    for path in ("summary", "exchanges.csv", "exchanges.xlsx"):
        response = api.get(
            f"/api/v1/reports/{path}?organisation_id={world.taker_org_id}",
            as_=world.giver,
            buffered=True,
        )
        assert response.status_code == 403, path
        assert response.get_json()["error"]["code"] == "forbidden"


def test_coordinator_may_ask_for_any_organisation(api, world):
    response = api.get(
        f"/api/v1/reports/summary?organisation_id={world.taker_org_id}", as_=world.coordinator
    )
    assert response.get_json()["exchanges"] == 3


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2025-02-30", "from"),
        ("from=yesterday", "from"),
        ("from=2025-05-01&to=2025-04-01", "to"),
        ("to=99999-01-01", "to"),
        ("category=%00", "category"),
        ("category=unknown-thing", "category"),
        ("organisation_id=abc", "organisation_id"),
        ("organisation_id=" + "9" * 40, "organisation_id"),
        ("district=Mitte%00", "district"),
        ("factors=tomorrow", "factors"),
    ],
)
def test_bad_query_values_are_422_with_the_field(api, world, query, field):
    for path in ("summary", "exchanges.csv", "exchanges.xlsx"):
        response = api.get(f"/api/v1/reports/{path}?{query}", as_=world.coordinator, buffered=True)
        assert response.status_code == 422, (path, query)
        assert field in response.get_json()["error"]["fields"]


def test_csv_download(api, world):
    # buffered: the test client runs each request in a context of its own (see conftest), so a
    # streamed body must be read inside it.
    response = api.get("/api/v1/reports/exchanges.csv", as_=world.coordinator, buffered=True)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 4
    first = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert first["provider"] == "'=Tischlerei Holzwurm"
    assert first["completed_at"] == "2025-03-05T11:00:00+01:00"
    assert first["mass_kg"] == "100.000"
    assert first["quantity"] == "4.000"
    assert rows[3][CSV_COLUMNS.index("district")] == "'+Pankow"


def test_csv_filtered_by_member(api, world):
    response = api.get("/api/v1/reports/exchanges.csv", as_=world.outsider, buffered=True)
    body = response.get_data(as_text=True)
    assert len(body.strip().splitlines()) == 2  # header and the metal they gave


def test_xlsx_download_has_numeric_cells_and_method(api, world):
    response = api.get("/api/v1/reports/exchanges.xlsx?to=2025-12-31", as_=world.coordinator)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    sheets = read_workbook(response.get_data())
    assert list(sheets) == ["Exchanges", "Summary", "Sharing", "Method"]
    header, *rows = sheets["Exchanges"]
    assert header[:11] == list(CSV_COLUMNS)
    assert len(rows) == 3
    assert isinstance(rows[0][0], float)  # an Excel date
    assert rows[0][CSV_COLUMNS.index("mass_kg")] == 100.0
    assert rows[0][CSV_COLUMNS.index("provider")] == "'=Tischlerei Holzwurm"
    summary = {row[0]: row[1] for row in sheets["Summary"] if row and len(row) > 1}
    assert summary["exchanges"] == 3
    assert summary["mass_kg"] == 160.75
    method = sheets["Method"]
    header_row = next(i for i, row in enumerate(method) if row and row[0] == "category")
    factors = {row[0]: row for row in method[header_row + 1 :]}
    assert factors["metals"][4] == "yes"
    assert factors["pallets"][4] == "no"


def test_openapi_describes_the_reports(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert (
        "text/csv" in paths["/api/v1/reports/exchanges.csv"]["get"]["responses"]["200"]["content"]
    )
    assert "/api/v1/reports/exchanges.xlsx" in paths
    summary = paths["/api/v1/reports/summary"]["get"]
    assert {p["name"] for p in summary["parameters"]} >= {
        "from",
        "to",
        "category",
        "district",
        "organisation_id",
    }
    assert {"401", "403", "422"} <= set(summary["responses"])


def test_empty_and_unknown_arguments(api, world):
    empty = api.get("/api/v1/reports/summary?from=&to=&category=", as_=world.coordinator)
    assert empty.status_code == 200
    assert empty.get_json()["from"] is None
    ignored = api.get("/api/v1/reports/summary?colour=blue", as_=world.coordinator)
    assert ignored.status_code == 200  # unknown arguments are ignored, as elsewhere in v1
