"""API v1: bookings and availability (contract: shared/api-v1.md, "Lending and booking")."""

from datetime import datetime

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields
from marshmallow.validate import Length, OneOf, Range

from marketplace.api.auth import api_user, token_required
from marketplace.api.categories import Number
from marketplace.api.listings import AwareDateTime, OrganisationRefSchema
from marketplace.api.schemas import ErrorOutput, InputSchema
from marketplace.bookings import services
from marketplace.bookings.models import BOOKING_STATUSES, NOTE_MAX, Booking
from marketplace.bookings.queries import (
    availability,
    get_booking_for_user,
    list_bookings_of_organisation,
    parse_day_range,
)
from marketplace.bookings.spans import FIRST_YEAR, LAST_YEAR, OutOfCalendar, local_to_utc
from marketplace.bookings.workflow import ROLES
from marketplace.core.errors import NotFound
from marketplace.core.pagination import MAX_PER_PAGE, PageRequest
from marketplace.core.unit_of_work import read_back_writes
from marketplace.extensions import db
from marketplace.ledger.services import get_currency
from marketplace.listings.models import OWNER_ONLY_STATUSES, Listing
from marketplace.listings.queries import get_listing_for_viewer

blp = Blueprint("api_bookings", __name__, description="bookings")

_BEARER = [{"bearerAuth": []}]
_NO_TOKEN = "No valid bearer token."  # noqa: S105 - a description, not a secret
_UNKNOWN = "Unknown booking, or the caller's organisation is not a party (coordinators see all)."


class LocalDateTime(fields.DateTime):
    """ISO 8601; a time without an offset is taken as Europe/Berlin. Loaded as naive UTC."""

    def _deserialize(self, value, attr, data, **kwargs):
        moment: datetime = super()._deserialize(value, attr, data, **kwargs)
        try:
            return local_to_utc(moment)
        except OutOfCalendar:
            raise ValidationError(f"Must lie between {FIRST_YEAR} and {LAST_YEAR}.") from None


class BookingSchema(Schema):
    id = fields.Integer()
    listing_id = fields.Integer()
    status = fields.String(metadata={"enum": list(BOOKING_STATUSES)})
    start = AwareDateTime(attribute="start_at")
    end = AwareDateTime(attribute="end_at")
    units = fields.Integer()
    provider = fields.Nested(OrganisationRefSchema)
    borrower = fields.Nested(OrganisationRefSchema)
    created_at = AwareDateTime()
    accepted_at = AwareDateTime(allow_none=True)
    checked_out_at = AwareDateTime(allow_none=True)
    returned_at = AwareDateTime(allow_none=True)
    overdue = fields.Boolean()
    # Beyond the contract's minimum.
    declined_at = AwareDateTime(allow_none=True)
    cancelled_at = AwareDateTime(allow_none=True)
    message = fields.String()
    checkout_note = fields.String(allow_none=True)
    return_note = fields.String(allow_none=True)
    damage_note = fields.String(allow_none=True)
    extension_end = AwareDateTime(attribute="extension_end_at", allow_none=True)
    fee_eur = Number()
    deposit_eur = Number()
    fee_local = Number(metadata={"description": "Only once a local currency is set up."})
    deposit_local = Number(metadata={"description": "Only once a local currency is set up."})
    url = fields.Function(
        lambda booking: url_for("bookings.detail", booking_id=booking.id, _external=True),
        metadata={"type": "string", "format": "uri"},
    )

    def get_attribute(self, obj, attr, default):
        if attr in ("fee_local", "deposit_local") and get_currency() is None:
            return default  # nothing of the currency shows until it is set up
        return super().get_attribute(obj, attr, default)


