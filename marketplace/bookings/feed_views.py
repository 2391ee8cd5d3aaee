"""iCal feeds: the public address with its secret token, and the pages where members find and
renew the addresses of their listing's and their organisation's feeds."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.bookings import feeds
from marketplace.bookings.ical import build_calendar
from marketplace.bookings.models import CalendarFeed
from marketplace.bookings.notifications import booking_url
from marketplace.extensions import db
from marketplace.listings.models import Listing
from marketplace.listings.queries import get_listing_for_viewer
from marketplace.orgs.models import Organisation

bp = Blueprint("booking_feeds", __name__)


def feed_address(feed: CalendarFeed | None) -> str | None:
    """The feed's absolute address (to copy into a calendar program)."""
    if feed is None:
        return None
    return url_for("booking_feeds.feed", token=feed.token, _external=True)


@bp.app_template_global("listing_calendar_feed")
def listing_calendar_feed(listing: Listing) -> str | None:
    """For the listing page: the address of its feed when the viewer is a member (else None)."""
    user = current_user if current_user.is_authenticated else None
    return feed_address(feeds.get_listing_feed(user, listing))


def _host() -> str:
    return (current_app.config.get("SERVER_NAME") or request.host).split(":")[0]


def _flash_renewed(existed: bool) -> None:
    if existed:
        flash(_("The calendar has a new address; the old one no longer works."), "success")
    else:
        flash(_("The calendar's address is ready."), "success")


@bp.get("/calendar/<token>.ics")
def feed(token: str):
    calendar_feed = feeds.get_feed_by_token(token)
    if calendar_feed.listing_id is not None:
        name = db.session.get(Listing, calendar_feed.listing_id).title
    else:
        organisation = db.session.get(Organisation, calendar_feed.organisation_id)
        name = _("Bookings of %(org)s", org=organisation.name)
    body = build_calendar(
        name,
        feeds.list_feed_bookings(calendar_feed),
        host=_host(),
        booking_url=booking_url,
        organisation_id=calendar_feed.organisation_id,
    )
    response = current_app.response_class(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    # The address is the secret: no shared cache keeps it, no search engine lists it.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.post("/listings/<int:listing_id>/calendar-feed")
@login_required
def renew_listing_feed(listing_id: int):
    listing = get_listing_for_viewer(listing_id, current_user.organisation_id)
    existed = feeds.get_listing_feed(current_user, listing) is not None
    feeds.renew_listing_feed(current_user, listing)
    _flash_renewed(existed)
    return redirect(url_for("listings.detail", listing_id=listing.id) + "#calendar-feed")


@bp.get("/bookings/calendar")
@login_required
def organisation_feed():
    address = feed_address(feeds.get_organisation_feed(current_user))
    return render_template(
        "bookings/calendar_feed.html", address=address, organisation=current_user.organisation
    )


@bp.post("/bookings/calendar")
@login_required
def renew_organisation_feed():
    existed = feeds.get_organisation_feed(current_user) is not None
    feeds.renew_organisation_feed(current_user)
    _flash_renewed(existed)
    return redirect(url_for(".organisation_feed"))
