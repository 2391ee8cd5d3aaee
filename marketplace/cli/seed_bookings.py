"""The demo region's lending and booking: the repair café lends tools and a cargo bike, the theatre
stage equipment, the coworking space its meeting room by the hour (with opening hours), the
neighbourhood centre its hall; and a year of bookings between demo organisations.

Rows go in directly with consistent timestamps (no services, so no mail): mostly returned, a few
returned late, some cancelled or declined, a few accepted in the future, one active and overdue
today. One random.Random of its own (SEED + 2), so the rest of the demo draws what it always drew.
Bookings of one offer never overlap, so no capacity is ever exceeded.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from marketplace.bookings.models import Booking, BookingRules
from marketplace.categories.models import Category
from marketplace.extensions import db
from marketplace.listings.models import Listing

if TYPE_CHECKING:
    from marketplace.cli.seed import DemoRegion

SEED = 2026 + 2
#: Opening hours of the coworking space's meeting room (Monday is "0").
COWORKING_HOURS = {day: [["09:00", "18:00"]] for day in ("0", "1", "2", "3", "4")}
#: Leipziger Taler per unit and day (lend) or per hour (book); cli/seed_ledger.py books the fee
#: of every returned loan.
LOCAL_PRICES = {
    "Werkzeugkoffer zum Ausleihen": Decimal("3"),
    "Akku-Bohrschrauber mit zwei Akkus": Decimal("2"),
    "Lastenrad „Kurt“ zum Ausleihen": Decimal("5"),
    "Bühnenscheinwerfer (LED-Set)": Decimal("4"),
    "Mobile Tonanlage": Decimal("10"),
    "Besprechungsraum stundenweise buchen": Decimal("5"),
    "Saal des Nachbarschaftszentrums (120 m²)": Decimal("8"),
}


@dataclass(frozen=True)
class SharedOffer:
    org: str
    category: str
    mode: str
    title: str
    description: str
    unit: str
    quantity: int
    capacity: int
    kg_per_unit: Decimal | None
    #: hours of a booking (lo, hi)
    hours: tuple[int, int]


OFFERS = (
    SharedOffer(
        "repaircafe", "tools", "lend", "Werkzeugkoffer zum Ausleihen",
        "Drei vollständige Werkzeugkoffer (Schraubendreher, Zangen, Multimeter), für Reparatur-"
        "aktionen in Schulen und Initiativen. Bitte vollständig zurückgeben.",
        "piece", 3, 3, Decimal("6"), (24, 72),
    ),
    SharedOffer(
        "repaircafe", "tools", "lend", "Akku-Bohrschrauber mit zwei Akkus",
        "Makita-Bohrschrauber mit Ladegerät und Bitsatz, tageweise auszuleihen.",
        "piece", 2, 2, Decimal("2"), (24, 48),
    ),
    SharedOffer(
        "repaircafe", "bikes", "lend", "Lastenrad „Kurt“ zum Ausleihen",
        "Zweirädriges Lastenrad mit Kiste und Regenplane, bis 80 kg Zuladung. Abholung und "
        "Rückgabe im Repair-Café.",
        "piece", 1, 1, Decimal("45"), (4, 48),
    ),
    SharedOffer(
        "theater", "event-equipment", "lend", "Bühnenscheinwerfer (LED-Set)",
        "Vier LED-Scheinwerfer mit Stativen und DMX-Pult, für Feste und Aufführungen im Viertel. "
        "Einweisung bei der Abholung.",
        "piece", 4, 4, Decimal("8"), (24, 72),
    ),
    SharedOffer(
        "theater", "event-equipment", "lend", "Mobile Tonanlage",
        "Zwei Aktivboxen, Mischpult und zwei Funkmikrofone.",
        "piece", 1, 1, Decimal("30"), (24, 48),
    ),
    SharedOffer(
        "coworking", "meeting-rooms", "book", "Besprechungsraum stundenweise buchen",
        "Raum für 8 Personen mit Bildschirm und Whiteboard, werktags 9–18 Uhr.",
        "hour", 1, 1, None, (1, 4),
    ),
    SharedOffer(
        "nachbarschaftszentrum", "rooms", "book", "Saal des Nachbarschaftszentrums (120 m²)",
        "Saal mit Bühne und Küche für 80 Personen, für Initiativen aus dem Stadtteil.",
        "m2", 120, 1, None, (3, 6),
    ),
)  # fmt: skip


def seed_bookings(region: "DemoRegion", categories: dict[str, Category], now: datetime) -> None:
    """The shared offers (region.shared_offers) and a year of bookings (region.bookings)."""
    rng = random.Random(SEED)
    keys = list(region.organisations)
    for spec in OFFERS:
        offer = _offer(region, categories[spec.category], spec, now)
        region.shared_offers.append(offer)
        borrowers = [key for key in keys if key != spec.org]
        region.bookings += _year_of_bookings(rng, offer, spec, region, borrowers, now)
    _overdue_today(region, now)
    db.session.add_all(region.bookings)
    db.session.flush()


def _offer(region: "DemoRegion", category: Category, spec: SharedOffer, now: datetime) -> Listing:
    organisation = region.organisations[spec.org]
    created = max(organisation.created_at, now - timedelta(days=380))
    offer = Listing(
        kind="offer",
        title=spec.title,
        description=spec.description,
        category=category,
        quantity=Decimal(spec.quantity),
        quantity_remaining=Decimal(spec.quantity),
        unit=spec.unit,
        kg_per_unit=spec.kg_per_unit,
        condition="good" if spec.mode == "lend" else None,
        price_eur=Decimal("0"),
        price_local=LOCAL_PRICES.get(spec.title),
        postcode=organisation.postcode,
        district=organisation.district,
        lat=organisation.lat,
        lon=organisation.lon,
        available_until=None,
        status="open",
        mode=spec.mode,
        capacity=spec.capacity,
        organisation=organisation,
        created_by_id=region.users[spec.org].id,
        created_at=created,
        updated_at=created,
    )
    db.session.add(offer)
    db.session.flush()
    if spec.org == "coworking":
        db.session.add(
            BookingRules(
                listing_id=offer.id,
                min_minutes=60,
                max_minutes=8 * 60,
                lead_minutes=24 * 60,
                buffer_minutes=15,
                opening_hours=COWORKING_HOURS,
                updated_at=created,
            )
        )
    return offer


def _year_of_bookings(
    rng: random.Random,
    offer: Listing,
    spec: SharedOffer,
    region: "DemoRegion",
    borrowers: list[str],
    now: datetime,
) -> list[Booking]:
    """One booking every few days from a year ago to three weeks ahead, one after the other."""
    bookings = []
    moment = max(now - timedelta(days=360), offer.created_at + timedelta(days=14))
    while True:
        moment += timedelta(days=rng.uniform(4, 12))
        if moment > now + timedelta(days=21):
            return bookings
        # Working hours in Leipzig (UTC 7-15) on a weekday.
        start = moment.replace(hour=rng.randint(7, 13), minute=0, second=0, microsecond=0)
        while start.weekday() >= 5:
            start += timedelta(days=1)
        end = start + timedelta(hours=rng.randint(*spec.hours))
        if spec.mode == "book":
            end = min(end, start.replace(hour=16))  # the coworking room closes at 18:00 local
        if start < now < end + timedelta(hours=6):
            continue  # nothing running right now but the one overdue loan
        borrower = region.organisations[rng.choice(borrowers)]
        if borrower.created_at > start - timedelta(days=15):
            continue  # not a member yet
        bookings.append(_booking(rng, offer, borrower, region, start, end, now))
        moment = max(moment, end)


def _booking(rng, offer, borrower, region, start, end, now) -> Booking:
    created = start - timedelta(days=rng.uniform(2, 14), hours=rng.uniform(0, 6))
    created = min(max(created, offer.created_at), now - timedelta(hours=1))
    units = rng.randint(1, offer.capacity)
    booking = Booking(
        listing_id=offer.id,
        provider_id=offer.organisation_id,
        borrower_id=borrower.id,
        created_by_id=region.users[_key(region, borrower)].id,
        start_at=start,
        end_at=end,
        units=units,
        message="",
        created_at=created,
        updated_at=created,
    )
    answered = max(created, min(created + timedelta(hours=rng.uniform(1, 20)), start, now))
    pick = rng.random()
    if start > now:
        if pick < 0.6:
            booking.status, booking.accepted_at = "accepted", answered
        elif pick < 0.85:
            booking.status = "requested"
        else:
            booking.status, booking.cancelled_at = "cancelled", answered
        booking.updated_at = booking.accepted_at or booking.cancelled_at or created
        return booking
    if pick < 0.1:
        booking.status, booking.cancelled_at = "cancelled", answered
        booking.reason = "Termin hat sich verschoben."
    elif pick < 0.17:
        booking.status, booking.declined_at = "declined", answered
        booking.reason = "Zu der Zeit leider schon vergeben."
    else:
        late = timedelta(hours=rng.uniform(3, 40)) if pick > 0.92 else timedelta(0)
        booking.status = "returned"
        booking.accepted_at = answered
        booking.checked_out_at = start + timedelta(minutes=rng.randint(0, 30))
        booking.returned_at = end - timedelta(minutes=rng.randint(0, 20)) + late
        booking.checkout_note = "Vollständig, sauber."
        booking.return_note = "Zurück, alles in Ordnung." if not late else "Verspätet zurück."
    booking.updated_at = booking.returned_at or booking.declined_at or booking.cancelled_at
    return booking


def _key(region: "DemoRegion", organisation) -> str:
    return next(k for k, o in region.organisations.items() if o.id == organisation.id)


def _overdue_today(region: "DemoRegion", now: datetime) -> None:
    """The cargo bike: checked out three days ago for two days, not back yet."""
    bike = next(o for o in region.shared_offers if o.category.slug == "bikes")
    borrower = region.organisations["jugendwerkstatt"]
    start = (now - timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    region.bookings = [
        b
        for b in region.bookings
        if b.listing_id != bike.id or b.end_at + timedelta(days=2) < start or b.start_at > now
    ]
    booking = Booking(
        listing_id=bike.id,
        provider_id=bike.organisation_id,
        borrower_id=borrower.id,
        created_by_id=region.users["jugendwerkstatt"].id,
        status="active",
        start_at=start,
        end_at=start + timedelta(days=2),
        units=1,
        message="Für den Umzug unserer Werkstatt.",
        created_at=start - timedelta(days=4),
        accepted_at=start - timedelta(days=3),
        checked_out_at=start,
        checkout_note="Licht geht, Reifen frisch aufgepumpt.",
        updated_at=start,
    )
    region.bookings.append(booking)
