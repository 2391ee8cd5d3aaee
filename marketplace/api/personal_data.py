"""API v1: everything stored about the caller, as JSON (GDPR Art. 15 and 20; contract:
shared/api-v1.md, "Accounts"). The caller's own organisation's records come in the shapes the
rest of the API answers with; messages are those the person wrote."""

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from marketplace.api.accounts import UserOutput
from marketplace.api.auth import api_user, token_required
from marketplace.api.bookings import BookingSchema
from marketplace.api.exchanges import ExchangeSchema
from marketplace.api.ledger import TransferSchema
from marketplace.api.listings import AwareDateTime, ListingSchema
from marketplace.api.organisations import OrganisationSchema
from marketplace.api.schemas import ErrorOutput
from marketplace.privacy.export import collect_personal_data

blp = Blueprint("api_personal_data", __name__, description="personal data")


class ExportUserSchema(UserOutput):
    created_at = AwareDateTime()


class MessageSchema(Schema):
    id = fields.Integer()
    exchange_id = fields.Integer()
    body = fields.String()
    created_at = AwareDateTime()


class PersonalDataSchema(Schema):
    user = fields.Nested(ExportUserSchema)
    organisation = fields.Nested(OrganisationSchema)
    listings = fields.List(fields.Nested(ListingSchema))
    exchanges = fields.List(fields.Nested(ExchangeSchema))
    bookings = fields.List(fields.Nested(BookingSchema))
    messages = fields.List(fields.Nested(MessageSchema))
    transfers = fields.List(fields.Nested(TransferSchema))


@blp.route("/me/export")
@token_required
@blp.response(200, PersonalDataSchema)
@blp.alt_response(401, schema=ErrorOutput, description="No valid bearer token.")
@blp.doc(security=[{"bearerAuth": []}])
def export_me():
    """Everything stored about the caller and their organisation (empty lists where none)."""
    return collect_personal_data(api_user())
