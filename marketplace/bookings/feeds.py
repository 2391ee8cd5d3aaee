"""The secret addresses of iCal feeds (a listing's bookings, an organisation's bookings) and the
bookings each feed holds. Services only flush; the caller commits."""

import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from marketplace.auth.models import User
from marketplace.bookings.models import Booking, CalendarFeed
from marketplace.core.clock import utcnow
from marketplace.core.errors import Conflict, NotFound, PermissionDenied
from marketplace.extensions import db
from marketplace.listings.models import Listing

#: Statuses in a listing's feed (the provider's view of what the thing does).
LISTING_FEED_STATUSES = ("accepted", "active", "returned", "cancelled")
#: An organisation's feed also shows requests still awaiting an answer (as TENTATIVE).
ORGANISATION_FEED_STATUSES = (*LISTING_FEED_STATUSES, "requested")
#: Bookings that ended longer ago than this are left out (a feed must not grow for ever).
FEED_HISTORY = timedelta(days=366)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def _is_member(user: User | None, organisation_id: int) -> bool:
    return (
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.organisation_id == organisation_id
    )


def get_feed_by_token(token: str) -> CalendarFeed:
    """The feed with this secret address; NotFound for an unknown or replaced one."""
    feed = db.session.execute(
        select(CalendarFeed).where(CalendarFeed.token == token)
    ).scalar_one_or_none()
    if feed is None:
        raise NotFound()
    return feed


def get_listing_feed(user: User | None, listing: Listing) -> CalendarFeed | None:
    """The listing's feed for a member of its organisation (None: none yet, or not a member)."""
    if not _is_member(user, listing.organisation_id):
        return None
    return db.session.execute(
        select(CalendarFeed).where(CalendarFeed.listing_id == listing.id)
    ).scalar_one_or_none()


def get_organisation_feed(user: User) -> CalendarFeed | None:
    """The user's organisation's feed, if it was created."""
    return db.session.execute(
        select(CalendarFeed).where(CalendarFeed.organisation_id == user.organisation_id)
    ).scalar_one_or_none()


def _renew(feed: CalendarFeed | None, **owner) -> CalendarFeed:
    if feed is None:
        try:
            with db.session.begin_nested():
                feed = CalendarFeed(token=new_token(), **owner)
                db.session.add(feed)
            return feed
        except IntegrityError:
            # Someone else created it meanwhile: replace theirs instead.
            feed = db.session.execute(select(CalendarFeed).filter_by(**owner)).scalar_one()
    # The old address stops working with the commit: nobody keeps it.
    feed.token = new_token()
    feed.created_at = utcnow()
    db.session.flush()
    return feed


def renew_listing_feed(user: User, listing: Listing) -> CalendarFeed:
    """Create the listing's feed address, or replace it with a new one (members only)."""
    if not _is_member(user, listing.organisation_id):
        raise PermissionDenied(_("Only members of the organisation that posted it can do this."))
    if listing.kind != "offer" or not listing.is_shared:
        raise Conflict(_("Only offers that are lent or booked have a calendar."))
    locked = db.session.execute(
        select(CalendarFeed).where(CalendarFeed.listing_id == listing.id).with_for_update()
    ).scalar_one_or_none()
    return _renew(locked, listing_id=listing.id)


def renew_organisation_feed(user: User) -> CalendarFeed:
    """Create the user's organisation's feed address, or replace it with a new one."""
    locked = db.session.execute(
        select(CalendarFeed)
        .where(CalendarFeed.organisation_id == user.organisation_id)
        .with_for_update()
    ).scalar_one_or_none()
    return _renew(locked, organisation_id=user.organisation_id)


def list_feed_bookings(feed: CalendarFeed) -> list[Booking]:
    """The bookings a feed holds, the earliest start first."""
    if feed.listing_id is not None:
        condition = Booking.listing_id == feed.listing_id
        statuses = LISTING_FEED_STATUSES
    else:
        condition = or_(
            Booking.provider_id == feed.organisation_id,
            Booking.borrower_id == feed.organisation_id,
        )
        statuses = ORGANISATION_FEED_STATUSES
    return list(
        db.session.execute(
            select(Booking)
            .where(
                condition,
                Booking.status.in_(statuses),
                Booking.end_at >= utcnow() - FEED_HISTORY,
            )
            .order_by(Booking.start_at, Booking.id)
        )
        .unique()
        .scalars()
    )
