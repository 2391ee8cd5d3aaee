"""Reads for the site-wide pages: the home page's figures and latest listings, organisation profiles."""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from marketplace.auth.models import User
from marketplace.core.errors import NotFound
from marketplace.extensions import db
from marketplace.listings.expiry import effective_status_is
from marketplace.listings.models import Listing
from marketplace.listings.queries import latest_listings, list_organisation_listings
from marketplace.orgs.models import Organisation

#: How many listings of each kind the home page shows.
HOME_LISTINGS = 6


@dataclass(frozen=True)
class Figure:
    """A headline number with its label and, where useful, where it leads."""

    value: int | str
    label: str
    url_kind: str | None = None  # listings.browse?kind=... when set


@dataclass
class HomePage:
    figures: list[Figure]
    offers: list[Listing]
    requests: list[Listing]


@dataclass
class OrganisationProfile:
    organisation: Organisation
    member_count: int
    website: str | None
    offers: list[Listing] = field(default_factory=list)
    requests: list[Listing] = field(default_factory=list)


def count_open_listings_by_kind() -> dict[str, int]:
    rows = db.session.execute(
        select(Listing.kind, func.count(Listing.id))
        .where(effective_status_is("open"))
        .group_by(Listing.kind)
    ).all()
    counts = {"offer": 0, "request": 0}
    counts.update({kind: int(n) for kind, n in rows})
    return counts


def count_organisations() -> int:
    return int(db.session.execute(select(func.count(Organisation.id))).scalar_one())


def get_home_page() -> HomePage:
    """Everything the home page shows, in a fixed number of queries whatever the data."""
    counts = count_open_listings_by_kind()
    figures = [
        Figure(counts["offer"], _l("open offers"), "offer"),
        Figure(counts["request"], _l("open requests"), "request"),
        Figure(count_organisations(), _l("participating organisations")),
        # Reports add "kg reused" here once completed exchanges are counted.
    ]
    return HomePage(
        figures=figures,
        offers=latest_listings("offer", HOME_LISTINGS),
        requests=latest_listings("request", HOME_LISTINGS),
    )


def safe_website(url: str | None) -> str | None:
    """The address only when it is an absolute http(s) URL (no javascript:, data: or relative links)."""
    if not url:
        return None
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        return None
    return url


def get_organisation_profile(org_id: int) -> OrganisationProfile:
    """The public profile of an organisation; NotFound for an unknown id."""
    organisation = db.session.get(Organisation, org_id)
    if organisation is None:
        raise NotFound()
    member_count = db.session.execute(
        select(func.count(User.id)).where(User.organisation_id == org_id, User.active.is_(True))
    ).scalar_one()
    listings = list_organisation_listings(org_id, ["open"])
    return OrganisationProfile(
        organisation=organisation,
        member_count=int(member_count),
        website=safe_website(organisation.website),
        offers=[item for item in listings if item.kind == "offer"],
        requests=[item for item in listings if item.kind == "request"],
    )
