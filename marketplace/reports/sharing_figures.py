"""Sharing figures: what lend and book offers did, counted apart from hand-overs (pure: neither
Flask nor the database).

What counts (one rule, the same for every page and export):
- a booking of a `lend` offer counts once it is returned (the thing came back);
- a booking of a `book` offer counts once it took place: returned, or accepted/active with its
  end in the past (a room is often not formally checked out and in);
- requested, declined and cancelled bookings never count, nor an active loan not yet back.
A booking counts under the moment it ended: its return when returned, else its booked end, in
the Europe/Berlin month of that moment.

Figures: loans (bookings counted), use-days of equipment (lend: from check-out to return, or the
booked span when one of them is missing, rounded up per started day of 24 hours, x units), hours
of space (book: the booked span x units) and m² x hours (when the offer's unit is m2: quantity /
capacity m² per unit; otherwise hours only), organisations served (distinct borrowers).

No CO2e is claimed for a loan: a loan avoids a purchase only when it displaces one. With a
displacement rate D the optional estimate is D x units x kg per unit x the category's factor
per counted equipment loan (one purchase of the thing avoided per displaced loan); space has none.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0.000")
_THOUSANDTH = Decimal("0.001")


@dataclass(frozen=True)
class BookingRecord:
    """One booking with what its figures need from its offer and category (naive UTC times)."""

    booking_id: int
    mode: str  # "lend" | "book"
    status: str
    start_at: datetime
    end_at: datetime
    checked_out_at: datetime | None
    returned_at: datetime | None
    units: int
    unit: str  # the offer's unit ("piece", "m2", "hour", ...)
    quantity: Decimal
    capacity: int
    category_key: str
    district: str
    borrower_id: int
    provider_id: int
    kg_per_unit: Decimal | None = None
    co2e_factor: Decimal | None = None
    fee_eur: Decimal = Decimal("0")


def took_place(record: BookingRecord, now: datetime) -> bool:
    """Whether the booking counts (see the module's rule)."""
    if record.status == "returned":
        return True
    return (
        record.mode == "book" and record.status in ("accepted", "active") and record.end_at <= now
    )


def ended_at(record: BookingRecord) -> datetime:
    """The moment a counted booking counts under: its return, else its booked end."""
    return record.returned_at or record.end_at


def use_days(record: BookingRecord) -> int:
    """Started days of 24 hours from check-out to return (else the booked span), x units."""
    start = record.checked_out_at or record.start_at
    end = record.returned_at if record.checked_out_at and record.returned_at else record.end_at
    seconds = max((end - start).total_seconds(), 0)
    return max(1, math.ceil(seconds / 86400)) * record.units


def space_hours(record: BookingRecord) -> Decimal:
    """Hours of the booked span x units."""
    seconds = Decimal(int((record.end_at - record.start_at).total_seconds()))
    return (seconds / 3600 * record.units).quantize(_THOUSANDTH, rounding=ROUND_HALF_UP)


def m2_per_unit(record: BookingRecord) -> Decimal | None:
    """m² of one unit when the offer is measured in m2 (quantity / capacity), else None."""
    if record.unit != "m2" or not record.quantity or record.capacity < 1:
        return None
    return Decimal(record.quantity) / record.capacity


def returned_late(record: BookingRecord) -> bool:
    return record.returned_at is not None and record.returned_at > record.end_at


def loan_co2e_estimate(record: BookingRecord, rate: Decimal) -> Decimal:
    """The optional estimate of one equipment loan at displacement rate `rate` (kg CO2e)."""
    if record.mode != "lend" or record.kg_per_unit is None or record.co2e_factor is None:
        return ZERO
    value = rate * record.units * Decimal(record.kg_per_unit) * Decimal(record.co2e_factor)
    return value.quantize(_THOUSANDTH, rounding=ROUND_HALF_UP)


@dataclass
class SharingGroup:
    """The sharing figures of a month, category or district (or of everything)."""

    key: str
    label: str
    loans: int = 0
    equipment_loans: int = 0
    space_bookings: int = 0
    use_days: int = 0
    hours: Decimal = ZERO
    m2_hours: Decimal = ZERO
    returned_late: int = 0
    fees_eur: Decimal = Decimal("0.00")
    borrowers: set[int] = field(default_factory=set, repr=False)
    lenders: set[int] = field(default_factory=set, repr=False)

    @property
    def organisations_served(self) -> int:
        return len(self.borrowers)

    @property
    def lending_organisations(self) -> int:
        return len(self.lenders)

    def add(self, record: BookingRecord) -> None:
        self.loans += 1
        self.borrowers.add(record.borrower_id)
        self.lenders.add(record.provider_id)
        self.fees_eur += Decimal(record.fee_eur or 0)
        if record.mode == "lend":
            self.equipment_loans += 1
            self.use_days += use_days(record)
            self.returned_late += returned_late(record)
        else:
            self.space_bookings += 1
            hours = space_hours(record)
            self.hours += hours
            m2 = m2_per_unit(record)
            if m2 is not None:
                self.m2_hours += (hours * m2).quantize(_THOUSANDTH, rounding=ROUND_HALF_UP)


@dataclass
class SharingFigures:
    """Totals and breakdowns of the bookings that took place in a period."""

    date_from: date | None
    date_to: date | None
    total: SharingGroup = field(default_factory=lambda: SharingGroup("", ""))
    by_month: list[SharingGroup] = field(default_factory=list)
    by_category: list[SharingGroup] = field(default_factory=list)
    by_district: list[SharingGroup] = field(default_factory=list)
    #: Summed per loan at the displacement rate; None when no rate was given.
    co2e_estimate_kg: Decimal | None = None
    displacement: Decimal | None = None
    #: Equipment loans whose offer has no weight or whose category has no factor.
    loans_without_estimate: int = 0


def count_sharing(
    records: Iterable[BookingRecord],
    now: datetime,
    month_of,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    displacement: Decimal | None = None,
) -> SharingFigures:
    """The figures of the records that took place by `now`; month_of(naive UTC) -> "YYYY-MM".
    The records are those the period covers already (the query filters on ended_at)."""
    figures = SharingFigures(date_from, date_to, displacement=displacement)
    months: dict[str, SharingGroup] = {}
    categories: dict[str, SharingGroup] = {}
    districts: dict[str, SharingGroup] = {}
    estimate = ZERO
    for record in records:
        if not took_place(record, now):
            continue
        figures.total.add(record)
        month = month_of(ended_at(record))
        months.setdefault(month, SharingGroup(month, month)).add(record)
        categories.setdefault(record.category_key, SharingGroup(record.category_key, "")).add(
            record
        )
        districts.setdefault(record.district, SharingGroup(record.district, "")).add(record)
        if displacement is not None and record.mode == "lend":
            if record.kg_per_unit is None or record.co2e_factor is None:
                figures.loans_without_estimate += 1
            estimate += loan_co2e_estimate(record, displacement)
    figures.by_month = [months[key] for key in sorted(months)]
    figures.by_category = _by_loans(categories.values())
    figures.by_district = _by_loans(districts.values())
    if displacement is not None:
        figures.co2e_estimate_kg = estimate
    return figures


def _by_loans(groups) -> list[SharingGroup]:
    return sorted(groups, key=lambda g: (-g.loans, -g.use_days, -g.hours, g.key))
