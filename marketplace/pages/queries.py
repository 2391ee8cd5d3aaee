"""Reads for the site-wide pages: the home page's figures and latest listings, organisation
profiles, the organisation directory."""

from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from marketplace.auth.models import User
from marketplace.core.errors import NotFound
from marketplace.core.pagination import Page, PageRequest
from marketplace.directory.queries import OrganisationDetails, load_details
from marketplace.exchanges.models import Exchange
from marketplace.extensions import db
from marketplace.listings.liveness import effective_status_is
from marketplace.listings.models import Listing
from marketplace.listings.queries import latest_listings, list_organisation_listings
from marketplace.orgs.models import ORGANISATION_KINDS, Organisation
from marketplace.search import SearchQueryError, search_organisations

#: How many listings of each kind the home page shows.
HOME_LISTINGS = 6


@dataclass(frozen=True)
class Figure:
    """A headline number with its label and, where useful, where it leads."""

    value: int | Decimal | str
    label: str
    url_kind: str | None = None  # listings.browse?kind=... when set
    #: An endpoint explaining the figure (e.g. where its factors come from), when set.
    url_endpoint: str | None = None
    #: An estimate (kg, kg CO2e): shown at the precision its evidence carries ("≈ 1.300").
    estimate: bool = False


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
    details: OrganisationDetails = field(default_factory=OrganisationDetails)

    @property
    def is_meeting_place(self) -> bool:
        return "G" in self.details.codes

    @property
    def spaces(self) -> list[Listing]:
        """Open offers of space: what a meeting place (function G) lets others use."""
        return [o for o in self.offers if o.category.resource_type == "space"]


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


def sum_reuse() -> tuple[Decimal, Decimal]:
    """kg reused and kg CO2e avoided by all completed exchanges (one aggregate query)."""
    mass, co2e = db.session.execute(
        select(
            func.coalesce(func.sum(Exchange.mass_kg), 0),
            func.coalesce(func.sum(Exchange.co2e_avoided_kg), 0),
        ).where(Exchange.status == "completed")
    ).one()
    return Decimal(str(mass)), Decimal(str(co2e))


def get_home_page() -> HomePage:
    """Everything the home page shows, in a fixed number of queries whatever the data."""
    counts = count_open_listings_by_kind()
    mass, co2e = sum_reuse()
    figures = [
        Figure(counts["offer"], _l("open offers"), "offer"),
        Figure(counts["request"], _l("open requests"), "request"),
        Figure(count_organisations(), _l("participating organisations")),
        Figure(mass, _l("kg reused"), url_endpoint="categories.index", estimate=True),
        Figure(co2e, _l("kg CO2e avoided"), url_endpoint="categories.index", estimate=True),
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
        details=load_details([org_id])[org_id],
    )


@dataclass
class Directory:
    """The organisation directory: one page of organisations and the choices of its filters."""

    page: Page
    q: str
    kind: str | None
    district: str | None
    kinds: list[tuple[str, str]]
    districts: list[str]
    error: str | None = None


def list_districts() -> list[str]:
    rows = db.session.execute(
        select(Organisation.district)
        .where(Organisation.district.is_not(None), Organisation.district != "")
        .distinct()
        .order_by(Organisation.district)
    ).scalars()
    return list(rows)


def get_directory(
    q: str | None, kind: str | None, district: str | None, request: PageRequest
) -> Directory:
    """Organisations matching the search box and filters (search index: relevance with q, by
    name without); unknown filter values are ignored rather than failing the page."""
    q = (q or "").strip()
    kind = kind if kind in ORGANISATION_KINDS else None
    district = (district or "").strip() or None
    error = None
    try:
        result = search_organisations(
            q, kind=kind, district=district, page=request.page, per_page=request.per_page
        )
        ids, total = result.ids, result.total
    except SearchQueryError as exc:
        ids, total, error = [], 0, str(exc.message)
    found = {
        o.id: o for o in db.session.scalars(select(Organisation).where(Organisation.id.in_(ids)))
    }
    items = [found[i] for i in ids if i in found]
    return Directory(
        page=Page(items=items, total=total, page=request.page, per_page=request.per_page),
        q=q,
        kind=kind,
        district=district,
        kinds=[(key, str(label)) for key, label in ORGANISATION_KINDS.items()],
        districts=list_districts(),
        error=error,
    )
