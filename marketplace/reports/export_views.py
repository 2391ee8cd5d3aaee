"""Web downloads of the report (CSV, XLSX, JSON) with the dashboard's query arguments; coordinators
export everything, members their own organisation (another organisation_id is 403)."""

from urllib.parse import urlencode

from flask import Blueprint, redirect, request, url_for
from flask_login import current_user, login_required

from marketplace.core.i18n import current_language
from marketplace.reports import downloads
from marketplace.reports.filters import (
    ReportFilters,
    authorise_report_filters,
    parse_report_filters,
)
from marketplace.reports.prepared import request_file, xlsx_wants_job

bp = Blueprint("reports_export", __name__)


def _filters() -> ReportFilters:
    return authorise_report_filters(current_user, parse_report_filters(request.args))


@bp.get("/reports/export.csv", endpoint="csv")
@login_required
def export_csv():
    """One row per completed exchange, UTF-8 with BOM, safe for spreadsheets."""
    return downloads.csv_response(_filters())


@bp.get("/reports/export.xlsx", endpoint="xlsx")
@login_required
def export_xlsx():
    """Exchanges, summary and method sheets; with Redis, a large workbook is prepared by a job
    and the asker is sent to follow it (marketplace/reports/prepared.py)."""
    filters = _filters()
    if xlsx_wants_job(filters):
        source = urlencode(sorted((k, v[:200]) for k, v in request.args.items()))
        prepared = request_file(
            current_user,
            "xlsx",
            source,
            downloads.export_filename(filters, "xlsx"),
            current_language(),
        )
        return redirect(url_for("reports_files.show", file_id=prepared.id), 303)
    return downloads.xlsx_response(filters)


@bp.get("/reports/export.json", endpoint="json")
@login_required
def export_json():
    """The summary as the API sends it; ?rows=1 adds the exchanges."""
    return downloads.json_response(_filters(), rows=request.args.get("rows") in ("1", "true"))


@bp.get("/reports/export-sharing.csv", endpoint="sharing_csv")
@login_required
def export_sharing_csv():
    """Loans and bookings (totals, by month, category and district), apart from hand-overs."""
    return downloads.sharing_csv_response(_filters())


@bp.get("/reports/export-local-currency.csv", endpoint="local_currency_csv")
@login_required
def export_local_currency_csv():
    """The local currency circulated (total and by month); 404 before one is set up."""
    return downloads.local_currency_csv_response(_filters())


@bp.get("/reports/export-excel.csv", endpoint="office_csv")
@login_required
def export_office_csv():
    """The exchanges for Excel with German settings: ";", decimal comma, words, TT.MM.JJJJ."""
    return downloads.office_csv_response(_filters())
