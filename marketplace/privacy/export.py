"""Everything stored about a person and their organisation, as records (GDPR Art. 15 and 20).
The API's schemas turn them into JSON, for GET /api/v1/me/export and the profile's download."""

from sqlalchemy import or_, select

from marketplace.auth.models import User
from marketplace.bookings.models import Booking
from marketplace.directory.queries import get_organisation_entry
from marketplace.exchanges.models import Exchange, ExchangeMessage
from marketplace.extensions import db
from marketplace.ledger.queries import transfers_of_organisation
from marketplace.listings.models import Listing


def collect_personal_data(user: User) -> dict:
    """The person, their organisation and its listings, exchanges, bookings and transfers, and
    the messages the person wrote (empty lists where there are none)."""
    org_id = user.organisation_id
    return {
        "user": user,
        "organisation": get_organisation_entry(org_id),
        "listings": db.session.scalars(
            select(Listing).where(Listing.organisation_id == org_id).order_by(Listing.id)
        ).all(),
        "exchanges": db.session.scalars(
            select(Exchange)
            .where(or_(Exchange.provider_id == org_id, Exchange.receiver_id == org_id))
            .order_by(Exchange.id)
        ).all(),
        "bookings": db.session.scalars(
            select(Booking)
            .where(or_(Booking.provider_id == org_id, Booking.borrower_id == org_id))
            .order_by(Booking.id)
        ).all(),
        "messages": db.session.scalars(
            select(ExchangeMessage)
            .where(ExchangeMessage.author_id == user.id)
            .order_by(ExchangeMessage.id)
        ).all(),
        "transfers": transfers_of_organisation(org_id),
    }
