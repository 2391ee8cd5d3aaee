"""Offers and requests, and their photos."""

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.clock import utcnow
from marketplace.extensions import db

KINDS = {"offer": _l("Offer"), "request": _l("Request")}
CONDITIONS = {
    "new": _l("new"),
    "good": _l("good"),
    "used": _l("used"),
    "for_parts": _l("for parts"),
}
STATUSES = {
    "open": _l("open"),
    "reserved": _l("reserved"),
    "closed": _l("closed"),
    "expired": _l("expired"),
    "withdrawn": _l("withdrawn"),
}
#: Statuses in which a listing is still live and may be edited, expired or withdrawn.
LIVE_STATUSES = ("open", "reserved")
#: Set by a coordinator (moderation) and undone only by one; not a filter value of the API.
HIDDEN = "hidden"
#: Statuses in which only the organisation that posted a listing sees it; others get a 404.
OWNER_ONLY_STATUSES = ("withdrawn", HIDDEN)
#: What happens to the thing: it changes hands for good, it is lent and comes back, or it is
#: used for a time span (a room by the hour). On a request: what the requester asks for.
MODES = {"give": _l("give away"), "lend": _l("lend"), "book": _l("book for a time")}
#: Modes whose offers are booked by time span instead of being used up.
SHARED_MODES = ("lend", "book")
CAPACITY_MAX = 1000


class Listing(db.Model):
    __tablename__ = "listings"
    __table_args__ = (
        Index("ix_listings_status_kind_created", "status", "kind", "created_at"),
        #: Also counts an organisation's open offers and requests without reading the table.
        Index("ix_listings_org_status", "organisation_id", "status", "kind", "available_until"),
        #: The search index's drift check reads what changed since its watermark.
        Index("ix_listings_updated_at", "updated_at"),
        #: The map counts and picks a viewport's open listings from this index alone, and each
        #: worker reads its points (directory/points.py) from it in one pass.
        Index(
            "ix_listings_map",
            "status",
            "kind",
            "lat",
            "lon",
            "available_until",
            "category_id",
            "organisation_id",
            "created_at",
            "district",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    #: quantity minus what accepted and completed exchanges took; changed only by conditional
    #: UPDATEs so that concurrent acceptances can never over-allocate.
    quantity_remaining: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    unit: Mapped[str] = mapped_column(String(10))
    kg_per_unit: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    condition: Mapped[str | None] = mapped_column(String(20))
    #: 0 means free of charge.
    price_eur: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0"))
    #: Per unit in the region's own currency (ledger); None when not priced in it.
    price_local: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    postcode: Mapped[str] = mapped_column(String(5))
    district: Mapped[str | None] = mapped_column(String(120))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    available_until: Mapped[date | None] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(12), default="open")
    mode: Mapped[str] = mapped_column(String(4), default="give", server_default="give")
    #: Identical units a lend/book offer has; a booking takes some of them for its span only.
    capacity: Mapped[int] = mapped_column(default=1, server_default="1")
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    #: When the listing left the market (withdrawn or expired), for value-lost reporting.
    ended_at: Mapped[datetime | None]

    category = relationship("Category", lazy="joined")
    organisation = relationship("Organisation", lazy="joined")
    photos: Mapped[list["Photo"]] = relationship(
        back_populates="listing", order_by="Photo.position", cascade="all, delete-orphan"
    )

    @property
    def is_free(self) -> bool:
        return not self.price_eur

    @property
    def is_shared(self) -> bool:
        """Lent or booked by time span rather than given away."""
        return self.mode in SHARED_MODES


class Photo(db.Model):
    __tablename__ = "photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: Generated name of the re-encoded JPEG under UPLOAD_DIR; never the uploader's file name.
    filename: Mapped[str] = mapped_column(String(64), unique=True)
    width: Mapped[int]
    height: Mapped[int]
    size_bytes: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)
    alt_text: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    listing: Mapped[Listing] = relationship(back_populates="photos")
