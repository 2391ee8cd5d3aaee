"""Must hold, for generated exchange sets and filters: the summary equals the sum over its CSV
rows (parsed back), and every total equals the sum of each of its breakdowns."""

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert

from marketplace.exchanges.models import Exchange
from marketplace.extensions import db
from marketplace.listings.models import Listing
from marketplace.orgs.models import ORGANISATION_KINDS
from marketplace.reports.downloads import csv_chunks
from marketplace.reports.exports import CSV_COLUMNS, iter_csv
from marketplace.reports.filters import ReportFilters
from marketplace.reports.queries import iter_exchange_rows, summarise
from tests import factories
from tests.reports.exchange_sets import completed

CATEGORIES = ["pallets", "wood", "metals", "aluminium", "textiles", "paints", "it", "sofas"]
SPACE = ["meeting-rooms", "storage-space", "workshop-space"]
DISTRICTS = ["Mitte", "Pankow", "=Wedding", None, "Gohlis-Süd"]
KINDS = list(ORGANISATION_KINDS)
# Instants near local month ends and the DST changes, in naive UTC.
START = datetime(2024, 12, 31, 21, 0)
WINDOW_HOURS = 24 * 500

amounts = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("99999.999"), places=3)
exchange_specs = st.fixed_dictionaries(
    {
        "org": st.integers(0, 3),
        "receiver": st.integers(0, 3),
        "category": st.sampled_from(CATEGORIES + SPACE),
        "district": st.sampled_from(DISTRICTS),
        "hours": st.one_of(
            st.integers(0, WINDOW_HOURS),
            # 22:00-23:59 UTC on a last day of a month: the next local day in Berlin.
            st.sampled_from([2, 3, 24 * 31 + 2, 24 * 90 + 1, 24 * 90 + 2, 24 * 304 + 2]),
        ),
        "minutes": st.integers(0, 59),
        "mass": st.one_of(st.none(), amounts),
        "basis": st.sampled_from(["weighed", "estimated"]),
        "factor": st.one_of(st.none(), st.decimals(min_value=0, max_value=30, places=4)),
        "quantity": amounts,
        "value": st.decimals(min_value=0, max_value=1000, places=2),
    }
)
filter_specs = st.fixed_dictionaries(
    {
        "date_from": st.one_of(st.none(), st.dates(date(2024, 12, 1), date(2026, 6, 1))),
        "days": st.one_of(st.none(), st.integers(0, 400)),
        "category": st.one_of(st.none(), st.sampled_from(["wood", "metals", "it", "rooms"])),
        "district": st.one_of(st.none(), st.sampled_from(["Mitte", "=Wedding", "Nowhere"])),
        "org": st.one_of(st.none(), st.integers(0, 3)),
        "side": st.sampled_from([None, "given", "received"]),
        "kind": st.one_of(st.none(), st.sampled_from(KINDS)),
        "factors": st.sampled_from(["recorded", "current"]),
    }
)


def _clear():
    """Between examples; Core deletes and inserts keep the search index out of it."""
    db.session.rollback()
    db.session.execute(delete(Exchange))
    db.session.execute(delete(Listing))
    db.session.commit()


@pytest.fixture
def orgs(make):
    """Four organisations of different kinds, one named like a formula."""
    return [
        make.organisation(name=f"{'+' if i == 2 else ''}Org {i}", kind=KINDS[i % len(KINDS)])
        for i in range(4)
    ]


def _offer(org, slug: str, district: str | None) -> Listing:
    category = factories.category(slug)
    listing_id = db.session.execute(
        insert(Listing).returning(Listing.id),
        {
            "kind": "offer",
            "title": "Angebot",
            "description": "",
            "category_id": category.id,
            "quantity": Decimal("100"),
            "quantity_remaining": Decimal("0"),
            "unit": category.default_unit,
            "price_eur": Decimal("0"),
            "postcode": "04109",
            "district": district,
            "status": "closed",
            "organisation_id": org.id,
        },
    ).scalar_one()
    return db.session.get(Listing, listing_id)


