"""Matching's own records: pairs an organisation is not interested in, alerts about new listings,
saved searches and each person's e-mail choice for alerts."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.clock import utcnow
from marketplace.extensions import db

EMAIL_CHOICES = {
    "instant": _l("Right away, one e-mail per match"),
    "daily": _l("Once a day, a summary"),
    "off": _l("No e-mails (only here)"),
}
DEFAULT_EMAIL_CHOICE = "daily"


class MatchDismissal(db.Model):
    """'Not interested': the organisation never wants to see this pair again (either way round)."""

    __tablename__ = "match_dismissals"
    __table_args__ = (
        UniqueConstraint("organisation_id", "listing_id", "candidate_id"),
        Index("ix_match_dismissals_listing_id", "listing_id"),
        Index("ix_match_dismissals_candidate_id", "candidate_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    #: The organisation's own listing, or the listing an alert was about when no own listing was.
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SavedSearch(db.Model):
    """A search of the browse page kept by a person; with alerts on, new listings that it finds
    are announced to the person's organisation."""

    __tablename__ = "saved_searches"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    q: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str | None] = mapped_column(String(10))
    category: Mapped[str | None] = mapped_column(String(60))
    #: A postcode; with radius_km (default 25) only listings that near count.
    near: Mapped[str | None] = mapped_column(String(5))
    radius_km: Mapped[float | None]
    alerts: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def args(self) -> dict[str, str]:
        """The browse page's query arguments for this search."""
        out = {k: getattr(self, k) for k in ("q", "kind", "category", "near") if getattr(self, k)}
        if self.near and self.radius_km:
            out["radius_km"] = f"{self.radius_km:g}"
        return out


class MatchAlert(db.Model):
    """A new listing that answers an organisation's open listing or saved search: told once."""

    __tablename__ = "match_alerts"
    __table_args__ = (
        UniqueConstraint("organisation_id", "listing_id"),
        Index("ix_match_alerts_organisation_id_created_at", "organisation_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    #: The new listing the organisation is told about.
    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), index=True
    )
    #: The organisation's open listing it matches best (None: found by a saved search only).
    own_listing_id: Mapped[int | None] = mapped_column(
        ForeignKey("listings.id", ondelete="SET NULL")
    )
    saved_search_id: Mapped[int | None] = mapped_column(
        ForeignKey("saved_searches.id", ondelete="SET NULL")
    )
    score: Mapped[float | None]
    #: Structured reasons [[code, {name: value}], ...], put into words in the reader's language.
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime | None]
    dismissed_at: Mapped[datetime | None]

    listing = relationship("Listing", foreign_keys=[listing_id], lazy="joined")
    own_listing = relationship("Listing", foreign_keys=[own_listing_id])
    saved_search = relationship("SavedSearch")


class MatchAlertSettings(db.Model):
    """How a person wants to hear of alerts by e-mail (no row: the default, daily)."""

    __tablename__ = "match_alert_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[str] = mapped_column(String(10), default=DEFAULT_EMAIL_CHOICE)
    #: Alerts created up to this moment have been mailed (digest or instantly) or were not due.
    mailed_until: Mapped[datetime | None]
