"""What a listing change must respect: the bookings it already holds (a listing change check,
marketplace.listings.validation.add_change_check)."""

from datetime import timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.bookings.queries import held_spans
from marketplace.bookings.spans import peak_units
from marketplace.core.clock import utcnow
from marketplace.extensions import db
from marketplace.listings.models import Listing

#: Far enough ahead to cover every booking (none lasts or lies further than this).
HORIZON = timedelta(days=20 * 366)


def check_listing_change(listing: Listing, values: dict[str, Any]) -> dict[str, list[str]]:
    """Refuse a capacity below the peak of units that future accepted and active bookings hold,
    and `give` while such bookings exist."""
    capacity = values.get("capacity", listing.capacity)
    mode = values.get("mode", listing.mode)
    if not listing.is_shared or (capacity >= listing.capacity and mode != "give"):
        return {}
    # The listing's row lock serialises this with acceptances (bookings.services._lock_listing).
    db.session.execute(select(Listing.id).where(Listing.id == listing.id).with_for_update())
    now = utcnow()
    held = held_spans(listing.id, now, now + HORIZON, now=now)
    if not held:
        return {}
    if mode == "give":
        return {
            "mode": [
                _(
                    "This offer still has accepted or checked-out bookings; "
                    "it can be given away once they are over or cancelled."
                )
            ]
        }
    peak = peak_units(held, now, max(span.end for span in held))
    if capacity < peak:
        return {
            "capacity": [
                _(
                    "Bookings already hold %(n)d at the same time; the number cannot be less.",
                    n=peak,
                )
            ]
        }
    return {}