def _build(specs, orgs):
    for spec in specs:
        giver = orgs[spec["org"]]
        taker = spec["receiver"] if spec["receiver"] != spec["org"] else (spec["org"] + 1) % 4
        source = _offer(giver, spec["category"], spec["district"])
        space = spec["category"] in SPACE
        when = START + timedelta(hours=spec["hours"], minutes=spec["minutes"])
        completed(
            source,
            orgs[taker],
            when,
            quantity=str(spec["quantity"]),
            mass_kg=None if space or spec["mass"] is None else str(spec["mass"]),
            mass_basis=None if space else ("unknown" if spec["mass"] is None else spec["basis"]),
            factor=None if spec["factor"] is None else str(spec["factor"]),
            factor_source="-DEFRA =1+1" if spec["factor"] else None,
            value_eur=str(spec["value"]),
            space_hours=str(spec["quantity"]) if space else None,
        )


def _filters(spec, orgs) -> ReportFilters:
    date_to = None
    if spec["days"] is not None:
        date_to = (spec["date_from"] or date(2025, 1, 1)) + timedelta(days=spec["days"])
    org = orgs[spec["org"]].id if spec["org"] is not None else None
    return ReportFilters(
        date_from=spec["date_from"],
        date_to=date_to,
        category=spec["category"],
        district=spec["district"],
        organisation_id=org,
        side=spec["side"] if org else None,
        organisation_kind=spec["kind"],
        factors=spec["factors"],
    )


def _csv_totals(filters):
    text = "".join(csv_chunks(filters))  # the export's fast path, straight from the driver
    assert text == "".join(iter_csv(iter_exchange_rows(filters)))  # the same as via ExchangeRow
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert tuple(rows[0]) == CSV_COLUMNS if rows else True
    mass = sum((Decimal(r["mass_kg"]) for r in rows if r["mass_kg"]), Decimal("0"))
    co2e = sum((Decimal(r["co2e_avoided_kg"]) for r in rows if r["co2e_avoided_kg"]), Decimal("0"))
    for row in rows:
        assert not row["provider"].startswith(("=", "+", "-", "@")), row
        assert not (row["factor_source"] or "x").startswith(("=", "+", "-", "@")), row
        assert not (row["district"] or "x").startswith(("=", "+", "-", "@")), row
        completed_at = datetime.fromisoformat(row["completed_at"])
        if filters.date_from:
            assert completed_at.date() >= filters.date_from
        if filters.date_to:
            assert completed_at.date() <= filters.date_to
    months = {}
    for row in rows:
        month = row["completed_at"][:7]
        months[month] = months.get(month, 0) + 1
    return len(rows), mass, co2e, months


def _sums(groups):
    return (
        sum(g.exchanges for g in groups),
        sum((g.mass_kg for g in groups), Decimal("0")),
        sum((g.co2e_avoided_kg for g in groups), Decimal("0")),
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=st.lists(exchange_specs, max_size=14), filter_spec=filter_specs)
def test_summary_equals_csv_rows_and_breakdowns(orgs, specs, filter_spec):
    _clear()
    _build(specs, orgs)
    filters = _filters(filter_spec, orgs)
    summary = summarise(filters)

    count, mass, co2e, months = _csv_totals(filters)
    assert (summary.exchanges, summary.mass_kg, summary.co2e_avoided_kg) == (count, mass, co2e)
    totals = (summary.exchanges, summary.mass_kg, summary.co2e_avoided_kg)
    for groups in (
        summary.by_month,
        summary.by_category,
        summary.by_district,
        summary.by_organisation,
        summary.by_organisation_kind,
    ):
        assert _sums(groups) == totals
    # Months are the local months of the CSV's (Europe/Berlin) completion times.
    assert {b.key: b.exchanges for b in summary.by_month if b.exchanges} == months
    assert summary.mass_weighed_kg + summary.mass_estimated_kg == summary.mass_kg
    assert 0 <= summary.co2e_upper_bound_kg <= summary.co2e_avoided_kg
    lost = summary.value_lost
    assert (lost.listings, lost.mass_kg, lost.co2e_kg) == (
        sum(b.exchanges for b in lost.by_district),
        sum((b.mass_kg for b in lost.by_district), Decimal("0")),
        sum((b.co2e_avoided_kg for b in lost.by_district), Decimal("0")),
    )
