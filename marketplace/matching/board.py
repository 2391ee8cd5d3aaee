"""Reads for the coordinators' match board: open requests with their best candidates, requests
nothing can answer yet, and offers about to expire unclaimed (the value about to be lost).

A fixed number of queries whatever the page shows, plus find_matches for each request shown.
"""

import re
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from marketplace.auth.access import require_coordinator
from marketplace.categories.models import Category
from marketplace.categories.queries import category_ids_with_descendants, get_category_by_slug
from marketplace.core.clock import today
from marketplace.core.pagination import Page, PageRequest
from marketplace.extensions import db
from marketplace.listings.liveness import open_with_quantity_left
from marketplace.listings.mass import mass_of
from marketplace.listings.models import Listing
from marketplace.matching.allocation_data import exchanges_table
from marketplace.matching.queries import Match, find_matches

REQUESTS_PER_PAGE = 20
CANDIDATES_PER_REQUEST = 3
EXPIRY_DAY_CHOICES = (7, 14, 30, 60)
DEFAULT_EXPIRY_DAYS = 14
UNMATCHED_SHOWN = 50
EXPIRING_SHOWN = 200
_SLUG = re.compile(r"^[a-z0-9-]{1,60}$")


@dataclass(frozen=True)
class BoardFilters:
    district: str | None = None
    category: Category | None = None
    days: int = DEFAULT_EXPIRY_DAYS

    @property
    def category_ids(self) -> list[int] | None:
        return category_ids_with_descendants(self.category) if self.category else None


@dataclass(frozen=True)
class ExpiringOffer:
    listing: Listing
    mass_kg: Decimal | None
    co2e_kg: Decimal | None


@dataclass
class Board:
    requests: Page
    candidates: dict[int, list[Match]]
    unmatched: list[Listing]
    unmatched_total: int
    expiring: list[ExpiringOffer]
    expiring_total: int
    at_stake_kg: Decimal = Decimal(0)
    at_stake_co2e: Decimal = Decimal(0)
    districts: list[str] = field(default_factory=list)


def list_districts() -> list[str]:
    """Districts of the open listings, for the filter."""
    rows = db.session.execute(
        select(Listing.district)
        .where(Listing.status == "open", Listing.district.is_not(None))
        .distinct()
    ).scalars()
    return sorted({d for d in rows if d})


def parse_board_filters(args, districts: list[str]) -> BoardFilters:
    """Lenient: anything not understood is left out (an unknown district or slug, odd days)."""
    district = args.get("district") or None
    slug = args.get("category") or ""
    category = get_category_by_slug(slug) if _SLUG.match(slug) else None
    try:
        days = int(args.get("days", DEFAULT_EXPIRY_DAYS))
    except (TypeError, ValueError):
        days = DEFAULT_EXPIRY_DAYS
    return BoardFilters(
        district=district if district in districts else None,
        category=category,
        days=days if days in EXPIRY_DAY_CHOICES else DEFAULT_EXPIRY_DAYS,
    )


def _filtered(statement, filters: BoardFilters, category_ids):
    if filters.district:
        statement = statement.where(Listing.district == filters.district)
    if category_ids:
        statement = statement.where(Listing.category_id.in_(category_ids))
    return statement


def page_open_requests(filters: BoardFilters, page: PageRequest, category_ids=None) -> Page:
    """Open requests, newest first."""
    condition = _filtered(
        select(Listing.id).where(Listing.kind == "request", open_with_quantity_left(today())),
        filters,
        category_ids,
    )
    total = db.session.execute(select(func.count()).select_from(condition.subquery())).scalar_one()
    items = list(
        db.session.execute(
            select(Listing)
            .where(Listing.id.in_(condition.scalar_subquery()))
            .order_by(Listing.created_at.desc(), Listing.id.desc())
            .offset(page.offset)
            .limit(page.per_page)
        )
        .unique()
        .scalars()
    )
    return Page(items=items, total=int(total), page=page.page, per_page=page.per_page)


