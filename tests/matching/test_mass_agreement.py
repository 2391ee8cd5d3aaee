"""The panel, the board and the allocation weigh a pair by the one rule (core/units.py): the kg
the panel's one-click proposal stands for, the board's kg at stake per unit and the allocation's
kg of the pair are the same."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from marketplace.core.clock import today
from marketplace.extensions import db
from marketplace.matching import board as board_queries
from marketplace.matching.allocation_data import run_allocation
from tests import factories
from tests.matching.helpers import listing, org, request


@pytest.mark.parametrize(
    ("unit", "own_kg", "quantity"),
    [
        ("piece", None, Decimal(4)),  # the category's 25 kg a pallet
        ("piece", Decimal("20"), Decimal(5)),  # the listing's own weight
        # A unit other than the category's default: the panel used to know no weight here, the
        # board and the allocation took the category's; the category's weight is the one rule.
        ("m", None, Decimal(4)),
    ],
)
def test_panel_board_and_allocation_agree_on_the_kg_of_a_pair(
    app, make, client, login_as, unit, own_kg, quantity
):
    garden = org("Gemeinschaftsgarten")
    market = org("Supermarkt am Platz")
    wanted = request(garden, "Suche Europaletten", quantity=100, unit="kg")
    pallets = listing(
        market,
        "Europaletten abzugeben",
        quantity=10,
        unit=unit,
        kg_per_unit=own_kg,
        available_until=today() + timedelta(days=3),
    )
    member = factories.user(organisation=garden)
    coordinator = factories.user(role="coordinator")
    db.session.commit()
    offer_id, request_id = pallets.id, wanted.id

    login_as(member)
    html = client.get(f"/listings/{request_id}").get_data(as_text=True)
    form = re.search(
        rf'<form method="post" action="/listings/{offer_id}/propose".*?</form>', html, re.S
    ).group()
    panel_quantity = Decimal(re.search(r'name="quantity" value="([^"]*)"', form).group(1))

    board = board_queries.load_board(
        coordinator,
        board_queries.BoardFilters(),
        board_queries.PageRequest(1, 20),
        board_queries.list_districts(),
    )
    (expiring,) = [e for e in board.expiring if e.listing.id == offer_id]
    board_kg_per_unit = expiring.mass_kg / 10

    report = run_allocation(app.config, viewer=coordinator, release=db.session.rollback)
    (pair,) = [p for p in report.pairs if (p.offer.id, p.request.id) == (offer_id, request_id)]

    assert panel_quantity == pair.quantity == quantity
    assert panel_quantity * board_kg_per_unit == Decimal(str(pair.kg)) == Decimal(100)
