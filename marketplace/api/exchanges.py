"""API v1: exchanges (contract: shared/api-v1.md, "Exchanges"); the web pages' services and queries."""

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from marshmallow.validate import Length, OneOf, Range

from marketplace.api.auth import api_user, token_required
from marketplace.api.categories import Number
from marketplace.api.listings import AwareDateTime, OrganisationRefSchema
from marketplace.api.schemas import ErrorOutput, InputSchema
from marketplace.core.pagination import MAX_PER_PAGE, PageRequest
from marketplace.core.unit_of_work import read_back_writes
from marketplace.exchanges import services
from marketplace.exchanges.models import EXCHANGE_STATUSES, MASS_BASES, TRANSPORT_MODES, Exchange
from marketplace.exchanges.queries import (
    get_exchange_for_user,
    get_offer_by_id,
    get_request_for_proposal,
    list_exchanges_of_organisation,
)
from marketplace.exchanges.services import MAX_MESSAGE_LENGTH
from marketplace.exchanges.workflow import ROLES
from marketplace.extensions import db

blp = Blueprint("api_exchanges", __name__, description="exchanges")

_BEARER = [{"bearerAuth": []}]
_NO_TOKEN = "No valid bearer token."  # noqa: S105 - a description, not a secret
_UNKNOWN = "Unknown exchange, or the caller's organisation is not a party (coordinators see all)."


# -- schemas -------------------------------------------------------------------------------------


class ExchangeSchema(Schema):
    id = fields.Integer()
    status = fields.String(metadata={"enum": list(EXCHANGE_STATUSES)})
    offer_id = fields.Integer()
    request_id = fields.Integer(allow_none=True)
    quantity = Number(metadata={"description": "Proposed (and, once accepted, reserved)."})
    unit = fields.String()
    provider = fields.Nested(OrganisationRefSchema)
    receiver = fields.Nested(OrganisationRefSchema)
    created_at = AwareDateTime()
    accepted_at = AwareDateTime(allow_none=True)
    completed_at = AwareDateTime(allow_none=True)
    mass_kg = Number(allow_none=True, metadata={"description": "Null until completed, or unknown."})
    co2e_avoided_kg = Number(
        allow_none=True, metadata={"description": "mass_kg x the category factor at completion."}
    )
    factor_source = fields.String(allow_none=True)
    # Fields beyond the contract's minimum.
    declined_at = AwareDateTime(allow_none=True)
    cancelled_at = AwareDateTime(allow_none=True)
    message = fields.String()
    quantity_completed = Number(allow_none=True, metadata={"description": "Actually handed over."})
    mass_basis = fields.String(allow_none=True, metadata={"enum": list(MASS_BASES)})
    co2e_factor = Number(allow_none=True, metadata={"description": "kg CO2e per kg reused."})
    factor_basis = fields.String(allow_none=True)
    factor_version = fields.String(allow_none=True)
    space_m2_days = Number(allow_none=True)
    space_hours = Number(allow_none=True)
    space_days = Number(allow_none=True)
    distance_km = Number(allow_none=True, metadata={"description": "Straight line, one way."})
    transport_mode = fields.String(allow_none=True, metadata={"enum": list(TRANSPORT_MODES)})
    transport_co2e_kg = Number(
        allow_none=True, metadata={"description": "Reported apart; never subtracted."}
    )
    value_eur = Number(allow_none=True, metadata={"description": "0 for a free hand-over."})
    url = fields.Function(
        lambda exchange: url_for("exchanges.detail", exchange_id=exchange.id, _external=True),
        metadata={"type": "string", "format": "uri"},
    )


