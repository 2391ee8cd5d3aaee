"""With Redis, a large workbook and the PDF report are prepared by a real RQ worker: the request
only queues them, the asker follows the file's page and downloads exactly what the direct
download gives; nobody else sees the file; a failing build is shown as failed; old files are
purged. Without Redis the same links answer the file at once (tests/reports)."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from marketplace.core.clock import utcnow
from marketplace.extensions import db
from marketplace.jobs.queue import get_queue
from marketplace.reports import prepared as prepared_service
from marketplace.reports.prepared import purge_prepared_files
from marketplace.reports.prepared_models import PreparedFile
from tests.reports.exchange_sets import completed, offer
from tests.reports.xlsx_reader import read_workbook

ARGS = "?date_from=2025-01-01&date_to=2025-12-31"


@pytest.fixture
def region(make):
    carpentry = make.organisation(name="Tischlerei Holzwurm", kind="business", district="Mitte")
    youth = make.organisation(name="Jugendwerkstatt", kind="association", district="Wedding")
    office = make.organisation(name="Wirtschaftsförderung", kind="public_body")
    pallets = offer(carpentry, "pallets", district="Mitte", kg_per_unit=Decimal("25"))
    for day in range(1, 8):
        completed(pallets, youth, datetime(2025, 3, day, 10), mass_kg=f"{10 * day}")
    return {
        "coordinator": make.user(organisation=office, role="coordinator"),
        "other_coordinator": make.user(organisation=office, role="coordinator"),
        "giver": make.user(organisation=carpentry),
    }


@pytest.fixture
def large(queued):
    """Every workbook counts as large."""
    queued.config["EXPORT_JOB_MIN_ROWS"] = 1
    yield queued
    queued.config["EXPORT_JOB_MIN_ROWS"] = 5000


def _builds() -> int:
    """Build jobs waiting in the queue (the fixtures' new listings queue alert jobs too)."""
    return sum(job.func_name.endswith("build_prepared_file") for job in get_queue().jobs)


def _follow(client, response) -> int:
    assert response.status_code == 303
    file_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    return file_id


def test_a_large_workbook_is_prepared_by_the_worker(large, work, client, login_as, region, app):
    login_as(region["coordinator"])
    file_id = _follow(client, client.get("/reports/export.xlsx" + ARGS))
    assert _builds() == 1
    waiting = client.get(f"/reports/files/{file_id}")
    assert waiting.status_code == 200
    assert b'http-equiv="refresh"' in waiting.data  # reloads itself, no JavaScript needed
    # Not ready yet: the download leads back to the file's page.
    assert client.get(f"/reports/files/{file_id}/download").status_code == 303
    # A second click while it waits reuses the same file.
    assert _follow(client, client.get("/reports/export.xlsx" + ARGS)) == file_id
    assert _builds() == 1

    work()
    ready = client.get(f"/reports/files/{file_id}")
    assert b'http-equiv="refresh"' not in ready.data
    download = client.get(f"/reports/files/{file_id}/download")
    assert download.status_code == 200
    assert download.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "private, no-store"

    app.config["EXPORT_JOB_MIN_ROWS"] = 10**9  # the same request, answered at once
    direct = client.get("/reports/export.xlsx" + ARGS)
    assert direct.status_code == 200
    assert read_workbook(download.data) == read_workbook(direct.data)
    listing = client.get("/reports/files")
    assert b"Download" in listing.data or b"Herunterladen" in listing.data


def test_a_small_workbook_is_answered_at_once_even_with_redis(queued, client, login_as, region):
    login_as(region["coordinator"])
    response = client.get("/reports/export.xlsx" + ARGS)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert _builds() == 0


def test_the_pdf_report_is_prepared_by_the_worker(queued, work, client, login_as, region):
    login_as(region["coordinator"])
    file_id = _follow(client, client.get("/reports/report.pdf" + ARGS))
    work()
    download = client.get(f"/reports/files/{file_id}/download")
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.data.startswith(b"%PDF")
    stored = db.session.get(PreparedFile, file_id)
    assert stored.source == ""  # the HTML is not kept once the PDF is


def test_nobody_else_sees_a_prepared_file(large, work, client, login_as, region):
    login_as(region["coordinator"])
    file_id = _follow(client, client.get("/reports/export.xlsx" + ARGS))
    work()
    client.post("/logout", data={})
    for who in ("other_coordinator", "giver"):
        login_as(region[who])
        assert client.get(f"/reports/files/{file_id}").status_code == 404
        assert client.get(f"/reports/files/{file_id}/download").status_code == 404
        assert f"/reports/files/{file_id}".encode() not in client.get("/reports/files").data


def test_a_failing_build_is_retried_then_shown_as_failed(
    large, work, client, login_as, region, monkeypatch
):
    def broken(_prepared):
        raise RuntimeError("disk full")

    monkeypatch.setattr(prepared_service, "_build", broken)
    login_as(region["coordinator"])
    file_id = _follow(client, client.get("/reports/export.xlsx" + ARGS))
    work()  # the first attempt and the immediate retries of the `queued` fixture
    stored = db.session.get(PreparedFile, file_id)
    db.session.refresh(stored)
    assert stored.status == "failed"
    assert stored.attempts == 3
    assert "disk full" in stored.error
    page = client.get(f"/reports/files/{file_id}")
    assert page.status_code == 200
    assert b'http-equiv="refresh"' not in page.data


def test_old_files_are_purged(large, work, client, login_as, region):
    login_as(region["coordinator"])
    file_id = _follow(client, client.get("/reports/export.xlsx" + ARGS))
    work()
    db.session.get(PreparedFile, file_id).created_at = utcnow() - timedelta(days=2)
    db.session.commit()
    assert purge_prepared_files() == 1
    assert db.session.scalar(select(func.count()).select_from(PreparedFile)) == 0
    assert client.get(f"/reports/files/{file_id}").status_code == 404
