"""Exchanges (one hand-over of part of an offer), their message threads, audit trail and read marks."""

from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.clock import local_month, utcnow
from marketplace.extensions import db

EXCHANGE_STATUSES = {
    "proposed": _l("proposed"),
    "accepted": _l("accepted"),
    "declined": _l("declined"),
    "cancelled": _l("cancelled"),
    "completed": _l("completed"),
}
MASS_BASES = {
    "weighed": _l("weighed at hand-over"),
    "estimated": _l("estimated from the quantity"),
    "unknown": _l("unknown"),
}
TRANSPORT_MODES = {"car": _l("car"), "bike": _l("bike or cargo bike"), "foot": _l("on foot")}


class Exchange(db.Model):
    __tablename__ = "exchanges"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        # The inbox and the API list: an organisation's exchanges by side and status, newest first.
        Index("ix_exchanges_provider_status_created", "provider_id", "status", "created_at"),
        Index("ix_exchanges_receiver_status_created", "receiver_id", "status", "created_at"),
        # "Is an accepted exchange still outstanding on this offer?" when closing an offer.
        Index("ix_exchanges_offer_status", "offer_id", "status"),
        # Reports read completed exchanges by completion time.
        Index("ix_exchanges_status_completed", "status", "completed_at"),
        # Reports group completed exchanges by month x category and by offer x provider: these
        # covering indexes hand them over in group order, so the database neither sorts nor
        # reads the table (at 100k exchanges each sort cost SQLite 100-250 ms).
        Index(
            "ix_exchanges_report_month",
            "status",
            "completed_month",
            "category_id",
            "factor_version",
            "completed_at",
            "mass_kg",
            "co2e_avoided_kg",
        ),
        Index(
            "ix_exchanges_report_offer",
            "status",
            "offer_id",
            "provider_id",
            "receiver_id",
            "category_id",
            "completed_at",
            "mass_kg",
            "co2e_avoided_kg",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("listings.id"))
    #: One of the receiver's requests that this exchange answers, if any.
    request_id: Mapped[int | None] = mapped_column(ForeignKey("listings.id"), index=True)
    #: The offer's organisation, copied at proposal so that lists need no join.
    provider_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    receiver_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The offer's category when the exchange was proposed (re-read at completion), for reports.
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    #: Proposed and, once accepted, reserved on the offer; in the offer's unit.
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    unit: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="proposed")

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None]
    declined_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    #: The Europe/Berlin month of completed_at ("YYYY-MM"), kept with it for monthly reports.
    completed_month: Mapped[str | None] = mapped_column(String(7))

    # The reuse record, written once at completion from the factors in force then: later
    # changes of the taxonomy never rewrite these.
    #: What was actually handed over (<= quantity); the rest went back to the offer.
    quantity_completed: Mapped[Decimal | None] = mapped_column(Numeric(14, 3))
    mass_kg: Mapped[Decimal | None] = mapped_column(Numeric(14, 3))
    #: weighed | estimated | unknown; None for space and time, which have no mass.
    mass_basis: Mapped[str | None] = mapped_column(String(10))
    co2e_avoided_kg: Mapped[Decimal | None] = mapped_column(Numeric(14, 3))
    #: kg CO2e avoided per kg reused, with its source, basis and taxonomy version.
    co2e_factor: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))
    factor_source: Mapped[str | None] = mapped_column(String(300))
    factor_basis: Mapped[str | None] = mapped_column(String(30))
    factor_version: Mapped[str | None] = mapped_column(String(20))
    #: Space shared: m2 x days (m2 offers with a date range), hours and days (hour/day units).
    space_m2_days: Mapped[Decimal | None] = mapped_column(Numeric(16, 3))
    space_hours: Mapped[Decimal | None] = mapped_column(Numeric(14, 3))
    space_days: Mapped[Decimal | None] = mapped_column(Numeric(14, 3))
    #: Straight-line distance between the two organisations, and the optional transport deduction,
    #: kept apart from co2e_avoided_kg (never silently subtracted).
    distance_km: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    transport_mode: Mapped[str | None] = mapped_column(String(10))
    transport_co2e_kg: Mapped[Decimal | None] = mapped_column(Numeric(10, 3))
    #: price_eur x quantity handed over; 0 for a free hand-over (a donation in kind).
    value_eur: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))

    #: Activity counter for unread marks: bumped by every transition and message; the side that
    #: acted last is remembered so that one's own activity never counts as unread.
    activity_seq: Mapped[int] = mapped_column(default=0)
    provider_seq: Mapped[int] = mapped_column(default=0)
    receiver_seq: Mapped[int] = mapped_column(default=0)

    offer = relationship("Listing", foreign_keys=[offer_id], lazy="joined")
    request = relationship("Listing", foreign_keys=[request_id])
    provider = relationship("Organisation", foreign_keys=[provider_id], lazy="joined")
    receiver = relationship("Organisation", foreign_keys=[receiver_id], lazy="joined")
    proposed_by = relationship("User", foreign_keys=[proposed_by_id])
    category = relationship("Category")

    @property
    def is_free(self) -> bool:
        return self.offer is not None and not self.offer.price_eur

    @property
    def status_label(self) -> str:
        return str(EXCHANGE_STATUSES.get(self.status, self.status))


class ExchangeMessage(db.Model):
    """One message of the thread between the two organisations."""

    __tablename__ = "exchange_messages"
    __table_args__ = (Index("ix_exchange_messages_exchange_seq", "exchange_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exchange_id: Mapped[int] = mapped_column(ForeignKey("exchanges.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    body: Mapped[str] = mapped_column(Text)
    #: The exchange's activity_seq after this message.
    seq: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author = relationship("User", lazy="joined")
    organisation = relationship("Organisation", lazy="joined")


class ExchangeEvent(db.Model):
    """Audit trail: every transition, who made it for which organisation, and when."""

    __tablename__ = "exchange_events"
    __table_args__ = (Index("ix_exchange_events_exchange_seq", "exchange_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exchange_id: Mapped[int] = mapped_column(ForeignKey("exchanges.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(12))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    seq: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor = relationship("User", lazy="joined")
    actor_organisation = relationship("Organisation", lazy="joined")


class ExchangeReadMark(db.Model):
    """How far a user has read an exchange (its activity_seq when they last opened it)."""

    __tablename__ = "exchange_read_marks"
    __table_args__ = (UniqueConstraint("user_id", "exchange_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    exchange_id: Mapped[int] = mapped_column(
        ForeignKey("exchanges.id", ondelete="CASCADE"), index=True
    )
    seen_seq: Mapped[int] = mapped_column(default=0)
    read_at: Mapped[datetime] = mapped_column(default=utcnow)


@event.listens_for(Exchange.completed_at, "set")
def _keep_completed_month(target: Exchange, value, _old, _initiator) -> None:
    target.completed_month = local_month(value)
