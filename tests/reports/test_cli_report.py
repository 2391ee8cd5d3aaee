"""`flask report export`: CSV, XLSX and JSON files with the report's filters; clear errors."""

import csv
import json
from datetime import datetime
from decimal import Decimal

import pytest

from marketplace.extensions import db
from tests import factories
from tests.reports.exchange_sets import completed, offer
from tests.reports.xlsx_reader import read_workbook


@pytest.fixture
def exchanges(app):
    with app.app_context():
        giver = factories.organisation(name="@Tischlerei")
        taker = factories.organisation(name="Jugendwerkstatt", kind="association")
        pallets = offer(giver, "pallets", kg_per_unit=Decimal("25"))
        completed(pallets, taker, datetime(2025, 1, 15, 10), mass_kg="100")
        completed(pallets, taker, datetime(2025, 2, 15, 10), mass_kg="30")
        db.session.remove()


def test_csv_export_to_a_file(runner, exchanges, tmp_path):
    target = tmp_path / "report.csv"
    result = runner.invoke(args=["report", "export", "--format", "csv", "-o", str(target)])
    assert result.exit_code == 0, result.output
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][0] == "completed_at"
    assert [r[2] for r in rows[1:]] == ["'@Tischlerei", "'@Tischlerei"]


def test_json_export_for_a_period(runner, exchanges, tmp_path):
    target = tmp_path / "report.json"
    result = runner.invoke(
        args=[
            "report",
            "export",
            "--format",
            "json",
            "--from",
            "2025-02-01",
            "--to",
            "2025-02-28",
            "--rows",
            "-o",
            str(target),
        ]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(target.read_text(encoding="utf-8"))
    assert (data["from"], data["to"], data["exchanges"], data["mass_kg"]) == (
        "2025-02-01",
        "2025-02-28",
        1,
        30,
    )
    assert len(data["rows"]) == 1


def test_xlsx_export(runner, exchanges, tmp_path):
    target = tmp_path / "report.xlsx"
    result = runner.invoke(
        args=["report", "export", "--format", "xlsx", "--category", "wood", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    sheets = read_workbook(target.read_bytes())
    assert len(sheets["Exchanges"]) == 3


def test_csv_to_standard_output(runner, exchanges):
    result = runner.invoke(args=["report", "export", "-o", "-"])
    assert result.exit_code == 0
    assert result.output.count("\n") == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2025-31-01"], "--from: Enter a date as YYYY-MM-DD."),
        (["--from", "2025-03-01", "--to", "2025-01-01"], "--to:"),
        (["--category", "nothing"], "--category: Unknown category."),
    ],
)
def test_bad_options_fail_clearly(runner, exchanges, tmp_path, args, message):
    result = runner.invoke(args=["report", "export", *args, "-o", str(tmp_path / "x.csv")])
    assert result.exit_code != 0
    assert message in result.output
    assert not (tmp_path / "x.csv").exists()
