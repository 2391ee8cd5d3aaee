"""The allocation from the database: what takes part, in a few queries, and its pairs."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event

from marketplace.core.clock import today
from marketplace.core.errors import PermissionDenied
from marketplace.exchanges.models import Exchange
from marketplace.extensions import db
from marketplace.matching.allocation_data import (
    load_allocation_input,
    run_allocation,
    solve_allocation,
)
from tests import factories


@pytest.fixture
def region(make):
    """A supermarket with pallets, a carpentry with boards; a garden and a youth workshop want."""
    market = make.organisation(
        name="Supermarkt Elster", postcode="04109", district="Zentrum", lat=51.3397, lon=12.3731
    )
    carpentry = make.organisation(
        name="Tischlerei Auwald", postcode="04229", district="Plagwitz", lat=51.3296, lon=12.3336
    )
    garden = make.organisation(
        name="Gemeinschaftsgarten Lindenhof",
        postcode="04277",
        district="Connewitz",
        lat=51.3069,
        lon=12.3830,
    )
    workshop = make.organisation(
        name="Jugendwerkstatt Parthe", postcode="04155", district="Gohlis", lat=51.3620, lon=12.3700
    )
    common = {"lat": None, "lon": None}
    pallets = make.listing(
        organisation=market,
        title="Europaletten abzugeben",
        quantity=Decimal(10),
        district="Zentrum",
        **common,
    )
    boards = make.listing(
        organisation=carpentry,
        title="Spanplatten aus Umbau",
        category=make.category("wood"),
        quantity=Decimal("300"),
        unit="kg",
        district="Plagwitz",
        **common,
    )
    wants_pallets = make.listing(
        kind="request",
        organisation=garden,
        title="Suche Europaletten",
        quantity=Decimal(6),
        district="Connewitz",
        **common,
    )
    wants_wood = make.listing(
        kind="request",
        organisation=workshop,
        title="Holz für Hochbeete gesucht",
        category=make.category("wood"),
        quantity=Decimal("200"),
        unit="kg",
        district="Gohlis",
        **common,
    )
    return pallets, boards, wants_pallets, wants_wood


def test_loads_open_listings_in_three_queries(app, region):
    statements = []
    listener = lambda *args: args[2].startswith("SELECT") and statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        data = load_allocation_input()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) == 3
    assert [r.title for r in data.offer_rows] == ["Europaletten abzugeben", "Spanplatten aus Umbau"]
    assert data.offers.quantity.tolist() == [10_000, 300_000]  # milli-units
    assert data.quantum.tolist() == [1000, 1]  # pallets move in whole pieces
    assert data.offers.kg_per_unit.tolist() == [25.0, 1.0]  # the category's weight of a pallet


def test_pairs_fill_requests_and_never_exceed_an_offer(region):
    pallets, boards, wants_pallets, wants_wood = region
    report = solve_allocation(load_allocation_input())
    pairs = {(p.offer.id, p.request.id): p for p in report.pairs}
    assert pairs[(pallets.id, wants_pallets.id)].quantity == Decimal(6)
    # 200 kg wanted: the pallets (25 kg each, parent category) and the boards can both serve;
    # the boards' own category is worth more, so they go first.
    assert pairs[(boards.id, wants_wood.id)].quantity == Decimal(200)
    given = {}
    for p in report.pairs:
        given[p.offer.id] = given.get(p.offer.id, 0) + p.quantity
    assert given[pallets.id] <= pallets.quantity_remaining
    assert given[boards.id] <= boards.quantity_remaining
    assert report.lp.objective >= report.greedy.objective
    assert report.lp.co2e == pytest.approx(6 * 25 * 0.231 + 200 * 0.231, rel=1e-6)


def test_filters_closed_expired_and_already_proposed_pairs_out(make, region):
    pallets, boards, wants_pallets, wants_wood = region
    make.listing(title="Abgelaufene Paletten", available_until=today() - timedelta(days=1))
    make.listing(title="Vergebene Paletten", status="closed")
    db.session.add(
        Exchange(
            offer_id=pallets.id,
            request_id=wants_pallets.id,
            provider_id=pallets.organisation_id,
            receiver_id=wants_pallets.organisation_id,
            quantity=Decimal(6),
            unit="piece",
            status="proposed",
        )
    )
    db.session.commit()
    data = load_allocation_input()
    assert len(data.offer_rows) == 2
    report = solve_allocation(data)
    assert (pallets.id, wants_pallets.id) not in {(p.offer.id, p.request.id) for p in report.pairs}


def test_district_and_category_filters(app, region):
    pallets, boards, wants_pallets, wants_wood = region
    only_pallets = load_allocation_input(category_ids=[factories.category("pallets").id])
    assert [r.id for r in only_pallets.offer_rows] == [pallets.id]
    in_gohlis = load_allocation_input(district="Gohlis")
    assert [r.id for r in in_gohlis.request_rows] == [wants_wood.id] and not in_gohlis.offer_rows


def test_run_allocation_with_kg_objective_and_no_transport(app, region):
    report = run_allocation(
        app.config,
        viewer=factories.user(role="coordinator"),
        objective="kg",
        transport_penalty=False,
        release=db.session.rollback,
    )
    assert report.objective == "kg" and not report.transport_penalty
    assert report.lp.kg == pytest.approx(6 * 25 + 200)
    assert report.load_s >= 0 and report.gain_ratio >= 1


def test_only_coordinators_may_run_the_allocation(app, region):
    with pytest.raises(PermissionDenied):
        run_allocation(app.config, viewer=factories.user(), release=db.session.rollback)


def test_things_that_do_not_replace_each_other_are_not_paired(make):
    """Issue 13: the same furniture family is not enough; a Rollcontainer is no Klappstuhl."""
    office, hall, school = (make.organisation(name=n) for n in ("Büro", "Saal", "Schule"))
    furniture = make.category("office-furniture")
    chairs = make.listing(
        organisation=hall, title="Klappstühle, 30 Stück", category=make.category("furniture")
    )
    containers = make.listing(organisation=office, title="Rollcontainer, grau", category=furniture)
    stools = make.listing(organisation=office, title="Hocker aus Holz", category=furniture)
    wanted = make.listing(
        kind="request", organisation=school, title="Suche Rollcontainer", category=furniture
    )
    seats = make.listing(
        kind="request", organisation=school, title="Stühle für die Aula", category=furniture
    )
    pairs = {(p.offer.id, p.request.id) for p in solve_allocation(load_allocation_input()).pairs}
    assert (containers.id, wanted.id) in pairs
    assert (chairs.id, wanted.id) not in pairs and (stools.id, wanted.id) not in pairs
    # a shipped substitutes group: a Hocker is a seat, Klappstühle are chairs
    assert {(chairs.id, seats.id), (stools.id, seats.id)} & pairs
