"""The coordinators' dashboard: access, filters echoed, figures equal to the summary, hostile input."""

from datetime import datetime
from decimal import Decimal

import pytest
from flask_babel import force_locale, format_decimal

from marketplace.core.clock import today
from marketplace.core.templating import approx
from marketplace.reports.filters import ReportFilters
from marketplace.reports.queries import summarise
from tests.caches import caches_sized
from tests.reports.exchange_sets import completed, offer


@pytest.fixture
def region(make):
    """Three organisations, five hand-overs in 2025, a coordinator and a member."""
    carpentry = make.organisation(name="Tischlerei Holzwurm", kind="business", district="Mitte")
    youth = make.organisation(
        name="Jugendwerkstatt Wedding", kind="association", district="Wedding"
    )
    theatre = make.organisation(name="Theater am Rand", kind="initiative", district="Pankow")
    office = make.organisation(name="Wirtschaftsförderung", kind="public_body", district="Mitte")
    pallets = offer(carpentry, "pallets", district="Mitte", kg_per_unit=Decimal("25"))
    metal = offer(theatre, "metals", district="Pankow", unit="kg")
    completed(pallets, youth, datetime(2025, 3, 5, 10), mass_kg="1234.5", value_eur="12.50")
    completed(pallets, theatre, datetime(2025, 4, 1, 9), mass_kg="50", mass_basis="weighed")
    completed(metal, youth, datetime(2025, 4, 20, 9), mass_kg="10.5", transport_co2e_kg="1.7")
    completed(pallets, youth, datetime(2025, 5, 2, 9), mass_kg=None, mass_basis="unknown")
    lost = offer(
        carpentry,
        "pallets",
        district="Mitte",
        title="Paletten, die niemand abholte",
        kg_per_unit=Decimal("25"),
        quantity=Decimal("8"),
        status="withdrawn",
        ended_at=datetime(2025, 6, 1, 12),
    )
    coordinator = make.user(organisation=office, role="coordinator", name="Clara Koordina")
    member = make.user(organisation=youth, name="Mika Mitglied")
    return {
        "carpentry": carpentry,
        "youth": youth,
        "theatre": theatre,
        "coordinator": coordinator,
        "member": member,
        "lost": lost,
    }


def test_coordinators_see_the_dashboard(client, login_as, region):
    login_as(region["coordinator"])
    response = client.get("/reports")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Circularity report" in html
    assert 'data-chart="by_month"' in html and 'id="report-chart-data"' in html
    assert "Tischlerei Holzwurm" in html  # by giving organisation, for coordinators


def test_admins_see_the_dashboard(client, login_as, make, region):
    admin = make.user(organisation=region["youth"], role="admin")
    login_as(admin)
    assert client.get("/reports").status_code == 200