class ExchangePageSchema(Schema):
    items = fields.List(fields.Nested(ExchangeSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class ExchangeQuerySchema(Schema):
    status = fields.String(validate=OneOf(list(EXCHANGE_STATUSES)))
    role = fields.String(validate=OneOf(list(ROLES)))
    page = fields.Integer(load_default=1, validate=Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=20, validate=Range(min=1, max=MAX_PER_PAGE))


class ExchangeProposalSchema(InputSchema):
    offer_id = fields.Integer(required=True, strict=True)
    request_id = fields.Integer(
        allow_none=True, strict=True, metadata={"description": "One of your open requests."}
    )
    quantity = Number(
        required=True, metadata={"description": "More than 0, at most the offer's quantity."}
    )
    message = fields.String(allow_none=True, validate=Length(max=MAX_MESSAGE_LENGTH))


class ExchangeNoteSchema(InputSchema):
    note = fields.String(allow_none=True, validate=Length(max=MAX_MESSAGE_LENGTH))


class ExchangeCompletionSchema(InputSchema):
    quantity = Number(
        allow_none=True,
        metadata={"description": "Actually handed over, at most the accepted; default all."},
    )
    weighed_kg = Number(allow_none=True, metadata={"description": "Mass weighed at hand-over."})
    transport_mode = fields.String(allow_none=True, validate=OneOf(list(TRANSPORT_MODES)))


# -- endpoints -----------------------------------------------------------------------------------


def _reloaded(exchange_id: int) -> Exchange:
    """The exchange as the request's commit will store it."""
    read_back_writes()
    return db.session.get(Exchange, exchange_id)


@blp.route("/exchanges")
class Exchanges(MethodView):
    @token_required
    @blp.arguments(ExchangeQuerySchema, location="query")
    @blp.response(200, ExchangePageSchema)
    @blp.alt_response(401, schema=ErrorOutput, description=_NO_TOKEN)
    @blp.alt_response(422, schema=ErrorOutput, description="An invalid filter or page value.")
    @blp.doc(security=_BEARER)
    def get(self, args):
        """The caller's organisation's exchanges, as provider and receiver, newest first."""
        page = list_exchanges_of_organisation(
            api_user().organisation_id,
            PageRequest(page=args["page"], per_page=args["per_page"]),
            status=args.get("status"),
            role=args.get("role"),
        )
        return {
            "items": page.items,
            "total": page.total,
            "page": page.page,
            "per_page": page.per_page,
        }

    @token_required
    @blp.arguments(ExchangeProposalSchema)
    @blp.response(201, ExchangeSchema)
    @blp.alt_response(401, schema=ErrorOutput, description=_NO_TOKEN)
    @blp.alt_response(409, schema=ErrorOutput, description="The offer is not open.")
    @blp.alt_response(
        422,
        schema=ErrorOutput,
        description="Own offer, quantity <= 0 or above the offer's, or not the caller's request.",
    )
    @blp.doc(security=_BEARER)
    def post(self, data):
        """Propose to take part or all of another organisation's offer."""
        user = api_user()
        offer = get_offer_by_id(data["offer_id"], user)
        request = get_request_for_proposal(data.get("request_id"), user)
        exchange = services.propose_exchange(
            user, offer, data["quantity"], request=request, message=data.get("message") or ""
        )
        return _reloaded(exchange.id)


@blp.route("/exchanges/<int:exchange_id>")
class ExchangeById(MethodView):
    @token_required
    @blp.response(200, ExchangeSchema)
    @blp.alt_response(401, schema=ErrorOutput, description=_NO_TOKEN)
    @blp.alt_response(404, schema=ErrorOutput, description=_UNKNOWN)
    @blp.doc(security=_BEARER)
    def get(self, exchange_id: int):
        """One exchange, for either party and for coordinators."""
        return get_exchange_for_user(exchange_id, api_user())


def _transition_doc(conflict: str, forbidden: str):
    """The error answers every transition endpoint shares."""

    def decorate(view):
        view = blp.alt_response(401, schema=ErrorOutput, description=_NO_TOKEN)(view)
        view = blp.alt_response(403, schema=ErrorOutput, description=forbidden)(view)
        view = blp.alt_response(404, schema=ErrorOutput, description=_UNKNOWN)(view)
        view = blp.alt_response(409, schema=ErrorOutput, description=conflict)(view)
        view = blp.alt_response(422, schema=ErrorOutput, description="Invalid fields.")(view)
        return blp.doc(security=_BEARER)(view)

    return decorate


@blp.route("/exchanges/<int:exchange_id>/accept", methods=["POST"])
@token_required
@blp.response(200, ExchangeSchema)
@_transition_doc(
    "Not proposed any more, or the offer has not enough unreserved quantity left.",
    "Only the provider accepts.",
)
def accept(exchange_id: int):
    """Accept a proposal (provider): reserves its quantity on the offer. The body may be empty."""
    user = api_user()
    services.accept_exchange(user, get_exchange_for_user(exchange_id, user))
    return _reloaded(exchange_id)


@blp.route("/exchanges/<int:exchange_id>/decline", methods=["POST"])
@token_required
@blp.arguments(ExchangeNoteSchema, required=False)
@blp.response(200, ExchangeSchema)
@_transition_doc("Not proposed any more.", "Only the provider declines.")
def decline(data, exchange_id: int):
    """Decline a proposal (provider), with an optional note. The body may be empty."""
    user = api_user()
    services.decline_exchange(user, get_exchange_for_user(exchange_id, user), data.get("note"))
    return _reloaded(exchange_id)


@blp.route("/exchanges/<int:exchange_id>/cancel", methods=["POST"])
@token_required
@blp.arguments(ExchangeNoteSchema, required=False)
@blp.response(200, ExchangeSchema)
@_transition_doc("Already declined, cancelled or completed.", "Only the two parties cancel.")
def cancel(data, exchange_id: int):
    """Cancel before completion (either party); an accepted exchange releases its reservation."""
    user = api_user()
    services.cancel_exchange(user, get_exchange_for_user(exchange_id, user), data.get("note"))
    return _reloaded(exchange_id)


@blp.route("/exchanges/<int:exchange_id>/complete", methods=["POST"])
@token_required
@blp.arguments(ExchangeCompletionSchema, required=False)
@blp.response(200, ExchangeSchema)
@_transition_doc("Not accepted (yet, or any more).", "Only the two parties confirm a hand-over.")
def complete(data, exchange_id: int):
    """Confirm the hand-over (either party, once accepted), with the quantity actually handed over
    (default: all accepted; the rest goes back to the offer) and optionally the weighed mass."""
    user = api_user()
    services.complete_exchange(
        user,
        get_exchange_for_user(exchange_id, user),
        quantity=data.get("quantity"),
        weighed_kg=data.get("weighed_kg"),
        transport_mode=data.get("transport_mode"),
    )
    return _reloaded(exchange_id)
