"""Trust and moderation: saved listings, reports of listings, hidings with their appeal, and the
moderation audit log."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.append_only import append_only
from marketplace.core.clock import utcnow
from marketplace.extensions import db

#: Why someone reports a listing.
REPORT_REASONS = {
    "spam": _l("Spam or advertising"),
    "prohibited": _l("Prohibited item"),
    "misleading": _l("Wrong or misleading"),
    "offensive": _l("Offensive"),
    "other": _l("Something else"),
}
#: open: waits in the queue; dismissed: a coordinator saw nothing wrong; actioned: the listing
#: was hidden because of it (or of another report of the same listing).
REPORT_STATUSES = ("open", "dismissed", "actioned")
#: hidden: off the market; appealed: the organisation asked for a review; upheld: the review
#: kept it hidden (final); restored: back to the status it had before.
HIDING_STATES = ("hidden", "appealed", "upheld", "restored")
ACTIVE_HIDING_STATES = ("hidden", "appealed", "upheld")
#: What the audit log records.
ACTIONS = {
    "reported": _l("Report filed"),
    "hidden": _l("Listing hidden"),
    "dismissed": _l("Reports dismissed"),
    "appealed": _l("Appeal filed"),
    "restored": _l("Listing restored"),
    "upheld": _l("Hiding upheld"),
}


class Favourite(db.Model):
    """A listing a person saved ("Merken")."""

    __tablename__ = "listing_favourites"
    __table_args__ = (UniqueConstraint("user_id", "listing_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    listing = relationship("Listing", lazy="joined")


class ListingReport(db.Model):
    __tablename__ = "listing_reports"
    __table_args__ = (
        #: One open report per person and listing, as a database fact (two tabs cannot race).
        Index(
            "uq_listing_reports_open",
            "listing_id",
            "reporter_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_listing_reports_status_listing", "status", "listing_id"),
        #: The rate limit counts a person's recent reports.
        Index("ix_listing_reports_reporter_created", "reporter_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(20))
    details: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    listing = relationship("Listing")


class ListingHiding(db.Model):
    """A coordinator took a listing off the market; the organisation may appeal once."""

    __tablename__ = "listing_hidings"
    __table_args__ = (
        #: At most one hiding in force per listing.
        Index(
            "uq_listing_hidings_active",
            "listing_id",
            unique=True,
            sqlite_where=text("state IN ('hidden', 'appealed', 'upheld')"),
            postgresql_where=text("state IN ('hidden', 'appealed', 'upheld')"),
        ),
        Index("ix_listing_hidings_state", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"))
    #: Shown to the organisation on the listing page and in the e-mail.
    reason: Mapped[str] = mapped_column(Text)
    #: The listing's status before it was hidden; a restore goes back to it.
    previous_status: Mapped[str] = mapped_column(String(12))
    state: Mapped[str] = mapped_column(String(12), default="hidden")
    hidden_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    hidden_at: Mapped[datetime] = mapped_column(default=utcnow)
    appeal_text: Mapped[str | None] = mapped_column(Text)
    appealed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    appealed_at: Mapped[datetime | None]
    #: The coordinator's note on restoring or upholding, shown to the organisation.
    decision_note: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]

    listing = relationship("Listing")


@append_only
class ModerationEvent(db.Model):
    """The audit log: who did what to which listing, when and why. Rows are only ever added."""

    __tablename__ = "moderation_events"
    __table_args__ = (Index("ix_moderation_events_listing_created", "listing_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(12))
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text, default="")

    actor = relationship("User", lazy="joined")
    listing = relationship("Listing", lazy="joined")
