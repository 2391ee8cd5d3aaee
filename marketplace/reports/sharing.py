"""Reads the sharing figures (bookings of lend and book offers) for a set of report filters: the
same period, category, district, organisation and kind filters as the hand-over figures, applied
to the booking's offer, provider and borrower. The rule of what counts is in sharing_figures."""

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, literal, or_, select
from sqlalchemy.orm import aliased

from marketplace.bookings.models import Booking
from marketplace.categories.models import Category
from marketplace.categories.queries import list_categories
from marketplace.core.clock import local_month, utcnow
from marketplace.core.i18n import current_language
from marketplace.extensions import db
from marketplace.listings.mass import mass_sql
from marketplace.listings.models import Listing
from marketplace.orgs.models import Organisation
from marketplace.reports.filters import ReportFilters, utc_bounds
from marketplace.reports.labels import district_label
from marketplace.reports.scope import category_ids, period_months
from marketplace.reports.sharing_figures import (
    BookingRecord,
    SharingFigures,
    SharingGroup,
    count_sharing,
)

#: Statuses that can count; the rest (requested, declined, cancelled) never do.
COUNTED_STATUSES = ("returned", "accepted", "active")

_Offer = aliased(Listing, name="shared_offer")
_Provider = aliased(Organisation, name="lender")


def summarise_sharing(
    filters: ReportFilters, *, displacement: Decimal | None = None, now: datetime | None = None
) -> SharingFigures:
    """The sharing figures of the bookings the filters cover (one query; aggregated in Python,
    where the Decimal rounding per booking is the same on every database)."""
    now = now or utcnow()
    records = list_booking_records(filters, now)
    figures = count_sharing(
        records,
        now,
        local_month,
        date_from=filters.date_from,
        date_to=filters.date_to,
        displacement=displacement,
    )
    _label(figures, filters)
    return figures


def list_booking_records(filters: ReportFilters, now: datetime) -> list[BookingRecord]:
    """The bookings that may count under the filters, as records (those that did not take place
    by `now` are dropped by count_sharing)."""
    ended = func.coalesce(Booking.returned_at, Booking.end_at)
    start, end = utc_bounds(filters)
    conditions = [Booking.status.in_(COUNTED_STATUSES), ended <= now]
    if start is not None:
        conditions.append(ended >= start)
    if end is not None:
        conditions.append(ended < end)
    ids = category_ids(filters.category)
    if ids is not None:
        conditions.append(_Offer.category_id.in_(ids))
    if filters.district:
        conditions.append(_Offer.district == filters.district)
    org = filters.organisation_id
    if org is not None:
        if filters.side == "given":
            conditions.append(Booking.provider_id == org)
        elif filters.side == "received":
            conditions.append(Booking.borrower_id == org)
        else:
            conditions.append(or_(Booking.provider_id == org, Booking.borrower_id == org))
    stmt = (
        select(
            Booking.id,
            _Offer.mode,
            Booking.status,
            Booking.start_at,
            Booking.end_at,
            Booking.checked_out_at,
            Booking.returned_at,
            Booking.units,
            _Offer.unit,
            _Offer.quantity,
            _Offer.capacity,
            Category.slug,
            func.coalesce(_Offer.district, "").label("district"),
            Booking.borrower_id,
            Booking.provider_id,
            # The mass of one unit lent, by the one rule (kg and t, space has none).
            mass_sql(literal(1), _Offer, Category).label("kg_per_unit"),
            Category.co2e_factor,
            Booking.fee_eur,
        )
        .select_from(Booking)
        .join(_Offer, _Offer.id == Booking.listing_id)
        .join(Category, Category.id == _Offer.category_id)
        .where(_Offer.mode.in_(("lend", "book")), *conditions)
    )
    if filters.organisation_kind:
        stmt = stmt.join(_Provider, _Provider.id == Booking.provider_id).where(
            _Provider.kind == filters.organisation_kind
        )
    return [BookingRecord(*row) for row in db.session.execute(stmt)]


def _label(figures: SharingFigures, filters: ReportFilters) -> None:
    """Category names in the current language, district labels, and the period's empty months."""
    language = current_language()
    names = {c.slug: c.name(language) for c in list_categories()}
    for group in figures.by_category:
        group.label = names.get(group.key, group.key or "-")
    for group in figures.by_district:
        group.label = district_label(group.key)
    present = {group.key: group for group in figures.by_month}
    figures.by_month = [
        present.get(month) or SharingGroup(month, month)
        for month in period_months(filters, set(present))
    ]


def organisation_sharing(filters: ReportFilters, org_id: int) -> tuple[SharingFigures, ...]:
    """An organisation's sharing, kept apart: lent out (provider) and borrowed (borrower)."""
    return tuple(
        summarise_sharing(replace(filters, organisation_id=org_id, side=side))
        for side in ("given", "received")
    )
