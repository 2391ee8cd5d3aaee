"""Web pages of the reports: the coordinators' dashboard and its PDF, an organisation's impact
page and certificate, the public impact page and the method page."""

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from flask import Blueprint, make_response, redirect, render_template, request, url_for
from flask_babel import format_currency, get_locale
from flask_login import current_user, login_required
from markupsafe import Markup

from marketplace.core.clock import today
from marketplace.core.fragments import cached_fragment, render_fragment
from marketplace.core.i18n import current_language
from marketplace.core.numbers import format_number
from marketplace.directory.gaps import function_matrix
from marketplace.reports.dashboard import (
    chart_data,
    displaced,
    filter_choices,
    month_label,
    period_args,
    quick_periods,
    read_report_request,
    require_report_reader,
    share,
)
from marketplace.reports.dashboard_version import dashboard_version
from marketplace.reports.downloads import export_filename
from marketplace.reports.local_currency import summarise_local_currency
from marketplace.reports.method import get_method
from marketplace.reports.organisation_impact import get_certificate, get_organisation_impact
from marketplace.reports.pdf import pdf_response
from marketplace.reports.prepared import pdf_wants_job, request_file
from marketplace.reports.public import get_public_impact, public_chart_data
from marketplace.reports.queries import list_lost_listings, organisation_name, summarise
from marketplace.reports.sharing import summarise_sharing

bp = Blueprint("reports", __name__)

#: Listings behind the value lost shown on the dashboard (and in the PDF).
LOST_LISTINGS = 50


@bp.app_template_filter("figure")
def figure(value, decimals: int = 1) -> str:
    """A report figure in the locale's format, rounded (1.234,5 in German, 1,234.5 in English).
    Each text is formatted once per value and locale: a report page shows ~1,500 figures, and
    the same ones again while its data is unchanged."""
    if value is None:
        return ""
    locale = str(get_locale() or "de")
    try:
        # Equal numbers format alike, but for the sign of a zero (-0 stays "-0").
        negative_zero = value == 0 and str(value).startswith("-")
        return _figure_text(value, negative_zero, decimals, locale)
    except TypeError:  # an unhashable value (a signalling NaN)
        return format_number(value, _figure_format(decimals), locale)


def _figure_format(decimals: int) -> str:
    return "#,##0." + "#" * decimals if decimals else "#,##0"


@lru_cache(maxsize=8192)
def _figure_text(value, _negative_zero: bool, decimals: int, locale: str) -> str:
    return format_number(value, _figure_format(decimals), locale)


@bp.app_template_filter("report_eur")
def report_eur(value) -> str:
    """Whole euros in the locale's format ("1.235 €", "€1,235"), zero included (the money
    filter says "free" for zero)."""
    if value is None:
        return ""
    whole = Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    pattern = get_locale().currency_formats["standard"].pattern.replace(".00", "")
    return format_currency(whole, "EUR", format=pattern, currency_digits=False)


bp.add_app_template_filter(month_label, "month_label")


def _helpers() -> dict:
    return {
        "share": share,
        "displaced": displaced,
        "periods": quick_periods(today()),
        "period_args": period_args,
    }


def _dashboard_context(report=None) -> tuple[dict, int]:
    report = report or read_report_request(request.args)
    context = {
        "report": report,
        "summary": None,
        "lost": [],
        "sharing": None,
        "currency_circulated": None,
        **_helpers(),
    }
    if report.filters is None or report.errors:
        return context, 422
    context["summary"] = summarise(report.filters)
    context["lost"] = list_lost_listings(report.filters, LOST_LISTINGS)
    context["sharing"] = summarise_sharing(report.filters, displacement=report.displacement)
    context["currency_circulated"] = summarise_local_currency(report.filters)
    return context, 200


def _impact_url():
    """org id -> its impact page's URL, from one url_for (a dashboard links hundreds)."""
    head, _, tail = url_for("reports.organisation_impact", org_id=0).rpartition("/0/")
    return lambda org_id: f"{head}/{int(org_id)}/{tail}"


@bp.get("/reports")
@login_required
def dashboard():
    require_report_reader(current_user)
    report = read_report_request(request.args)
    if report.filters is None or report.errors:
        return _dashboard_page(*_dashboard_context(report))
    content = cached_fragment(
        "dashboard",
        lambda: ((request.full_path, current_language()), dashboard_version()),
        lambda: _dashboard_content(*_dashboard_context(report)),
    )
    return render_template("reports/dashboard.html", content=content, summary=True)


def _dashboard_content(context: dict, _status: int) -> str:
    summary = context["summary"]
    context["charts"] = chart_data(summary) if summary else None
    context["matrix"] = function_matrix()
    context["impact_url"] = _impact_url()
    return render_fragment("reports/_dashboard_content.html", choices=filter_choices(), **context)


def _dashboard_page(context: dict, status: int):
    """The dashboard with what was asked and its problems (nothing kept)."""
    content = Markup(_dashboard_content(context, status))  # noqa: S704 - a template's output
    return render_template("reports/dashboard.html", content=content, summary=None), status


@bp.get("/reports/report.pdf")
@login_required
def report_pdf():
    require_report_reader(current_user)
    context, status = _dashboard_context()
    if context["summary"] is None:
        return _dashboard_page(context, status)
    from marketplace.reports import charts  # only PDFs draw charts on the server

    summary = context["summary"]
    html = render_template(
        "reports/pdf/report.html",
        charts=charts.summary_charts(summary, figure),
        method=get_method(),
        created_on=today(),
        organisation_name=organisation_name(summary.filters.organisation_id),
        **context,
    )
    filename = export_filename(summary.filters, "pdf", "report")
    if pdf_wants_job():
        prepared = request_file(current_user, "pdf", html, filename, current_language())
        return redirect(url_for("reports_files.show", file_id=prepared.id), 303)
    return pdf_response(html, filename)


@bp.get("/orgs/<int:org_id>/impact")
@login_required
def organisation_impact(org_id: int):
    impact = get_organisation_impact(current_user, org_id, request.args)
    status = 200 if impact.given is not None else 422
    return render_template("reports/organisation.html", impact=impact, **_helpers()), status


@bp.get("/orgs/<int:org_id>/impact/certificate.pdf")
@login_required
def certificate(org_id: int):
    cert = get_certificate(current_user, org_id, request.args)
    html = render_template("reports/pdf/certificate.html", cert=cert, **_helpers())
    return pdf_response(html, f"wirkungsnachweis-{org_id}-{cert.issued_on.isoformat()}.pdf")


@bp.get("/impact")
def impact():
    figures = get_public_impact()
    response = make_response(
        render_template(
            "reports/impact.html", figures=figures, charts=public_chart_data(figures), share=share
        )
    )
    # Shared caches may keep it a few minutes: it shows no one's private figures. Flask adds
    # "Vary: Cookie" (the page carries the visitor's CSRF token for the language switch).
    anonymous = not current_user.is_authenticated
    response.headers["Cache-Control"] = "public, max-age=300" if anonymous else "private"
    return response


@bp.get("/method")
def method():
    return render_template("reports/method.html", method=get_method())
