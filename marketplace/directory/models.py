"""What an organisation does for the region (its functions A-H) and its further sites."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.clock import utcnow
from marketplace.extensions import db

NOTE_MAX = 500
SITE_NAME_MAX = 120


class OrganisationFunction(db.Model):
    """An organisation's claim to take one function for the region, with a note on how."""

    __tablename__ = "organisation_functions"
    __table_args__ = (
        UniqueConstraint("organisation_id", "code"),
        #: The gaps matrix and the map's function filter group and filter by code.
        Index("ix_organisation_functions_code_org", "code", "organisation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    #: A to H (data/functions.json).
    code: Mapped[str] = mapped_column(String(1))
    note: Mapped[str] = mapped_column(String(NOTE_MAX), default="")
    #: Set when a coordinator confirmed the claim; cleared when the claim's note changes.
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def verified(self) -> bool:
        return self.verified_at is not None


class OrganisationSite(db.Model):
    """A further place of an organisation (a second house, another floor, a branch); the first
    place is the organisation's own postcode."""

    __tablename__ = "organisation_sites"
    __table_args__ = (
        #: As ix_organisations_map, for the further sites.
        Index("ix_organisation_sites_map", "lat", "lon", "organisation_id", "district", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(SITE_NAME_MAX))
    postcode: Mapped[str] = mapped_column(String(5))
    district: Mapped[str | None] = mapped_column(String(120), index=True)
    lat: Mapped[float]
    lon: Mapped[float]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation = relationship("Organisation")


class MapVersion(db.Model):
    """One row whose token changes with every committed write the map shows (directory/
    map_version.py): each worker keeps the map's points in memory until the token moves."""

    __tablename__ = "map_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Random, not a counter: a rolled-back write's token never comes back for other rows.
    token: Mapped[str] = mapped_column(String(32))
