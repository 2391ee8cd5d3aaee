"""The summary: totals, breakdowns, months in Europe/Berlin, factors as recorded or current."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from marketplace.core.clock import today
from marketplace.core.errors import PermissionDenied, ValidationFailed
from marketplace.reports.filters import (
    ReportFilters,
    authorise_report_filters,
    parse_report_filters,
)
from marketplace.reports.queries import factor_table, iter_exchange_rows, summarise
from tests.reports.exchange_sets import completed, offer


@pytest.fixture
def region(make):
    carpentry = make.organisation(name="Tischlerei Holzwurm", kind="business", district="Mitte")
    youth = make.organisation(name="Jugendwerkstatt", kind="association", district="Wedding")
    theatre = make.organisation(name="Theater am Rand", kind="initiative", district="Pankow")
    pallets = offer(carpentry, "pallets", district="Mitte", kg_per_unit=Decimal("25"))
    metal = offer(theatre, "metals", district="Pankow", unit="kg")
    return carpentry, youth, theatre, pallets, metal


def _sums(breakdowns):
    return (
        sum(b.exchanges for b in breakdowns),
        sum((b.mass_kg for b in breakdowns), Decimal(0)),
        sum((b.co2e_avoided_kg for b in breakdowns), Decimal(0)),
    )


def test_totals_and_breakdowns_agree(region):
    carpentry, youth, theatre, pallets, metal = region
    completed(pallets, youth, datetime(2025, 3, 5, 10), mass_kg="100", value_eur="12.50")
    completed(pallets, theatre, datetime(2025, 4, 1, 9), mass_kg="50", mass_basis="weighed")
    completed(metal, youth, datetime(2025, 4, 20, 9), mass_kg="10.5", transport_co2e_kg="1.7")
    completed(pallets, youth, datetime(2025, 5, 2), mass_kg=None, mass_basis="unknown")

    summary = summarise(ReportFilters())

    assert summary.exchanges == 4
    assert summary.mass_kg == Decimal("160.500")
    assert summary.mass_weighed_kg == Decimal("50.000")
    assert summary.mass_estimated_kg == Decimal("110.500")
    assert summary.exchanges_mass_unknown == 1
    assert summary.co2e_avoided_kg == Decimal("34.650") + Decimal("36.468")
    assert summary.co2e_upper_bound_kg == Decimal("36.468")  # metals: no re-used factor
    assert summary.transport_co2e_kg == Decimal("1.700")
    assert summary.value_eur == Decimal("12.50")
    assert summary.organisations == 3
    totals = (summary.exchanges, summary.mass_kg, summary.co2e_avoided_kg)
    for breakdown in (
        summary.by_month,
        summary.by_category,
        summary.by_district,
        summary.by_organisation,
        summary.by_organisation_kind,
    ):
        assert _sums(breakdown) == totals
    assert [b.key for b in summary.by_month] == ["2025-03", "2025-04", "2025-05"]
    assert [b.key for b in summary.by_category] == ["pallets", "metals"]
    assert summary.by_category[0].label == "Pallets and crates"
    assert {b.key: b.exchanges for b in summary.by_district} == {"Mitte": 3, "Pankow": 1}
    assert {b.key: b.exchanges for b in summary.by_organisation_kind} == {
        "business": 3,
        "initiative": 1,
    }
    assert "taxonomy 2026.1" in summary.factor_set
    rows = list(iter_exchange_rows(ReportFilters()))
    assert [r.exchange_id for r in rows] == sorted(r.exchange_id for r in rows)
    assert sum(r.mass_kg or 0 for r in rows) == summary.mass_kg


def test_months_follow_berlin_time(region):
    _, youth, _, pallets, _ = region
    # 31 March 22:30 UTC is 1 April 00:30 in Berlin (summer time); 31 Jan 23:30 UTC is 1 Feb.
    completed(pallets, youth, datetime(2025, 3, 31, 22, 30))
    completed(pallets, youth, datetime(2025, 3, 31, 21, 30))
    completed(pallets, youth, datetime(2025, 1, 31, 23, 30))
    completed(pallets, youth, datetime(2025, 1, 31, 22, 30))
    months = {b.key: b.exchanges for b in summarise(ReportFilters()).by_month}
    assert months == {"2025-01": 1, "2025-02": 1, "2025-03": 1, "2025-04": 1}
    april = summarise(ReportFilters(date_from=date(2025, 4, 1), date_to=date(2025, 4, 30)))
    assert april.exchanges == 1
    assert [b.key for b in april.by_month] == ["2025-04"]


def test_period_lists_empty_months(region):
    _, youth, _, pallets, _ = region
    completed(pallets, youth, datetime(2025, 6, 10))
    summary = summarise(ReportFilters(date_from=date(2025, 1, 1), date_to=date(2025, 12, 31)))
    assert len(summary.by_month) == 12
    assert [b.exchanges for b in summary.by_month if b.exchanges] == [1]


def test_only_completed_exchanges_count(region):
    _, youth, _, pallets, _ = region
    completed(pallets, youth, datetime(2025, 6, 10))
    completed(pallets, youth, datetime(2025, 6, 10), status="accepted")
    assert summarise(ReportFilters()).exchanges == 1


def test_filters_by_category_parent_district_org_and_side(region):
    carpentry, youth, theatre, pallets, metal = region
    completed(pallets, youth, datetime(2025, 6, 10))
    completed(metal, carpentry, datetime(2025, 6, 11))
    assert summarise(ReportFilters(category="wood")).exchanges == 1  # parent of pallets
    assert summarise(ReportFilters(district="Pankow")).exchanges == 1
    assert summarise(ReportFilters(organisation_id=carpentry.id)).exchanges == 2
    given = summarise(ReportFilters(organisation_id=carpentry.id, side="given"))
    received = summarise(ReportFilters(organisation_id=carpentry.id, side="received"))
    assert (given.exchanges, received.exchanges) == (1, 1)
    assert summarise(ReportFilters(organisation_kind="initiative")).exchanges == 1


def test_current_factors_recompute(region, make):
    _, youth, _, pallets, _ = region
    completed(pallets, youth, datetime(2025, 6, 10), mass_kg="100", factor="0.5")
    assert summarise(ReportFilters()).co2e_avoided_kg == Decimal("50.000")
    current = summarise(ReportFilters(factors="current"))
    assert current.co2e_avoided_kg == Decimal("23.100")  # 100 kg x 0.231 (wood) now
    [row] = iter_exchange_rows(ReportFilters(factors="current"))
    assert row.co2e_avoided_kg == Decimal("23.100")


def test_value_lost_counts_unclaimed_remainders(region, make):
    carpentry, _, theatre, _, _ = region
    yesterday = today() - timedelta(days=1)
    offer(
        carpentry,
        "pallets",
        quantity=Decimal("10"),
        kg_per_unit=Decimal("25"),
        status="withdrawn",
        ended_at=datetime.now() - timedelta(days=2),
    )
    offer(theatre, "metals", unit="kg", quantity=Decimal("80"), available_until=yesterday)
    offer(
        theatre,
        "metals",
        unit="kg",
        quantity=Decimal("80"),
        quantity_remaining=Decimal(0),
        status="expired",
        ended_at=datetime.now(),
    )
    lost = summarise(ReportFilters()).value_lost
    assert lost.listings == 2
    assert lost.mass_kg == Decimal("330.000")
    assert lost.co2e_kg == Decimal("57.750") + Decimal("277.848")
    assert {b.key for b in lost.by_district} == {"Mitte"}


def test_parse_filters_rejects_bad_values(app_ctx):
    for args, field in [
        ({"from": "2025-13-01"}, "from"),
        ({"from": "2025-01-01", "to": "2024-01-01"}, "to"),
        ({"from": "20250101"}, "from"),
        ({"to": "9999-12-31"}, "to"),
        ({"category": "no-such"}, "category"),
        ({"organisation_id": "1e9"}, "organisation_id"),
        ({"organisation_id": "99999999999"}, "organisation_id"),
        ({"side": "both"}, "side"),
        ({"organisation_kind": "pirate"}, "organisation_kind"),
        ({"factors": "future"}, "factors"),
        ({"district": "Mitte\x00"}, "district"),
    ]:
        with pytest.raises(ValidationFailed) as caught:
            parse_report_filters(args)
        assert field in caught.value.fields, args
    parsed = parse_report_filters({"from": "2025-01-01", "category": "wood", "factors": "current"})
    assert parsed == ReportFilters(date_from=date(2025, 1, 1), category="wood", factors="current")
    assert parse_report_filters(parsed.as_args()) == parsed


def test_members_see_only_their_own_organisation(make):
    member = make.user()
    coordinator = make.user(role="coordinator")
    own = authorise_report_filters(member, ReportFilters())
    assert own.organisation_id == member.organisation_id
    with pytest.raises(PermissionDenied):
        authorise_report_filters(member, ReportFilters(organisation_id=member.organisation_id + 1))
    assert authorise_report_filters(coordinator, ReportFilters()) == ReportFilters()
    with pytest.raises(PermissionDenied):
        authorise_report_filters(None, ReportFilters())


def test_factor_table_marks_upper_bounds(app_ctx):
    rows = {row.slug: row for row in factor_table()}
    assert rows["metals"].upper_bound
    assert not rows["pallets"].upper_bound
    assert rows["pallets"].parent == "wood"


def test_cache_reuses_a_summary_until_the_data_changes(app, region):
    from marketplace.reports import cache

    _, youth, _, pallets, _ = region
    completed(pallets, youth, datetime(2025, 6, 10))
    app.config["REPORTS_CACHE_SECONDS"] = 60
    try:
        first = summarise(ReportFilters())
        first.by_category.clear()  # a caller's change never reaches the cache
        again = summarise(ReportFilters())
        assert again.exchanges == 1 and again.by_category
        completed(pallets, youth, datetime(2025, 6, 11))
        assert summarise(ReportFilters()).exchanges == 2
    finally:
        app.config.pop("REPORTS_CACHE_SECONDS")
        cache.clear()
