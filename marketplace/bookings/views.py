"""Web pages: the month view and booking form on a lend/book offer's page, a booking with its
actions, and "my bookings"."""

from babel.dates import get_day_names
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.bookings import checkout_photos, queries, services, workflow
from marketplace.bookings.calendar import MonthGrid, listing_month
from marketplace.bookings.forms import BookingForm, local_input_value, parse_local
from marketplace.bookings.models import BOOKING_STATUSES
from marketplace.bookings.spans import UTC, local
from marketplace.core.errors import DomainError, ValidationFailed, raise_access_errors
from marketplace.core.forms import copy_errors
from marketplace.core.pagination import PageRequest
from marketplace.extensions import db
from marketplace.listings.detail_page import listing_head
from marketplace.listings.liveness import effective_status
from marketplace.listings.queries import get_listing_for_viewer

bp = Blueprint("bookings", __name__)


@bp.app_template_global("booking_calendar")
def booking_calendar(listing) -> MonthGrid | None:
    """For the listing page: the month view (`?month=YYYY-MM`) of a lend/book offer."""
    if listing.kind != "offer" or not listing.is_shared:
        return None
    return listing_month(listing, request.args.get("month"))


@bp.app_template_global("can_book_listing")
def can_book_listing(listing, user) -> bool:
    """An open lend/book offer of another organisation than the signed-in user's."""
    return (
        listing.kind == "offer"
        and listing.is_shared
        and user.is_authenticated
        and user.organisation_id != listing.organisation_id
        and effective_status(listing) == "open"
    )


@bp.app_template_global("new_booking_form")
def new_booking_form() -> BookingForm:
    return BookingForm(formdata=None)


@bp.app_template_global("booking_status_label")
def booking_status_label(status: str) -> str:
    return str(BOOKING_STATUSES.get(status, status))


bp.add_app_template_global(queries.next_step, "booking_next_step")


@bp.app_template_filter("local_input")
def local_input(value) -> str:
    return local_input_value(value)


@bp.app_template_filter("local_moment")
def local_moment(value) -> str:
    """A stored (naive UTC) time as local date and 24-hour clock: "7 Dec 2026, 14:00" (the clock
    as on the calendar, in both languages)."""
    if value is None:
        return ""
    return f"{format_date(value.replace(tzinfo=UTC), 'medium')}, {local(value):%H:%M}"


@bp.app_template_filter("local_span")
def local_span(start, end) -> str:
    """A stored span in local time: "7 Dec 2026, 14:00–18:00" within one day."""
    if local(start).date() == local(end).date():
        return f"{local_moment(start)}–{local(end):%H:%M}"
    return f"{local_moment(start)} – {local_moment(end)}"


@bp.app_template_filter("month_title")
def month_title(first) -> str:
    return format_date(first, "LLLL yyyy")


@bp.app_template_global("weekday_names")
def weekday_names() -> list[tuple[str, str]]:
    """(abbreviated, full) names of the weekdays, Monday first, in the page's language."""
    locale = get_locale()
    short, full = get_day_names("abbreviated", locale=locale), get_day_names("wide", locale=locale)
    return [(short[day], full[day]) for day in range(7)]


@bp.post("/listings/<int:listing_id>/bookings")
@login_required
def request_booking(listing_id: int):
    listing = get_listing_for_viewer(listing_id, current_user.organisation_id)
    form = BookingForm()
    if form.validate():
        try:
            start, end = form.span_utc()
            booking = services.request_booking(
                current_user,
                listing,
                start,
                end,
                form.units.data,
                message=form.message.data,
                only_if_free=True,
            )
            db.session.flush()  # the booking's id, for the redirect
            flash(_("Your booking request was sent. You will hear back by e-mail."), "success")
            return redirect(url_for(".detail", booking_id=booking.id))
        except ValidationFailed as error:
            db.session.rollback()
            copy_errors(form, error.fields)
            for message in form.form_errors:  # not about a field of the form (own offer)
                flash(message, "error")
        except DomainError as error:
            db.session.rollback()
            raise_access_errors(error)
            flash(error.message, "error")
            return redirect(url_for("listings.detail", listing_id=listing_id))
    listing = get_listing_for_viewer(listing_id, current_user.organisation_id)
    html = render_template(
        "listings/detail.html",
        head=listing_head(listing),
        listing=listing,
        is_owner=False,
        booking_form=form,
    )
    return html, 422


