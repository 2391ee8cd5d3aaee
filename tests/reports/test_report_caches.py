"""What the report pages keep between requests: the data stamp, charts drawn once per data, PDFs
rendered once per document, figures formatted once per value; and none of it goes stale."""

import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from flask_babel import force_locale, format_decimal
from hypothesis import given
from hypothesis import strategies as st

from marketplace.categories.models import Category
from marketplace.extensions import db
from marketplace.reports import cache, charts, pdf
from marketplace.reports.filters import ReportFilters
from marketplace.reports.queries import compute_summary, list_lost_listings, summarise
from marketplace.reports.views import figure
from tests.reports.exchange_sets import completed, offer


@pytest.fixture
def region(make):
    giver = make.organisation(name="Tischlerei Holzwurm", kind="business")
    taker = make.organisation(name="Jugendwerkstatt", kind="association")
    pallets = offer(giver, "pallets", district="Mitte", kg_per_unit=Decimal("25"))
    completed(pallets, taker, datetime(2025, 3, 5, 10), mass_kg="100")
    completed(pallets, taker, datetime(2025, 4, 5, 10), mass_kg="40")
    return giver, taker, pallets


@pytest.fixture
def cache_on(app):
    app.config["REPORTS_CACHE_SECONDS"] = 60
    cache.clear()
    yield
    app.config.pop("REPORTS_CACHE_SECONDS")
    cache.clear()


def test_the_stamp_changes_with_every_write_that_matters(app_ctx, region):
    giver, taker, pallets = region
    stamps = [cache.read_data_stamp()]
    latest = completed(pallets, taker, datetime(2025, 5, 5, 10, 0))
    stamps.append(cache.read_data_stamp())
    # Committed after the latest one, completed a minute before it: the window counts it.
    completed(pallets, giver, latest.completed_at - timedelta(minutes=1))
    stamps.append(cache.read_data_stamp())
    pallets.district = "Pankow"
    db.session.commit()
    stamps.append(cache.read_data_stamp())
    category = db.session.get(Category, pallets.category_id)
    factor = category.co2e_factor
    category.co2e_factor = factor + Decimal("0.1")
    db.session.commit()
    try:
        stamps.append(cache.read_data_stamp())
    finally:  # the categories are reference data that outlive each test
        category.co2e_factor = factor
        db.session.commit()
    assert len(set(stamps)) == len(stamps)
    assert cache.read_data_stamp() == stamps[-2]


def test_lost_listings_are_cached_until_a_listing_changes(app_ctx, region, cache_on, make):
    giver, _, _ = region
    left = offer(
        giver, "pallets", kg_per_unit=Decimal("25"), quantity=Decimal("8"), status="withdrawn"
    )
    left.ended_at = datetime(2025, 6, 1, 12)
    db.session.commit()
    first = list_lost_listings(ReportFilters())
    first.clear()  # a caller's change never reaches the cache
    assert len(list_lost_listings(ReportFilters())) == 1
    left.quantity_remaining = Decimal("0")
    db.session.commit()
    assert list_lost_listings(ReportFilters()) == []


def test_charts_are_drawn_once_per_data(app_ctx, region, monkeypatch):
    drawn = []
    real = charts.bar_chart_svg
    monkeypatch.setattr(charts, "bar_chart_svg", lambda *a, **k: drawn.append(a) or real(*a, **k))
    charts._chart_uri.cache_clear()
    with app_ctx.test_request_context():
        summary = compute_summary(ReportFilters())
        first = charts.summary_charts(summary, figure)
        count = len(drawn)
        assert count > 0
        assert charts.summary_charts(compute_summary(ReportFilters()), figure) == first
        assert len(drawn) == count  # the same figures: nothing drawn again
        with force_locale("de"):
            charts.summary_charts(summary, figure)  # German axes are other charts
        assert len(drawn) == 2 * count
        summary.by_category[0].mass_kg += 1
        charts.summary_charts(summary, figure)
        assert len(drawn) == 2 * count + 1  # only the changed chart


def test_a_pdf_is_rendered_once_per_document(app_ctx, monkeypatch):
    import weasyprint

    rendered = []
    real = weasyprint.HTML.write_pdf
    monkeypatch.setattr(
        weasyprint.HTML, "write_pdf", lambda self, *a, **k: rendered.append(1) or real(self)
    )
    pdf._rendered.cache_clear()
    with app_ctx.test_request_context():
        one = pdf.render_pdf("<p>Eins</p>")
        assert pdf.render_pdf("<p>Eins</p>") == one
        assert pdf.render_pdf("<p>Zwei</p>") != one
    assert len(rendered) == 2


def test_the_dashboard_is_the_same_when_its_figures_are_kept(client, login_as, make, region):
    login_as(make.user(role="coordinator"))
    cold = client.get("/reports?displacement=50").get_data(as_text=True)
    client.application.config["REPORTS_CACHE_SECONDS"] = 60
    try:
        warm = [client.get("/reports?displacement=50").get_data(as_text=True) for _ in range(2)]
    finally:
        client.application.config.pop("REPORTS_CACHE_SECONDS")
        cache.clear()
    tokens = re.compile(r'(name="csrf_token" value|name="csrf-token" content)="[^"]*"')
    assert {tokens.sub("", html) for html in warm} == {tokens.sub("", cold)}


@given(
    st.one_of(
        st.decimals(min_value=-(10**12), max_value=10**12, places=3),
        st.integers(-(10**12), 10**12),
        st.floats(min_value=-1e12, max_value=1e12),
        st.sampled_from([Decimal("-0.000"), Decimal("0"), 0.0, -0.0, Decimal("-0.04")]),
    ),
    st.sampled_from([0, 1, 4]),
    st.sampled_from(["en", "de"]),
)
def test_figures_are_babels(app, value, decimals, language):
    pattern = "#,##0." + "#" * decimals if decimals else "#,##0"
    with app.test_request_context(), force_locale(language):
        expected = format_decimal(value, format=pattern)
        assert figure(value, decimals) == expected
        assert figure(value, decimals) == expected  # from the kept texts


def test_summaries_are_still_copies(app_ctx, region, cache_on):
    first = summarise(ReportFilters())
    first.by_month[0].mass_kg += 1000
    assert summarise(ReportFilters()).by_month[0].mass_kg == first.by_month[0].mass_kg - 1000