def list_unmatched_requests(filters: BoardFilters, category_ids=None) -> tuple[list[Listing], int]:
    """Open requests without an open offer of another organisation in the same category or the
    same parent category, and without any proposal or exchange yet."""
    on = today()
    own_category, offer, offer_category = aliased(Category), aliased(Listing), aliased(Category)
    family = func.coalesce(own_category.parent_id, own_category.id)
    answerable = (
        select(offer.id)
        .join(offer_category, offer_category.id == offer.category_id)
        .where(
            offer.kind == "offer",
            open_with_quantity_left(on, offer),
            offer.organisation_id != Listing.organisation_id,
            func.coalesce(offer_category.parent_id, offer_category.id) == family,
        )
    )
    ex = exchanges_table.c
    answered = select(ex.request_id).where(
        ex.request_id == Listing.id, ex.status.in_(("proposed", "accepted", "completed"))
    )
    ids = _filtered(
        select(Listing.id)
        .join(own_category, own_category.id == Listing.category_id)
        .where(
            Listing.kind == "request",
            open_with_quantity_left(on),
            ~exists(answerable),
            ~exists(answered),
        ),
        filters,
        category_ids,
    ).subquery()
    total = db.session.execute(select(func.count()).select_from(ids)).scalar_one()
    items = list(
        db.session.execute(
            select(Listing)
            .where(Listing.id.in_(select(ids.c.id)))
            .order_by(Listing.created_at, Listing.id)
            .limit(UNMATCHED_SHOWN)
        )
        .unique()
        .scalars()
    )
    return items, int(total)


def list_expiring_offers(filters: BoardFilters, category_ids=None) -> list[ExpiringOffer]:
    """Open offers whose date ends within `filters.days`, nothing accepted or handed over yet,
    with the mass and CO2e still at stake (soonest first)."""
    on = today()
    ex = exchanges_table.c
    claimed = select(ex.offer_id).where(
        ex.offer_id == Listing.id, ex.status.in_(("accepted", "completed"))
    )
    statement = _filtered(
        select(Listing)
        .where(
            Listing.kind == "offer",
            open_with_quantity_left(on),
            Listing.available_until.is_not(None),
            Listing.available_until <= on + timedelta(days=filters.days),
            ~exists(claimed),
        )
        .order_by(Listing.available_until, Listing.id),
        filters,
        category_ids,
    )
    return [_at_stake(listing) for listing in db.session.execute(statement).unique().scalars()]


def _at_stake(listing: Listing) -> ExpiringOffer:
    category = listing.category
    mass = mass_of(listing, listing.quantity_remaining)
    co2e = (
        mass * category.co2e_factor
        if mass is not None and category.co2e_factor is not None
        else None
    )
    return ExpiringOffer(listing, mass, co2e)


def check_coordinator(user) -> None:
    """The board and the allocation show every organisation's listings: coordinators only."""
    require_coordinator(user, _("Only coordinators can see the match board."))


def load_board(viewer, filters: BoardFilters, page: PageRequest, districts: list[str]) -> Board:
    """Everything the board shows, for a coordinator (who sees every organisation);
    PermissionDenied for anyone else."""
    check_coordinator(viewer)
    category_ids = filters.category_ids
    requests = page_open_requests(filters, page, category_ids)
    candidates = {
        listing.id: find_matches(listing, limit=CANDIDATES_PER_REQUEST)
        for listing in requests.items
    }
    unmatched, unmatched_total = list_unmatched_requests(filters, category_ids)
    expiring = list_expiring_offers(filters, category_ids)
    return Board(
        requests=requests,
        candidates=candidates,
        unmatched=unmatched,
        unmatched_total=unmatched_total,
        expiring=expiring[:EXPIRING_SHOWN],
        expiring_total=len(expiring),
        at_stake_kg=sum((e.mass_kg for e in expiring if e.mass_kg is not None), Decimal(0)),
        at_stake_co2e=sum((e.co2e_kg for e in expiring if e.co2e_kg is not None), Decimal(0)),
        districts=districts,
    )
