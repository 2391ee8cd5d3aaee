"""API v1: the local currency, accounts and transfers (contract: shared/api-v1.md, "Local currency")."""

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from marshmallow.validate import Range

from marketplace.api.auth import api_user, token_required
from marketplace.api.categories import Number
from marketplace.api.listings import AwareDateTime
from marketplace.api.schemas import ErrorOutput, InputSchema
from marketplace.core.pagination import MAX_PER_PAGE, PageRequest
from marketplace.core.unit_of_work import read_back_writes
from marketplace.extensions import db
from marketplace.ledger import queries, services
from marketplace.ledger.amounts import from_cents
from marketplace.ledger.models import CURRENCY_KINDS, Transfer

blp = Blueprint("api_ledger", __name__, description="local currency")

_BEARER = [{"bearerAuth": []}]
_NO_TOKEN = "No valid bearer token."  # noqa: S105 - a description, not a secret
_NO_CURRENCY = "No local currency is set up."


class CurrencySchema(Schema):
    code = fields.String()
    name = fields.String()
    symbol = fields.String()
    kind = fields.String(metadata={"enum": list(CURRENCY_KINDS)})
    default_min_balance = Number()
    default_max_balance = Number()


class AccountOrganisationSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class AccountSchema(Schema):
    organisation = fields.Nested(AccountOrganisationSchema)
    balance = Number()
    min_balance = Number()
    max_balance = Number()
    # Beyond the contract's minimum.
    frozen = fields.Boolean()


class AccountPageSchema(Schema):
    items = fields.List(fields.Nested(AccountSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class TransferSchema(Schema):
    id = fields.Integer()
    payer = fields.Function(lambda t: _party(t.payer), metadata={"type": "object"})
    payee = fields.Function(lambda t: _party(t.payee), metadata={"type": "object"})
    amount = fields.Function(
        lambda t: Number()._serialize(from_cents(t.amount_cents), None, None),
        metadata={"type": "number"},
    )
    reason = fields.String()
    exchange_id = fields.Integer(allow_none=True)
    created_at = AwareDateTime()
    # Beyond the contract's minimum.
    kind = fields.String()
    booking_id = fields.Integer(allow_none=True)
    reverses_id = fields.Integer(allow_none=True)


class TransferPageSchema(Schema):
    items = fields.List(fields.Nested(TransferSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class PageQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=20, validate=Range(min=1, max=MAX_PER_PAGE))


class TransferQuerySchema(PageQuerySchema):
    organisation_id = fields.Integer(
        validate=Range(min=1, max=2**63 - 1), metadata={"description": "Coordinators only."}
    )


class TransferInputSchema(InputSchema):
    # Checked by the service (422 with the field), so that the web form says the same.
    payee_organisation_id = fields.Raw(required=True, metadata={"type": "integer"})
    amount = fields.Raw(required=True, metadata={"type": "number", "multipleOf": 0.01})
    reason = fields.String(load_default="", allow_none=True)


def _party(account) -> dict:
    return {"id": account.organisation.id, "name": account.organisation.name}


def _currency_out(currency) -> dict:
    return {
        "code": currency.code,
        "name": currency.name,
        "symbol": currency.symbol,
        "kind": currency.kind,
        "default_min_balance": from_cents(currency.default_min_cents),
        "default_max_balance": from_cents(currency.default_max_cents),
    }


@blp.route("/currency")
@blp.response(200, CurrencySchema)
@blp.alt_response(404, schema=ErrorOutput, description=_NO_CURRENCY)
def currency():
    """The region's own currency."""
    return _currency_out(services.require_currency())


@blp.route("/accounts/me")
@token_required
@blp.response(200, AccountSchema)
@blp.alt_response(401, schema=ErrorOutput, description=_NO_TOKEN)
@blp.alt_response(404, schema=ErrorOutput, description=_NO_CURRENCY)
@blp.doc(security=_BEARER)
def my_account():
    """The caller's organisation's account (at the default limits until its first transfer)."""
    found = services.require_currency()
    return queries.get_account_view(api_user().organisation_id, found)


@blp.route("/accounts")
@token_required
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, AccountPageSchema)
@blp.alt_response(401, schema=ErrorOutput, description=_NO_TOKEN)
@blp.alt_response(403, schema=ErrorOutput, description="Coordinators only.")
@blp.alt_response(404, schema=ErrorOutput, description=_NO_CURRENCY)
@blp.doc(security=_BEARER)
def accounts(args):
    """Every organisation's account, by name (coordinators)."""
    found = services.require_currency()
    page = queries.list_accounts(api_user(), found, PageRequest(args["page"], args["per_page"]))
    return _page(page)


@blp.route("/transfers")
class Transfers(MethodView):
    @token_required
    @blp.arguments(TransferQuerySchema, location="query")
    @blp.response(200, TransferPageSchema)
    @blp.alt_response(401, schema=ErrorOutput, description=_NO_TOKEN)
    @blp.alt_response(403, schema=ErrorOutput, description="organisation_id: coordinators only.")
    @blp.alt_response(404, schema=ErrorOutput, description=_NO_CURRENCY)
    @blp.doc(security=_BEARER)
    def get(self, args):
        """Transfers of the caller's organisation (paid and received), newest first."""
        services.require_currency()
        user = api_user()
        organisation_id = user.organisation_id
        if "organisation_id" in args:
            queries.require_accounts_viewer(user)
            organisation_id = args["organisation_id"]
        found = queries.list_transfers(organisation_id, PageRequest(args["page"], args["per_page"]))
        return _page(found)

    @token_required
    @blp.arguments(TransferInputSchema)
    @blp.response(201, TransferSchema)
    @blp.alt_response(401, schema=ErrorOutput, description=_NO_TOKEN)
    @blp.alt_response(404, schema=ErrorOutput, description=_NO_CURRENCY)
    @blp.alt_response(
        409,
        schema=ErrorOutput,
        description="insufficient_credit: the payer would fall below its minimum or the payee "
        "rise above its maximum; account_frozen.",
    )
    @blp.alt_response(
        422,
        schema=ErrorOutput,
        description="Own organisation, unknown payee, amount <= 0 or with more than 2 decimals, "
        "or an Idempotency-Key used before with another body.",
    )
    @blp.doc(
        security=_BEARER,
        parameters=[
            {
                "in": "header",
                "name": "Idempotency-Key",
                "required": False,
                "schema": {"type": "string", "maxLength": services.KEY_MAX},
                "description": "The same key from the same organisation again answers the "
                "first transfer and moves nothing twice (kept at least 24 hours).",
            }
        ],
    )
    def post(self, data):
        """Pay another organisation from the caller's organisation's account."""
        payment = services.pay(
            api_user(),
            data["payee_organisation_id"],
            data["amount"],
            data.get("reason"),
            idempotency_key=request.headers.get("Idempotency-Key"),
        )
        if payment.replayed:
            db.session.rollback()
            return payment.transfer, 201, {"Idempotent-Replayed": "true"}
        read_back_writes()
        return db.session.get(Transfer, payment.transfer.id)


def _page(page) -> dict:
    return {"items": page.items, "total": page.total, "page": page.page, "per_page": page.per_page}