class BookingPageSchema(Schema):
    items = fields.List(fields.Nested(BookingSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class BookingQuerySchema(Schema):
    role = fields.String(validate=OneOf(list(ROLES)))
    status = fields.String(validate=OneOf(list(BOOKING_STATUSES)))
    page = fields.Integer(load_default=1, validate=Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=20, validate=Range(min=1, max=MAX_PER_PAGE))


class BookingRequestSchema(InputSchema):
    listing_id = fields.Integer(required=True, strict=True)
    start = LocalDateTime(required=True)
    end = LocalDateTime(required=True)
    units = fields.Integer(load_default=1, strict=True)
    message = fields.String(allow_none=True, validate=Length(max=NOTE_MAX))


class BookingNoteSchema(InputSchema):
    note = fields.String(allow_none=True, validate=Length(max=NOTE_MAX))
    damage = fields.String(
        allow_none=True, validate=Length(max=NOTE_MAX), metadata={"description": "On return."}
    )


class ExtensionSchema(InputSchema):
    end = LocalDateTime(required=True)


class AvailabilityQuerySchema(Schema):
    # Read as text and checked by the same parser as the web page (422 with a field message).
    from_ = fields.String(data_key="from", metadata={"description": "Date; default today."})
    to = fields.String(metadata={"description": "Date; default 30 days after from."})


class DaySchema(Schema):
    date = fields.Date()
    free_units = fields.Integer()


class HeldSchema(Schema):
    start = AwareDateTime()
    end = AwareDateTime()
    units = fields.Integer()


class DayList(fields.List):
    """(date, free units) pairs dumped as DaySchema would, by a plain loop: a year of days through
    marshmallow's per-field machinery cost more than the query that found them."""

    def __init__(self, **kwargs):
        super().__init__(fields.Nested(DaySchema), **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return [{"date": day.isoformat(), "free_units": int(free)} for day, free in value]


class AvailabilitySchema(Schema):
    capacity = fields.Integer()
    days = DayList()
    booked = fields.List(fields.Nested(HeldSchema))


def _reloaded(booking_id: int) -> Booking:
    """The booking as the request's commit will store it."""
    read_back_writes()
    # One SELECT: a plain get of the expired object and a refresh read the row twice.
    return db.session.get(Booking, booking_id, populate_existing=True)


@blp.route("/listings/<int:listing_id>/availability")
@blp.arguments(AvailabilityQuerySchema, location="query")
@blp.response(200, AvailabilitySchema)
@blp.alt_response(404, schema=ErrorOutput, description="Unknown listing.")
@blp.alt_response(422, schema=ErrorOutput, description="Malformed dates, or more than 366 days.")
def listing_availability(args, listing_id: int):
    """Units free per day and the spans accepted and active bookings hold (no names)."""
    user = api_user()
    listing = get_listing_for_viewer(listing_id, user.organisation_id if user else None)
    first, last = parse_day_range(args.get("from_"), args.get("to"))
    found = availability(listing, first, last)
    return {
        "capacity": found.capacity,
        "days": found.days,
        "booked": [{"start": s.start, "end": s.end, "units": s.units} for s in found.booked],
    }


@blp.route("/bookings")
class Bookings(MethodView):
    @token_required
    @blp.arguments(BookingQuerySchema, location="query")
    @blp.response(200, BookingPageSchema)
    @blp.alt_response(401, schema=ErrorOutput, description=_NO_TOKEN)
    @blp.doc(security=_BEARER)
    def get(self, args):
        """The caller's organisation's bookings, as provider and borrower, latest start first."""
        page = list_bookings_of_organisation(
            api_user().organisation_id,
            PageRequest(page=args["page"], per_page=args["per_page"]),
            role=args.get("role"),
            status=args.get("status"),
        )
        return {
            "items": page.items,
            "total": page.total,
            "page": page.page,
            "per_page": page.per_page,
        }

    @token_required
    @blp.arguments(BookingRequestSchema)
    @blp.response(201, BookingSchema)
    @blp.alt_response(401, schema=ErrorOutput, description=_NO_TOKEN)
    @blp.alt_response(404, schema=ErrorOutput, description="Unknown listing.")
    @blp.alt_response(409, schema=ErrorOutput, description="Not open, or not in mode lend/book.")
    @blp.alt_response(
        422,
        schema=ErrorOutput,
        description="End not after start, start in the past, more units than the capacity, "
        "the offer's rules (length, lead time, opening hours), or the caller's own offer.",
    )
    @blp.doc(security=_BEARER)
    def post(self, data):
        """Ask to borrow or book units of another organisation's offer for a time span."""
        user = api_user()
        listing = db.session.get(Listing, data["listing_id"])
        if listing is None or (
            listing.status in OWNER_ONLY_STATUSES
            and listing.organisation_id != user.organisation_id
        ):
            raise NotFound()
        booking = services.request_booking(
            user,
            listing,
            data["start"],
            data["end"],
            data["units"],
            message=data.get("message"),
        )
        return _reloaded(booking.id)


@blp.route("/bookings/<int:booking_id>")
@token_required
@blp.response(200, BookingSchema)
@blp.alt_response(401, schema=ErrorOutput, description=_NO_TOKEN)
@blp.alt_response(404, schema=ErrorOutput, description=_UNKNOWN)
@blp.doc(security=_BEARER)
def booking_by_id(booking_id: int):
    """One booking, for either party and for coordinators."""
    return get_booking_for_user(booking_id, api_user())


def _transition_doc(conflict: str, forbidden: str):
    def decorate(view):
        view = blp.alt_response(401, schema=ErrorOutput, description=_NO_TOKEN)(view)
        view = blp.alt_response(403, schema=ErrorOutput, description=forbidden)(view)
        view = blp.alt_response(404, schema=ErrorOutput, description=_UNKNOWN)(view)
        view = blp.alt_response(409, schema=ErrorOutput, description=conflict)(view)
        view = blp.alt_response(422, schema=ErrorOutput, description="Invalid fields.")(view)
        return blp.doc(security=_BEARER)(view)

    return decorate


def _transition(booking_id: int, apply) -> Booking:
    user = api_user()
    apply(user, get_booking_for_user(booking_id, user))
    return _reloaded(booking_id)


@blp.route("/bookings/<int:booking_id>/accept", methods=["POST"])
@token_required
@blp.response(200, BookingSchema)
@_transition_doc(
    "Not requested any more, or the units are not free for the span.", "Provider only."
)
def accept(booking_id: int):
    """Accept a booking request (provider). The body may be empty."""
    return _transition(booking_id, services.accept_booking)


@blp.route("/bookings/<int:booking_id>/decline", methods=["POST"])
@token_required
@blp.arguments(BookingNoteSchema, required=False)
@blp.response(200, BookingSchema)
@_transition_doc("Not requested any more.", "Provider only.")
def decline(data, booking_id: int):
    """Decline a booking request (provider), with an optional note."""
    return _transition(
        booking_id, lambda user, booking: services.decline_booking(user, booking, data.get("note"))
    )


@blp.route("/bookings/<int:booking_id>/cancel", methods=["POST"])
@token_required
@blp.arguments(BookingNoteSchema, required=False)
@blp.response(200, BookingSchema)
@_transition_doc("Already checked out, returned, declined or cancelled.", "Parties only.")
def cancel(data, booking_id: int):
    """Cancel before check-out (either party); the units are free again."""
    return _transition(
        booking_id, lambda user, booking: services.cancel_booking(user, booking, data.get("note"))
    )


@blp.route("/bookings/<int:booking_id>/checkout", methods=["POST"])
@token_required
@blp.arguments(BookingNoteSchema, required=False)
@blp.response(200, BookingSchema)
@_transition_doc("Not accepted.", "Provider only.")
def checkout(data, booking_id: int):
    """Hand out (provider), with an optional note on the condition."""
    return _transition(
        booking_id,
        lambda user, booking: services.check_out_booking(user, booking, data.get("note")),
    )


@blp.route("/bookings/<int:booking_id>/return", methods=["POST"])
@token_required
@blp.arguments(BookingNoteSchema, required=False)
@blp.response(200, BookingSchema)
@_transition_doc("Not checked out.", "Provider only.")
def return_(data, booking_id: int):
    """Take back (provider), with optional notes on the condition and on damage."""
    return _transition(
        booking_id,
        lambda user, booking: services.return_booking(
            user, booking, data.get("note"), data.get("damage")
        ),
    )


@blp.route("/bookings/<int:booking_id>/extension", methods=["POST"])
@token_required
@blp.arguments(ExtensionSchema)
@blp.response(200, BookingSchema)
@_transition_doc("Not accepted or checked out.", "Borrower only.")
def extend(data, booking_id: int):
    """Ask for a later end (borrower); the provider accepts or declines."""
    return _transition(
        booking_id, lambda user, booking: services.request_extension(user, booking, data["end"])
    )


@blp.route("/bookings/<int:booking_id>/extension/accept", methods=["POST"])
@token_required
@blp.response(200, BookingSchema)
@_transition_doc("No extension asked for, or the units are not free until then.", "Provider only.")
def accept_extension(booking_id: int):
    """Accept the later end (provider) when the units are free until then."""
    return _transition(
        booking_id, lambda user, booking: services.answer_extension(user, booking, True)
    )


@blp.route("/bookings/<int:booking_id>/extension/decline", methods=["POST"])
@token_required
@blp.response(200, BookingSchema)
@_transition_doc("No extension asked for.", "Provider only.")
def decline_extension(booking_id: int):
    """Keep the end as it was (provider)."""
    return _transition(
        booking_id, lambda user, booking: services.answer_extension(user, booking, False)
    )
