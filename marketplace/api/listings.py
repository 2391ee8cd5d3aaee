"""API v1: listings (contract: shared/api-v1.md, "Listings"); the web pages' services and queries."""

from dataclasses import replace

from flask import request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, pre_dump
from marshmallow.validate import Length, OneOf, Range

from marketplace.api.auth import api_user, token_required
from marketplace.api.categories import Number
from marketplace.api.schemas import ErrorOutput, InputSchema
from marketplace.core.clock import as_aware
from marketplace.core.errors import ValidationFailed
from marketplace.core.pagination import MAX_PER_PAGE, PageRequest
from marketplace.core.unit_of_work import read_back_writes
from marketplace.core.units import UNITS
from marketplace.ledger.services import get_currency
from marketplace.listings.filters import SORTS, parse_listing_filters
from marketplace.listings.hits import ListingHit
from marketplace.listings.liveness import effective_status
from marketplace.listings.models import (
    CAPACITY_MAX,
    CONDITIONS,
    HIDDEN,
    KINDS,
    MODES,
    STATUSES,
)
from marketplace.listings.queries import get_listing_for_viewer, list_listings
from marketplace.listings.services import create_listing, update_listing, withdraw_listing

blp = Blueprint("api_listings", __name__, description="listings")

_BEARER = [{"bearerAuth": []}]


def _viewer_org_id() -> int | None:
    user = api_user()
    return user.organisation_id if user is not None else None


# -- schemas -------------------------------------------------------------------------------------


class ListingChangeSchema(InputSchema):
    """Writable fields; anything else (status, organisation, id, quantity_remaining) is a 422."""

    kind = fields.String(validate=OneOf(list(KINDS)), metadata={"description": "Not changeable."})
    title = fields.String(validate=Length(min=3, max=200))
    description = fields.String(allow_none=True, validate=Length(max=5000))
    category = fields.String(metadata={"description": "A category slug (GET /api/v1/categories)."})
    quantity = Number(metadata={"description": "More than 0, at most 3 decimals."})
    unit = fields.String(allow_none=True, validate=OneOf(list(UNITS)))
    kg_per_unit = Number(allow_none=True)
    condition = fields.String(
        allow_none=True, validate=OneOf(list(CONDITIONS)), metadata={"description": "Offers only."}
    )
    price_eur = Number(allow_none=True, metadata={"description": "0 means free."})
    price_local = Number(
        allow_none=True,
        metadata={
            "description": "Per unit in the region's own currency (GET /api/v1/currency); null: "
            "not priced in it. Completing a hand-over makes the receiver pay it."
        },
    )
    postcode = fields.String(
        allow_none=True, metadata={"description": "Default: the organisation's postcode."}
    )
    district = fields.String(allow_none=True)
    available_until = fields.Date(allow_none=True)
    mode = fields.String(
        validate=OneOf(list(MODES)),
        metadata={"description": "give (default), lend or book; on a request: what is asked for."},
    )
    capacity = fields.Integer(
        validate=Range(min=1, max=CAPACITY_MAX),
        metadata={"description": "Identical units of a lend/book offer (default 1)."},
    )


class ListingCreateSchema(ListingChangeSchema):
    kind = fields.String(required=True, validate=OneOf(list(KINDS)))
    title = fields.String(required=True, validate=Length(min=3, max=200))
    category = fields.String(required=True)
    quantity = Number(required=True)
    unit = fields.String(required=True, validate=OneOf(list(UNITS)))


class OrganisationRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class AwareDateTime(fields.DateTime):
    """Stored naive UTC; sent ISO 8601 with its offset."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else as_aware(value).isoformat()


class _HitView:
    """A ListingHit seen as its listing plus what the search added."""

    def __init__(self, hit: ListingHit):
        self._listing = hit.listing
        self.highlight = str(hit.highlight) if hit.highlight is not None else None
        self.distance_km = hit.distance_km

    def __getattr__(self, name):
        return getattr(self._listing, name)


class ListingSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": list(KINDS)})
    title = fields.String()
    description = fields.String()
    category = fields.Function(lambda listing: listing.category.slug, metadata={"type": "string"})
    quantity = Number()
    quantity_remaining = Number()
    unit = fields.String(metadata={"enum": list(UNITS)})
    kg_per_unit = Number(allow_none=True)
    condition = fields.String(allow_none=True)
    price_eur = Number()
    price_local = Number(
        allow_none=True, metadata={"description": "Only once a local currency is set up."}
    )
    postcode = fields.String()
    district = fields.String(allow_none=True)
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)
    available_until = fields.Date(allow_none=True)
    status = fields.Function(
        effective_status,
        metadata={
            "type": "string",
            "enum": [*STATUSES, HIDDEN],
            "description": "`hidden`: taken off the market by a coordinator; like `withdrawn`, "
            "only the owning organisation sees it.",
        },
    )
    mode = fields.String(metadata={"enum": list(MODES)})
    capacity = fields.Integer()
    organisation = fields.Nested(OrganisationRefSchema)
    created_at = AwareDateTime()
    url = fields.Function(
        lambda listing: url_for("listings.detail", listing_id=listing.id, _external=True),
        metadata={"type": "string", "format": "uri"},
    )
    highlight = fields.String(
        metadata={
            "description": "With q: a snippet of the listing (the description around the hits, "
            "else the title), HTML-escaped, with <mark> around hits."
        }
    )
    distance_km = fields.Float(metadata={"description": "With near: distance in km."})

    @pre_dump
    def _unwrap_hit(self, obj, **kwargs):
        return _HitView(obj) if isinstance(obj, ListingHit) else obj

    def get_attribute(self, obj, attr, default):
        if attr in ("highlight", "distance_km") and getattr(obj, attr, None) is None:
            return default  # left out of the answer rather than null
        if attr == "price_local" and get_currency() is None:
            return default  # nothing of the currency shows until it is set up
        return super().get_attribute(obj, attr, default)


class ListingPageSchema(Schema):
    items = fields.List(fields.Nested(ListingSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    suggestion = fields.String(
        metadata={"description": "With q, when little was found: a corrected query."}
    )
    relaxed = fields.Boolean(
        metadata={
            "description": "With q: true when no listing had every word and listings with "
            "some of them are listed."
        }
    )


class ListingQuerySchema(Schema):
    q = fields.String(
        metadata={"description": "Search words (title, description, category, organisation)."}
    )
    kind = fields.String(validate=OneOf(list(KINDS)))
    category = fields.String(metadata={"description": "A slug; a parent includes its children."})
    resource_type = fields.String(validate=OneOf(["material", "equipment", "space"]))
    status = fields.String(validate=OneOf(list(STATUSES)), metadata={"default": "open"})
    organisation_id = fields.Integer(validate=Range(min=1, max=2**31 - 1))
    district = fields.String()
    near = fields.String(metadata={"description": "A German postcode."})
    radius_km = fields.Float(validate=Range(min=0, max=500, min_inclusive=False))
    sort = fields.String(
        validate=OneOf(list(SORTS)),
        metadata={"description": "relevance when q, else newest."},
    )
    page = fields.Integer(load_default=1, validate=Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=20, validate=Range(min=1, max=MAX_PER_PAGE))


# -- endpoints -----------------------------------------------------------------------------------


@blp.route("/listings")
class Listings(MethodView):
    @blp.arguments(ListingQuerySchema, location="query")
    @blp.response(200, ListingPageSchema)
    @blp.alt_response(422, schema=ErrorOutput, description="An invalid filter, sort or page value.")
    def get(self, args):
        """Browse and search open listings (or another status), 20 per page by default."""
        filters, problems = parse_listing_filters(request.args)
        if problems:
            raise ValidationFailed(problems)
        if not args.get("sort"):  # the contract's default: relevance when q, else newest
            filters = replace(filters, sort="relevance" if filters.q else "newest")
        page = list_listings(
            filters,
            PageRequest(page=args["page"], per_page=args["per_page"]),
            viewer_organisation_id=_viewer_org_id(),
        )
        answer = {
            "items": page.items,
            "total": page.total,
            "page": page.page,
            "per_page": page.per_page,
        }
        if filters.q:
            answer["relaxed"] = page.relaxed
            if page.suggestion:
                answer["suggestion"] = page.suggestion
        return answer

    @token_required
    @blp.arguments(ListingCreateSchema)
    @blp.response(201, ListingSchema)
    @blp.alt_response(401, schema=ErrorOutput, description="No valid bearer token.")
    @blp.alt_response(422, schema=ErrorOutput, description="Invalid fields.")
    @blp.doc(security=_BEARER)
    def post(self, data):
        """Post an offer or a request for the caller's organisation."""
        user = api_user()
        listing = create_listing(user.organisation, user, data)
        read_back_writes()
        return listing


@blp.route("/listings/<int:listing_id>")
class ListingById(MethodView):
    @blp.response(200, ListingSchema)
    @blp.alt_response(
        404, schema=ErrorOutput, description="Unknown, or withdrawn and not the caller's."
    )
    def get(self, listing_id: int):
        """One listing (a withdrawn one only for its own organisation)."""
        return get_listing_for_viewer(listing_id, _viewer_org_id())

    @token_required
    @blp.arguments(ListingChangeSchema)
    @blp.response(200, ListingSchema)
    @blp.alt_response(401, schema=ErrorOutput, description="No valid bearer token.")
    @blp.alt_response(
        403, schema=ErrorOutput, description="Not a member of the owning organisation."
    )
    @blp.alt_response(404, schema=ErrorOutput, description="Unknown listing.")
    @blp.alt_response(
        409, schema=ErrorOutput, description="The listing is no longer open or reserved."
    )
    @blp.alt_response(422, schema=ErrorOutput, description="Invalid fields.")
    @blp.doc(security=_BEARER)
    def patch(self, data, listing_id: int):
        """Change any writable field; a new quantity keeps what exchanges have taken."""
        user = api_user()
        listing = get_listing_for_viewer(listing_id, user.organisation_id)
        update_listing(listing, user, data)
        read_back_writes()
        return listing

    @token_required
    @blp.response(204)
    @blp.alt_response(401, schema=ErrorOutput, description="No valid bearer token.")
    @blp.alt_response(
        403, schema=ErrorOutput, description="Not a member of the owning organisation."
    )
    @blp.alt_response(404, schema=ErrorOutput, description="Unknown listing.")
    @blp.alt_response(409, schema=ErrorOutput, description="The listing is closed or expired.")
    @blp.doc(security=_BEARER)
    def delete(self, listing_id: int):
        """Withdraw a listing: its status becomes withdrawn; nothing is erased."""
        user = api_user()
        listing = get_listing_for_viewer(listing_id, user.organisation_id)
        withdraw_listing(listing, user)
        return None
