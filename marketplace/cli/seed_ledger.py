"""The demo region's local currency: "Leipziger Taler" set up as an operator would, and a year of
transfers between the demo organisations.

Most transfers pay for what the demo handed over: a completed exchange of an offer with a
`price_local` (price x quantity handed, at the completion) and a returned loan or booking of a
shared offer (price per unit and day, or per hour, at the return). Some are plain payments: the
network's membership fee, repairs, workshop fees, catering, printing, IT support.

Everything goes through ledger.services.transfer, back-dated and in chronological order, so the
balances, the running balances and the limits are exactly what production would have; a transfer
a limit refuses is left out (its SAVEPOINT is rolled back). One random.Random of its own
(SEED + 3), run after the rest of the demo, so the currency leaves every other row as it was.
"""

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from flask import g

from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.ledger.amounts import price_times
from marketplace.ledger.models import REASON_MAX, Transfer

if TYPE_CHECKING:
    from marketplace.cli.seed import DemoRegion

SEED = 2026 + 3
CURRENCY = {
    "code": "LTA",
    "name": "Leipziger Taler",
    "symbol": "T",
    "kind": "money",
    "min_balance": Decimal("-300"),
    "max_balance": Decimal("3000"),
}
#: The coordinator's organisation runs the network and collects its membership fee.
NETWORK = "wirtschaftsfoerderung"
MEMBERSHIP_FEE = Decimal("24")
#: A member pays the fee a week after joining and every six months after that.
FEE_AFTER, FEE_EVERY = timedelta(days=7), timedelta(days=182)


@dataclass(frozen=True)
class Service:
    """Work one organisation does for others, paid now and then during the year."""

    payers: tuple[str, ...]
    payees: tuple[str, ...]
    reason: str
    times: int
    amount: tuple[int, int]


SERVICES = (
    Service(("lastenrad",), ("radwerkstatt",), "Reparatur Lastenrad", 6, (15, 60)),
    Service(
        ("wirtschaftsfoerderung", "oberschule", "nachbarschaftszentrum", "kita"),
        ("repaircafe", "werkbank", "oekozentrum"),
        "Workshop Honorar",
        10,
        (40, 120),
    ),
    Service(
        ("nachbarschaftszentrum", "theater"), ("kantine",), "Catering Stadtteilfest", 4, (30, 90)
    ),
    Service(
        ("theater", "nachbarschaftszentrum", "willkommensnetz"),
        ("druckerei",),
        "Druck Plakate und Flyer",
        5,
        (20, 80),
    ),
    Service(("werkbank", "sozialkaufhaus", "kita"), ("datenwerk",), "IT-Support", 5, (25, 70)),
)


@dataclass(frozen=True)
class Booked:
    """A transfer to make: who pays whom how much, when, and what it is tied to."""

    at: datetime
    payer_id: int
    payee_id: int
    amount: Decimal
    reason: str
    kind: str
    exchange_id: int | None = None
    booking_id: int | None = None


def seed_ledger(region: "DemoRegion", now: datetime) -> list[Transfer]:
    """Set up the Leipziger Taler and book a year of transfers; returns those made."""
    ledger.setup_currency(**CURRENCY)
    rng = random.Random(SEED)
    contacts = {user.organisation_id: user for user in region.users.values()}
    planned = [*_hand_overs(region), *_loans(region, now), *_payments(rng, region, now)]
    made = []
    for item in sorted(planned, key=lambda b: (b.at, b.kind, b.payer_id, b.payee_id)):
        try:
            made.append(
                ledger.transfer(
                    item.payer_id,
                    item.payee_id,
                    item.amount,
                    item.reason[:REASON_MAX],
                    actor=contacts.get(item.payer_id),
                    kind=item.kind,
                    exchange_id=item.exchange_id,
                    booking_id=item.booking_id,
                    at=item.at,
                )
            )
        except (ledger.InsufficientCredit, ledger.AccountFrozen):
            continue  # the payer could not afford it then: the demo leaves it out, as a member would
    db.session.flush()
    # get_currency() keeps the currency for the app context; a caller that rolls the demo back
    # (the seed tests) must not keep one that no longer exists.
    g.pop("local_currency", None)
    return made


def _hand_overs(region: "DemoRegion") -> list[Booked]:
    booked = []
    for exchange in region.exchanges:
        price = exchange.offer.price_local
        if exchange.status != "completed" or not price or exchange.completed_at is None:
            continue
        amount = price_times(price, exchange.quantity_completed or exchange.quantity)
        if amount > 0:
            booked.append(
                Booked(
                    exchange.completed_at,
                    exchange.receiver_id,
                    exchange.provider_id,
                    amount,
                    exchange.offer.title,
                    "exchange",
                    exchange_id=exchange.id,
                )
            )
    return booked


def _loans(region: "DemoRegion", now: datetime) -> list[Booked]:
    """The fee of every returned loan or booking of a priced shared offer, paid at its return."""
    offers = {offer.id: offer for offer in region.shared_offers}
    booked = []
    for booking in region.bookings:
        offer = offers.get(booking.listing_id)
        returned = booking.returned_at
        if booking.status != "returned" or offer is None or not offer.price_local:
            continue
        if returned is None or returned > now:
            continue
        hours = (booking.end_at - booking.start_at).total_seconds() / 3600
        if offer.mode == "book":
            periods = Decimal(math.ceil(hours))
        else:
            periods = Decimal(booking.units * max(1, math.ceil(hours / 24)))
        booked.append(
            Booked(
                returned,
                booking.borrower_id,
                booking.provider_id,
                price_times(offer.price_local, periods),
                offer.title,
                "booking_fee",
                booking_id=booking.id,
            )
        )
    return booked


def _payments(rng: random.Random, region: "DemoRegion", now: datetime) -> list[Booked]:
    organisations = region.organisations
    network = organisations[NETWORK]
    booked = []
    for key, organisation in organisations.items():
        if key == NETWORK:
            continue
        due = organisation.created_at + FEE_AFTER
        while due <= now:
            booked.append(
                Booked(
                    _working_hours(rng, due, now),
                    organisation.id,
                    network.id,
                    MEMBERSHIP_FEE,
                    "Mitgliedsbeitrag Netzwerk",
                    "payment",
                )
            )
            due += FEE_EVERY
    for service in SERVICES:
        for _time in range(service.times):
            payer = organisations.get(rng.choice(service.payers))
            payee = organisations.get(rng.choice(service.payees))
            at = _working_hours(rng, now - timedelta(days=rng.uniform(1, 360)), now)
            if payer is None or payee is None or payer is payee:
                continue
            if max(payer.created_at, payee.created_at) > at:
                continue  # not both members yet
            amount = Decimal(rng.randint(*service.amount))
            booked.append(Booked(at, payer.id, payee.id, amount, service.reason, "payment"))
    return booked


def _working_hours(rng: random.Random, moment: datetime, now: datetime) -> datetime:
    """The moment's day during working hours in Leipzig (UTC 7-15), to the minute, not after now."""
    moment = moment.replace(hour=rng.randint(7, 15), minute=rng.randint(0, 59))
    return min(moment.replace(second=0, microsecond=0), now)
