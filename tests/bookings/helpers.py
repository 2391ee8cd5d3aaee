"""Builders shared by the booking tests: a lending organisation with a lend/book offer, and a
borrowing one."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from marketplace.auth.models import User
from marketplace.bookings.models import BookingRules
from marketplace.bookings.spans import BERLIN, to_utc
from marketplace.core.clock import utcnow
from marketplace.extensions import db
from marketplace.listings.models import Listing
from tests import factories


@dataclass
class Sharing:
    provider: User
    borrower: User
    offer: Listing


def sharing(mode="lend", capacity=1, category="tools", rules: dict | None = None, **offer_kw):
    """A repair café lending `capacity` identical things, and a youth workshop that borrows."""
    lender = factories.organisation(name="Repair-Café Connewitz", postcode="04277")
    borrower_org = factories.organisation(
        name="Jugendwerkstatt Grünau", kind="association", postcode="04209"
    )
    provider = factories.user(organisation=lender, name="Lena Leiherin", locale="de")
    borrower = factories.user(organisation=borrower_org, name="Ben Borger", locale="en")
    offer = factories.listing(
        organisation=lender,
        title="Akkuschrauber Makita",
        quantity=Decimal(capacity),
        unit="piece",
        category=factories.category(category),
        mode=mode,
        capacity=capacity,
        **offer_kw,
    )
    if rules:
        db.session.add(BookingRules(listing_id=offer.id, **rules))
        db.session.commit()
    return Sharing(provider, borrower, offer)


def days_ahead(days: int, hour: int = 10) -> datetime:
    """Naive UTC of `hour` o'clock Berlin time, `days` days from now."""
    moment = (datetime.now(BERLIN) + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )
    return to_utc(moment)


def iso(moment: datetime) -> str:
    """A stored (naive UTC) time as ISO 8601 with its offset, as API clients send it."""
    return moment.replace(tzinfo=BERLIN.__class__("UTC")).isoformat()


def recently(minutes: int = 1) -> datetime:
    return utcnow() - timedelta(minutes=minutes)


def built(app, **kw) -> Sharing:
    """`sharing(**kw)` in an app context of its own, its rows detached and loaded (for web and
    API tests, whose requests must not share the test's session)."""
    with app.app_context():
        result = sharing(**kw)
        for obj in (result.provider, result.borrower, result.offer):
            db.session.refresh(obj)
        db.session.expunge_all()
        db.session.remove()
    return result


def booked(app, s: Sharing, start: datetime, end: datetime, status="accepted", units=1, **kw):
    """A booking of the offer by the borrower, stored directly in `status`; returns its id."""
    from marketplace.bookings.models import Booking

    with app.app_context():
        booking = Booking(
            listing_id=s.offer.id,
            provider_id=s.offer.organisation_id,
            borrower_id=s.borrower.organisation_id,
            created_by_id=s.borrower.id,
            status=status,
            start_at=start,
            end_at=end,
            units=units,
            message="Bitte an Ben Borger übergeben",
            **kw,
        )
        db.session.add(booking)
        db.session.commit()
        booking_id = booking.id
        db.session.remove()
    return booking_id