@bp.get("/bookings")
@login_required
def index():
    status = request.args.get("status") if request.args.get("status") in BOOKING_STATUSES else None
    role = request.args.get("role") if request.args.get("role") in workflow.ROLES else None
    page = queries.list_bookings_of_organisation(
        current_user.organisation_id, PageRequest.from_args(request.args), role=role, status=status
    )
    return render_template(
        "bookings/index.html", page=page, status=status, role=role, statuses=BOOKING_STATUSES
    )


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
        statuses=BOOKING_STATUSES,
    )


@bp.get("/bookings/<int:booking_id>/photo")
@login_required
def checkout_photo(booking_id: int):
    booking = queries.get_booking_for_user(booking_id, current_user)
    path = checkout_photos.checkout_photo_path(booking, small=request.args.get("size") == "small")
    if path is None:
        abort(404)
    response = send_file(path, mimetype="image/jpeg", max_age=3600)
    response.cache_control.private = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _act(booking_id: int, action, done: str):
    """Run one service for the signed-in user; a refusal becomes a flash message."""
    booking = queries.get_booking_for_user(booking_id, current_user)
    try:
        action(booking, request.form)
        flash(done, "success")
    except DomainError as error:
        db.session.rollback()
        raise_access_errors(error)
        flash(error.message, "error")
    return redirect(url_for(".detail", booking_id=booking_id))


@bp.post("/bookings/<int:booking_id>/accept")
@login_required
def accept(booking_id: int):
    return _act(
        booking_id,
        lambda b, _form: services.accept_booking(current_user, b),
        _("Accepted: the time is booked for the borrower."),
    )


@bp.post("/bookings/<int:booking_id>/decline")
@login_required
def decline(booking_id: int):
    return _act(
        booking_id,
        lambda b, form: services.decline_booking(current_user, b, form.get("note")),
        _("The booking request was declined."),
    )


@bp.post("/bookings/<int:booking_id>/cancel")
@login_required
def cancel(booking_id: int):
    return _act(
        booking_id,
        lambda b, form: services.cancel_booking(current_user, b, form.get("note")),
        _("The booking was cancelled; the time is free again."),
    )


@bp.post("/bookings/<int:booking_id>/checkout")
@login_required
def checkout(booking_id: int):
    return _act(
        booking_id,
        lambda b, form: checkout_photos.check_out_with_photo(
            current_user, b, form.get("note"), request.files.get("photo")
        ),
        _("Checked out: the borrower has it now."),
    )


@bp.post("/bookings/<int:booking_id>/return")
@login_required
def return_(booking_id: int):
    return _act(
        booking_id,
        lambda b, form: services.return_booking(
            current_user, b, form.get("note"), form.get("damage")
        ),
        _("Returned: thank you for sharing."),
    )


@bp.post("/bookings/<int:booking_id>/extend")
@login_required
def extend(booking_id: int):
    return _act(
        booking_id,
        lambda b, form: services.request_extension(
            current_user, b, parse_local(form.get("end"), "end")
        ),
        _("Your request for a later end was sent to the provider."),
    )


@bp.post("/bookings/<int:booking_id>/extension")
@login_required
def answer_extension(booking_id: int):
    accept_it = request.form.get("answer") == "accept"
    return _act(
        booking_id,
        lambda b, _form: services.answer_extension(current_user, b, accept_it),
        _("The booking now lasts longer.") if accept_it else _("The later end was declined."),
    )