def test_members_get_403(client, login_as, region):
    login_as(region["member"])
    response = client.get("/reports")
    assert response.status_code == 403
    assert "Tischlerei" not in response.get_data(as_text=True)
    assert client.get("/reports/report.pdf").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, region):
    for path in ("/reports", "/reports/report.pdf"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def _text(response) -> str:
    return response.get_data(as_text=True)


def _figure(value, decimals: int = 1, locale: str = "en") -> str:
    with force_locale(locale):
        return format_decimal(value, format="#,##0." + "#" * decimals if decimals else "#,##0")


def _approx(value, locale: str = "en") -> str:
    """A headline estimate as the page rounds it ("≈ 1,300")."""
    with force_locale(locale):
        return approx(value)


def test_the_figures_on_the_page_are_the_summarys(client, login_as, app, region):
    login_as(region["coordinator"])
    html = _text(client.get("/reports?from=2025-01-01&to=2025-12-31"))
    with app.test_request_context():
        summary = summarise(
            ReportFilters(
                date_from=datetime(2025, 1, 1).date(), date_to=datetime(2025, 12, 31).date()
            )
        )
    assert summary.exchanges == 4
    assert f'id="total-exchanges">\n    <span class="figure-value">{summary.exchanges}<' in html
    assert f'<span class="figure-value">{_approx(summary.mass_kg)}</span>' in html
    assert f'<span class="figure-value">{_approx(summary.co2e_avoided_kg)}</span>' in html
    assert _approx(summary.mass_kg) == "≈\xa01,300"  # 1,295 kg at two significant digits
    assert _figure(summary.mass_kg) == "1,295"  # 1234.5 + 50 + 10.5, English grouping
    assert f"{_figure(summary.mass_weighed_kg)} kg weighed" in html
    assert "1 exchange without a known mass" in html and "(25 % of all exchanges)" in html
    assert "€13" in html  # whole euros on the card (12.50 paid)
    for row in summary.by_category + summary.by_district + summary.by_organisation_kind:
        assert f'<td class="number" data-label="kg">{_figure(row.mass_kg)}</td>' in html
    # months with nothing in them are listed too (January 2025)
    assert "Jan 2025" in html and "Dec 2025" in html
    # value lost: the withdrawn pallets, with a link to the listing
    assert f'href="/listings/{region["lost"].id}"' in html
    assert "Paletten, die niemand abholte" in html
    assert f'<span class="figure-value">{_approx(summary.value_lost.mass_kg)}</span>' in html


def test_german_number_format(client, login_as, make, region):
    region["coordinator"].locale = "de"
    login_as(region["coordinator"])
    html = _text(client.get("/reports?from=2025-01-01&to=2025-12-31"))
    assert '<span class="figure-value">≈\xa01.300</span>' in html


def test_filters_are_echoed_and_passed_to_the_exports(client, login_as, region):
    login_as(region["coordinator"])
    html = _text(
        client.get(
            "/reports?from=2025-04-01&to=2025-04-30&category=pallets&district=Mitte"
            "&organisation_kind=business&factors=current&displacement=60"
        )
    )
    assert 'name="from" value="2025-04-01"' in html
    assert 'name="to" value="2025-04-30"' in html
    assert '<option value="pallets" selected>' in html
    assert '<option value="Mitte" selected>' in html
    assert '<option value="business" selected>' in html
    assert '<option value="current" selected>' in html
    assert 'value="60"' in html
    for endpoint in ("csv", "xlsx", "json"):
        assert (
            f"/reports/export.{endpoint}?from=2025-04-01&amp;to=2025-04-30&amp;category=pallets"
            f"&amp;district=Mitte&amp;organisation_kind=business&amp;factors=current" in html
        )
    assert "/reports/report.pdf?from=2025-04-01" in html and "displacement=60" in html
    # one pallet hand-over in April (the metal came from an initiative)
    assert 'id="total-exchanges">\n    <span class="figure-value">1<' in html
    assert "With a displacement rate of 60 %: 6.9 kg CO2e avoided" in html  # 50 kg x 0.231 x 0.6


def test_quick_periods_keep_the_other_filters(client, login_as, region):
    login_as(region["coordinator"])
    html = _text(client.get("/reports?category=pallets"))
    this_year = today().replace(month=1, day=1).isoformat()
    assert f"/reports?category=pallets&amp;from={this_year}&amp;to={today().isoformat()}" in html
    assert 'href="/reports?category=pallets">All time<' in html


@pytest.mark.parametrize(
    "query, field",
    [
        ("from=2025-13-45", "from"),
        ("from=yesterday", "from"),
        ("from=2025-05-01&to=2025-04-01", "to"),
        ("from=99999-01-01", "from"),
        ("to=0001-01-01", "to"),
        ("category=no-such-thing", "category"),
        ("organisation_kind=dragons", "organisation_kind"),
        ("factors=made-up", "factors"),
        ("organisation_id=1e999", "organisation_id"),
        ("organisation_id=99999999999999999999", "organisation_id"),
        ("side=both", "side"),
        ("from=2025-01-01%00", "from"),
        ("district=" + "x" * 500, "district"),
        ("displacement=150", "displacement"),
        ("displacement=NaN", "displacement"),
        ("displacement=1e999999", "displacement"),
    ],
)
def test_hostile_filters_give_a_form_error_never_a_500(client, login_as, region, query, field):
    login_as(region["coordinator"])
    response = client.get(f"/reports?{query}")
    assert response.status_code == 422
    html = _text(response)
    assert "Some filters could not be used" in html
    assert 'class="error"' in html
    assert 'id="total-exchanges"' not in html
    pdf = client.get(f"/reports/report.pdf?{query}")
    assert pdf.status_code == 422 and pdf.mimetype == "text/html"


def test_unknown_and_repeated_arguments_are_harmless(client, login_as, region):
    login_as(region["coordinator"])
    response = client.get("/reports?from=2025-01-01&from=2030-01-01&foo=%3Cscript%3E&page=-1")
    assert response.status_code == 200
    assert "<script>" not in _text(response)


def test_a_district_value_is_escaped(client, login_as, region):
    login_as(region["coordinator"])
    html = _text(client.get("/reports?district=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E"))
    assert "<img src=x" not in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.fixture
def kept_dashboard(app):
    """The dashboard's body kept per data version, as in production."""
    with caches_sized(app, FRAGMENT_CACHE_SIZE=16):
        yield lambda: app.extensions["fragment_caches"]["dashboard"]


def test_a_kept_dashboard_follows_every_write_it_shows(
    client, login_as, make, region, kept_dashboard
):
    from marketplace.extensions import db

    login_as(region["coordinator"])
    address = "/reports?from=2025-01-01&to=2025-12-31"
    first = _text(client.get(address))
    assert 'id="total-exchanges">\n    <span class="figure-value">4<' in first
    assert _text(client.get(address)) == first and kept_dashboard().hits == 1
    # a hand-over completed since: counted on the next view
    completed(offer(region["theatre"], "metals", unit="kg"), region["youth"], datetime(2025, 7, 1))
    db.session.commit()
    assert 'id="total-exchanges">\n    <span class="figure-value">5<' in _text(client.get(address))
    # an organisation renamed: its new name on the next view
    region["carpentry"].name = "Tischlerei Spanwerk"
    db.session.commit()
    renamed = _text(client.get(address))
    assert "Tischlerei Spanwerk" in renamed and "Tischlerei Holzwurm" not in renamed
