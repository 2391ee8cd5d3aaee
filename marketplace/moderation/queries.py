"""Reads of moderation: a person's saved listings, what the listing page shows, the
coordinators' queue and the audit log."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from marketplace.auth.models import User
from marketplace.core.errors import NotFound
from marketplace.core.pagination import Page, PageRequest
from marketplace.extensions import db
from marketplace.listings.liveness import effective_status
from marketplace.listings.models import OWNER_ONLY_STATUSES, Listing
from marketplace.listings.services import is_member
from marketplace.moderation.models import (
    ACTIONS,
    Favourite,
    ListingHiding,
    ListingReport,
    ModerationEvent,
)
from marketplace.moderation.services import current_hiding, require_moderator

# -- favourites -----------------------------------------------------------------------------------


@dataclass
class SavedListing:
    listing: Listing
    #: False when the listing left the market; its page may then be gone for the viewer too.
    available: bool
    #: The viewer may still open its page (withdrawn and hidden ones only its organisation).
    visible: bool


def list_favourites(user: User, page: PageRequest) -> Page:
    """The user's saved listings, most recently saved first."""
    total = db.session.execute(
        select(func.count(Favourite.id)).where(Favourite.user_id == user.id)
    ).scalar_one()
    listings = (
        db.session.execute(
            select(Listing)
            .join(Favourite, Favourite.listing_id == Listing.id)
            .where(Favourite.user_id == user.id)
            .options(selectinload(Listing.photos))
            .order_by(Favourite.created_at.desc(), Favourite.id.desc())
            .offset(page.offset)
            .limit(page.per_page)
        )
        .unique()
        .scalars()
    )
    items = []
    for listing in listings:
        visible = listing.status not in OWNER_ONLY_STATUSES or is_member(
            user, listing.organisation_id
        )
        items.append(SavedListing(listing, effective_status(listing) == "open", visible))
    return Page(items=items, total=int(total), page=page.page, per_page=page.per_page)


# -- the listing page ----------------------------------------------------------------------------


@dataclass
class ListingModeration:
    """What the listing page shows of moderation for one viewer."""

    signed_in: bool = False
    is_owner: bool = False
    saved: bool = False
    #: The viewer's open report, when they already filed one.
    reported: bool = False
    #: The hiding in force, only for members of the owning organisation.
    hiding: ListingHiding | None = None

    @property
    def can_report(self) -> bool:
        return self.signed_in and not self.is_owner and not self.reported


def listing_moderation(listing: Listing, user) -> ListingModeration:
    if user is None or not getattr(user, "is_authenticated", False):
        return ListingModeration()
    state = ListingModeration(signed_in=True, is_owner=is_member(user, listing.organisation_id))
    state.saved = (
        db.session.execute(
            select(Favourite.id).where(
                Favourite.user_id == user.id, Favourite.listing_id == listing.id
            )
        ).first()
        is not None
    )
    if state.is_owner:
        state.hiding = current_hiding(listing)
    else:
        state.reported = (
            db.session.execute(
                select(ListingReport.id).where(
                    ListingReport.listing_id == listing.id,
                    ListingReport.reporter_id == user.id,
                    ListingReport.status == "open",
                )
            ).first()
            is not None
        )
    return state


# -- the coordinators' queue ----------------------------------------------------------------------


@dataclass
class ReportedListing:
    listing: Listing
    count: int
    latest_at: datetime
    reasons: Counter = field(default_factory=Counter)
    details: list[str] = field(default_factory=list)


