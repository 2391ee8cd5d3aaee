"""Bookings of lend/book offers (a span of time, some units of the capacity), the rules an offer
sets for them, and the secret addresses of calendar feeds."""

from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.clock import utcnow
from marketplace.extensions import db

BOOKING_STATUSES = {
    "requested": _l("requested"),
    "accepted": _l("accepted"),
    "declined": _l("declined"),
    "cancelled": _l("cancelled"),
    "active": _l("checked out"),
    "returned": _l("returned"),
}
#: Bookings that hold units of the capacity for their span.
HOLDING_STATUSES = ("accepted", "active")
FEE_BASES = {"booking": _l("per booking"), "day": _l("per day"), "hour": _l("per hour")}
NOTE_MAX = 2000


class Booking(db.Model):
    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("units > 0", name="units_positive"),
        CheckConstraint("end_at > start_at", name="span_positive"),
        # The overlap check and the calendar read a listing's holding bookings by span.
        Index("ix_bookings_listing_status_span", "listing_id", "status", "start_at", "end_at"),
        Index("ix_bookings_provider_status_start", "provider_id", "status", "start_at"),
        Index("ix_bookings_borrower_status_start", "borrower_id", "status", "start_at"),
        # The sweep finds reminders and overdue loans by status and time.
        Index("ix_bookings_status_end", "status", "end_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"))
    provider_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    borrower_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default="requested")
    #: Naive UTC, like every stored time; shown in Europe/Berlin.
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    units: Mapped[int] = mapped_column(default=1)
    message: Mapped[str] = mapped_column(Text, default="")
    #: The borrower's own request this booking answers, if any.
    request_id: Mapped[int | None] = mapped_column(ForeignKey("listings.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    accepted_at: Mapped[datetime | None]
    declined_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    checked_out_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]
    #: Why it was declined or cancelled, when someone said.
    reason: Mapped[str | None] = mapped_column(Text)
    checkout_note: Mapped[str | None] = mapped_column(Text)
    #: A photo of the condition at check-out (re-encoded like listing photos, under UPLOAD_DIR).
    checkout_photo: Mapped[str | None] = mapped_column(String(64))
    return_note: Mapped[str | None] = mapped_column(Text)
    damage_note: Mapped[str | None] = mapped_column(Text)
    #: A later end the borrower asked for; the provider accepts it if the units are free.
    extension_end_at: Mapped[datetime | None]
    #: Set once by whichever sweep sent the notice (a conditional UPDATE), so nobody gets two.
    pickup_reminded_at: Mapped[datetime | None]
    return_reminded_at: Mapped[datetime | None]
    overdue_notified_at: Mapped[datetime | None]
    fee_eur: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0"))
    deposit_eur: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0"))
    #: In the region's own currency (ledger): the fee is paid on acceptance, the deposit on
    #: check-out and paid back on return.
    fee_local: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0"))
    deposit_local: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0"))

    listing = relationship("Listing", foreign_keys=[listing_id], lazy="joined")
    provider = relationship("Organisation", foreign_keys=[provider_id], lazy="joined")
    borrower = relationship("Organisation", foreign_keys=[borrower_id], lazy="joined")

    @property
    def overdue(self) -> bool:
        return self.status == "active" and self.end_at < utcnow()

    @property
    def hours(self) -> Decimal:
        return Decimal((self.end_at - self.start_at).total_seconds()) / Decimal(3600)


class BookingRules(db.Model):
    """What a lend/book offer allows; every rule is optional."""

    __tablename__ = "booking_rules"

    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True
    )
    min_minutes: Mapped[int | None]
    max_minutes: Mapped[int | None]
    #: How long before the start a booking must be asked for.
    lead_minutes: Mapped[int | None]
    #: Kept free before and after each booking (cleaning a room, checking a tool).
    buffer_minutes: Mapped[int | None]
    #: {"0": [["09:00", "18:00"]], ...}: Monday is "0"; a weekday left out is closed. None: always.
    opening_hours: Mapped[dict | None] = mapped_column(JSON)
    #: ["2026-12-24", ...]: days on which nothing is picked up or returned.
    closed_dates: Mapped[list | None] = mapped_column(JSON)
    deposit_eur: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0"))
    fee_eur: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0"))
    fee_per: Mapped[str] = mapped_column(String(8), default="booking")
    deposit_local: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0"))
    fee_local: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CalendarFeed(db.Model):
    """The secret address of an iCal feed: of one listing, or of an organisation's bookings."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (
        CheckConstraint("(listing_id IS NULL) <> (organisation_id IS NULL)", name="one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int | None] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), unique=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), unique=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
