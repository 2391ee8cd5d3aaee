"""Organisations and invitations to join them."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.clock import utcnow
from marketplace.extensions import db

ORGANISATION_KINDS = {
    "business": _l("Business"),
    "project_centre": _l("Project centre"),
    "social_enterprise": _l("Social enterprise"),
    "association": _l("Association"),
    "public_body": _l("Public body"),
    "initiative": _l("Initiative"),
}


class Organisation(db.Model):
    __tablename__ = "organisations"
    __table_args__ = (
        #: The map counts and clusters a viewport's main places from this index alone, in
        #: (lat, lon) order; kind and district are the filters that concern a place.
        Index("ix_organisations_map", "lat", "lon", "kind", "district", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    postcode: Mapped[str] = mapped_column(String(5))
    district: Mapped[str | None] = mapped_column(String(120))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    description: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(String(300))
    #: Generated name of the re-encoded logo under UPLOAD_DIR (directory.logos), or None.
    logo_filename: Mapped[str | None] = mapped_column(String(64))
    #: A street address the organisation chose to show on its profile and listings; without it,
    #: places are shown only as the postcode's area, never exactly.
    public_address: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members = relationship("User", back_populates="organisation", lazy="select")

    @property
    def kind_label(self) -> str:
        return str(ORGANISATION_KINDS.get(self.kind, self.kind))


class Invitation(db.Model):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()