def list_reported_listings(coordinator: User, page: PageRequest) -> Page:
    """Open reports grouped by listing, the listing reported most recently first."""
    require_moderator(coordinator)
    open_reports = ListingReport.status == "open"
    total = db.session.execute(
        select(func.count(func.distinct(ListingReport.listing_id))).where(open_reports)
    ).scalar_one()
    groups = db.session.execute(
        select(
            ListingReport.listing_id,
            func.count(ListingReport.id),
            func.max(ListingReport.created_at).label("latest"),
        )
        .where(open_reports)
        .group_by(ListingReport.listing_id)
        .order_by(func.max(ListingReport.created_at).desc(), ListingReport.listing_id.desc())
        .offset(page.offset)
        .limit(page.per_page)
    ).all()
    ids = [listing_id for listing_id, _count, _latest in groups]
    listings = {
        listing.id: listing
        for listing in db.session.execute(select(Listing).where(Listing.id.in_(ids))).scalars()
    }
    items = {
        listing_id: ReportedListing(listings[listing_id], count, latest)
        for listing_id, count, latest in groups
    }
    reports = db.session.execute(
        select(ListingReport)
        .where(open_reports, ListingReport.listing_id.in_(ids))
        .order_by(ListingReport.created_at.desc())
    ).scalars()
    for report in reports:
        item = items[report.listing_id]
        item.reasons[report.reason] += 1
        if report.details:
            item.details.append(report.details)
    return Page(
        items=list(items.values()), total=int(total), page=page.page, per_page=page.per_page
    )


def list_appeals(coordinator: User) -> list[ListingHiding]:
    """Hidings whose organisation appealed, oldest appeal first (it has waited longest)."""
    require_moderator(coordinator)
    return list(
        db.session.execute(
            select(ListingHiding)
            .where(ListingHiding.state == "appealed")
            .options(selectinload(ListingHiding.listing))
            .order_by(ListingHiding.appealed_at, ListingHiding.id)
        ).scalars()
    )


@dataclass
class ModerationCase:
    listing: Listing
    reports: list[ListingReport]
    hiding: ListingHiding | None
    events: list[ModerationEvent]

    @property
    def open_reports(self) -> list[ListingReport]:
        return [report for report in self.reports if report.status == "open"]


def get_case(coordinator: User, listing_id: int) -> ModerationCase:
    """Everything a coordinator needs to decide about one listing, whatever its status."""
    require_moderator(coordinator)
    listing = db.session.get(Listing, listing_id)
    if listing is None:
        raise NotFound()
    reports = list(
        db.session.execute(
            select(ListingReport)
            .where(ListingReport.listing_id == listing_id)
            .order_by(ListingReport.created_at.desc())
            .limit(100)
        ).scalars()
    )
    events = list(
        db.session.execute(
            select(ModerationEvent)
            .where(ModerationEvent.listing_id == listing_id)
            .order_by(ModerationEvent.created_at.desc(), ModerationEvent.id.desc())
            .limit(50)
        ).scalars()
    )
    return ModerationCase(listing, reports, current_hiding(listing), events)


def get_listing_for_moderation(coordinator: User, listing_id: int) -> Listing:
    require_moderator(coordinator)
    listing = db.session.get(Listing, listing_id)
    if listing is None:
        raise NotFound()
    return listing


# -- the audit log -------------------------------------------------------------------------------


def list_events(
    coordinator: User,
    page: PageRequest,
    *,
    listing_id: int | None = None,
    action: str | None = None,
) -> Page:
    """The audit log, newest first; optionally one listing's or one action's entries."""
    require_moderator(coordinator)
    conditions = []
    if listing_id is not None:
        conditions.append(ModerationEvent.listing_id == listing_id)
    if action in ACTIONS:
        conditions.append(ModerationEvent.action == action)
    total = db.session.execute(
        select(func.count(ModerationEvent.id)).where(*conditions)
    ).scalar_one()
    events = list(
        db.session.execute(
            select(ModerationEvent)
            .where(*conditions)
            .order_by(ModerationEvent.created_at.desc(), ModerationEvent.id.desc())
            .offset(page.offset)
            .limit(page.per_page)
        ).scalars()
    )
    return Page(items=events, total=int(total), page=page.page, per_page=page.per_page)
