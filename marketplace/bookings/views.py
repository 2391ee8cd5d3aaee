"""Web pages: a booking with its actions, and "my bookings"."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from marketplace.bookings import queries, workflow

bp = Blueprint("bookings", __name__)


@bp.get("/bookings/<int:booking_id>")
@login_required
def detail(booking_id: int):
    booking = queries.get_booking_for_user(booking_id, current_user)
    role = queries.role_of(current_user, booking)
    return render_template(
        "bookings/detail.html",
        booking=booking,
        role=role,
        actions=workflow.allowed_actions(booking.status, role),
    )
