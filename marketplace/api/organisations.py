"""API v1: organisations and the map (contract: shared/api-v1.md, "Organisations and the map");
the directory's filters, queries and services, as the web pages use them."""

from flask import current_app, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, post_load
from marshmallow.validate import Range

from marketplace.api.auth import api_user, token_required
from marketplace.api.schemas import ErrorOutput, InputSchema
from marketplace.core.errors import ValidationFailed
from marketplace.core.geo import MAX_RADIUS_KM
from marketplace.core.i18n import current_language
from marketplace.core.pagination import MAX_PER_PAGE, PageRequest
from marketplace.core.unit_of_work import read_back_writes
from marketplace.directory.filters import LAYERS, DirectoryFilters, parse_directory_filters
from marketplace.directory.functions import function_catalogue, function_codes
from marketplace.directory.geojson import map_feature_collection
from marketplace.directory.models import NOTE_MAX
from marketplace.directory.queries import (
    OrganisationEntry,
    get_organisation,
    get_organisation_entry,
    list_organisation_entries,
)
from marketplace.directory.services import update_profile
from marketplace.orgs.models import ORGANISATION_KINDS
from marketplace.orgs.services import DESCRIPTION_MAX, PUBLIC_ADDRESS_MAX
from marketplace.pages.queries import safe_website

blp = Blueprint("api_organisations", __name__, description="organisations and the map")

_BEARER = [{"bearerAuth": []}]
_CODES = list(function_codes())
GEOJSON_TYPE = "application/geo+json"


def _filters() -> DirectoryFilters:
    """From the raw query string (repeatable and comma-separated `function`), 422 per field."""
    filters, problems = parse_directory_filters(request.args)
    if problems:
        raise ValidationFailed(problems)
    return filters


# -- schemas -------------------------------------------------------------------------------------


class FunctionClaimSchema(InputSchema):
    """One claimed function; the service checks codes, notes and who may set `verified`."""

    code = fields.String(required=True, metadata={"enum": _CODES})
    #: What GET adds may be sent back as it came; it is never applied.
    name = fields.Raw(load_only=True, metadata={"description": "Ignored (GET's name)."})

    @post_load
    def _without_name(self, data, **kwargs):
        data.pop("name", None)
        return data

    note = fields.String(
        allow_none=True,
        metadata={"maxLength": NOTE_MAX, "description": "How the organisation takes it."},
    )
    verified = fields.Raw(
        allow_none=True,
        metadata={
            "type": "boolean",
            "description": "Coordinators only (members may send back the current value). "
            "A changed note loses its verification.",
        },
    )


class OrganisationChangeSchema(InputSchema):
    """PATCH semantics: only the fields sent change; any other field is a 422."""

    description = fields.String(allow_none=True, metadata={"maxLength": DESCRIPTION_MAX})
    website = fields.String(
        allow_none=True, metadata={"description": "An absolute http(s) address."}
    )
    public_address = fields.String(
        allow_none=True,
        metadata={
            "maxLength": PUBLIC_ADDRESS_MAX,
            "description": "A street address the organisation chooses to show.",
        },
    )
    functions = fields.List(
        fields.Nested(FunctionClaimSchema),
        allow_none=True,
        metadata={"description": "Replaces the list of claimed functions (A-H)."},
    )

    @post_load
    def _null_is_omitted(self, data, **kwargs):
        if data.get("functions", ()) is None:
            del data["functions"]
        return data


class OrganisationFunctionSchema(Schema):
    code = fields.String(metadata={"enum": _CODES})
    name = fields.Method(
        "get_name", metadata={"type": "string", "description": "In the caller's language."}
    )
    note = fields.String()
    verified = fields.Boolean(metadata={"description": "A coordinator confirmed it."})

    def get_name(self, claim) -> str:
        found = function_catalogue().get(claim.code)
        return found.name_in(current_language()) if found else claim.code


class OrganisationSiteSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    postcode = fields.String()
    district = fields.String(allow_none=True)
    lat = fields.Float()
    lon = fields.Float()


def _logo_url(entry: OrganisationEntry) -> str | None:
    organisation = entry.organisation
    if not organisation.logo_filename:
        return None
    return url_for("directory.logo", org_id=organisation.id, _external=True)


class OrganisationSchema(Schema):
    """An OrganisationEntry: no person's name or e-mail (no members, no contact)."""

    id = fields.Integer(attribute="organisation.id")
    name = fields.String(attribute="organisation.name")
    kind = fields.String(attribute="organisation.kind", metadata={"enum": list(ORGANISATION_KINDS)})
    description = fields.String(attribute="organisation.description", allow_none=True)
    website = fields.Function(
        lambda entry: safe_website(entry.organisation.website),
        allow_none=True,
        metadata={"type": "string", "format": "uri", "description": "Only an http(s) address."},
    )
    public_address = fields.String(attribute="organisation.public_address", allow_none=True)
    postcode = fields.String(attribute="organisation.postcode")
    district = fields.String(attribute="organisation.district", allow_none=True)
    lat = fields.Float(attribute="organisation.lat", allow_none=True)
    lon = fields.Float(attribute="organisation.lon", allow_none=True)
    functions = fields.List(
        fields.Nested(OrganisationFunctionSchema), attribute="details.functions"
    )
    sites = fields.List(
        fields.Nested(OrganisationSiteSchema),
        attribute="details.sites",
        metadata={"description": "Further places; the first place is the organisation's own."},
    )
    open_offers = fields.Integer(attribute="details.open_offers")
    open_requests = fields.Integer(attribute="details.open_requests")
    logo_url = fields.Function(
        _logo_url, allow_none=True, metadata={"type": "string", "format": "uri"}
    )
    url = fields.Function(
        lambda entry: url_for("pages.organisation", org_id=entry.organisation.id, _external=True),
        metadata={"type": "string", "format": "uri"},
    )
    distance_km = fields.Float(
        metadata={"description": "With near: km to the nearest of its places."}
    )

    def get_attribute(self, obj, attr, default):
        if attr == "distance_km":  # left out of the answer rather than null; 10 m is enough
            return default if obj.distance_km is None else round(obj.distance_km, 2)
        return super().get_attribute(obj, attr, default)


class OrganisationPageSchema(Schema):
    items = fields.List(fields.Nested(OrganisationSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


_FUNCTION_DOC = "A-H; repeatable or comma-separated (A,G): organisations with any of them."


class DirectoryQuerySchema(Schema):
    """Validated by parse_directory_filters (422 with the argument's problem); documented here."""

    q = fields.String(metadata={"description": "Search words (name, description)."})
    function = fields.List(fields.String(), metadata={"description": _FUNCTION_DOC})
    kind = fields.String(metadata={"enum": list(ORGANISATION_KINDS)})
    district = fields.String(
        metadata={"description": "The organisation's own district or one of its sites'."}
    )


class OrganisationQuerySchema(DirectoryQuerySchema):
    near = fields.String(metadata={"description": "A German postcode: nearest first."})
    radius_km = fields.String(
        metadata={
            "type": "number",
            "description": f"With near; default 25, at most {MAX_RADIUS_KM:g}.",
        }
    )
    page = fields.Integer(load_default=1, validate=Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=20, validate=Range(min=1, max=MAX_PER_PAGE))


class MapQuerySchema(DirectoryQuerySchema):
    layers = fields.String(
        metadata={"description": "Comma list of " + ", ".join(LAYERS) + "; default organisations."}
    )
    category = fields.String(metadata={"description": "A category slug (offers, requests)."})
    bbox = fields.String(
        metadata={"description": "west,south,east,north in degrees, e.g. 12.2,51.2,12.6,51.45."}
    )


class MapPointSchema(Schema):
    type = fields.String(metadata={"enum": ["Point"]})
    coordinates = fields.List(fields.Float(), metadata={"description": "[lon, lat]"})


class MapFeaturePropertiesSchema(Schema):
    layer = fields.String(metadata={"enum": list(LAYERS)})
    id = fields.Integer(metadata={"description": "The organisation's or the listing's id."})
    name = fields.String(metadata={"description": "The organisation's name or listing's title."})
    url = fields.String(metadata={"format": "uri"})
    functions = fields.List(fields.String(), metadata={"description": "Organisations: codes."})
    kind = fields.String(metadata={"description": "Organisation kind, or offer/request."})
    category = fields.String(metadata={"description": "Listings: the category slug."})
    cluster = fields.Boolean(
        metadata={
            "description": "Only on clusters (true): a dense layer of a bbox, one Point per grid "
            "cell of more than one point; `id` and `url` are null, `name` says the count."
        }
    )
    count = fields.Integer(metadata={"description": "Clusters: the points in the cell."})
    bbox = fields.List(
        fields.Float(), metadata={"description": "Clusters: the cell, [west, south, east, north]."}
    )


class MapFeatureSchema(Schema):
    type = fields.String(metadata={"enum": ["Feature"]})
    id = fields.String()
    geometry = fields.Nested(MapPointSchema)
    properties = fields.Nested(MapFeaturePropertiesSchema)


class MapFeatureCollectionSchema(Schema):
    type = fields.String(metadata={"enum": ["FeatureCollection"]})
    features = fields.List(fields.Nested(MapFeatureSchema))
    left_out = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={
            "description": "Per layer: features beyond the cap (zoom in or filter); 0 for a "
            "layer answered in clusters, which represent every point."
        },
    )
    license = fields.String(metadata={"description": "The licence of the open data."})


# -- endpoints -----------------------------------------------------------------------------------


@blp.route("/organisations")
class Organisations(MethodView):
    @blp.arguments(OrganisationQuerySchema, location="query")
    @blp.response(200, OrganisationPageSchema)
    @blp.alt_response(422, schema=ErrorOutput, description="An invalid filter or page value.")
    def get(self, args):
        """The region's organisations: best first with q, nearest first with near, else by name."""
        page = list_organisation_entries(
            _filters(), PageRequest(page=args["page"], per_page=args["per_page"])
        )
        return {
            "items": page.items,
            "total": page.total,
            "page": page.page,
            "per_page": page.per_page,
        }


@blp.route("/organisations/<int:org_id>")
class OrganisationById(MethodView):
    @blp.response(200, OrganisationSchema)
    @blp.alt_response(404, schema=ErrorOutput, description="Unknown organisation.")
    def get(self, org_id: int):
        """One organisation with its functions, sites and open listings."""
        return get_organisation_entry(org_id)

    @token_required
    @blp.arguments(OrganisationChangeSchema)
    @blp.response(200, OrganisationSchema)
    @blp.alt_response(401, schema=ErrorOutput, description="No valid bearer token.")
    @blp.alt_response(
        403,
        schema=ErrorOutput,
        description="Neither a member nor a coordinator, or `verified` from a member.",
    )
    @blp.alt_response(404, schema=ErrorOutput, description="Unknown organisation.")
    @blp.alt_response(422, schema=ErrorOutput, description="An unknown code or field, too long.")
    @blp.doc(security=_BEARER)
    def patch(self, changes, org_id: int):
        """Change the profile: description, website, public address, functions (replaced)."""
        update_profile(get_organisation(org_id), api_user(), changes)
        read_back_writes()
        return get_organisation_entry(org_id)


@blp.route("/map.geojson")
class MapFeatures(MethodView):
    @blp.arguments(MapQuerySchema, location="query")
    @blp.response(200, MapFeatureCollectionSchema, content_type=GEOJSON_TYPE)
    @blp.alt_response(
        422, schema=ErrorOutput, description="A malformed or out-of-range bbox, unknown function."
    )
    def get(self, _args):
        """The map as an RFC 7946 FeatureCollection of Points ([lon, lat]), capped per layer;
        within a bbox, a dense layer in clusters."""
        response = current_app.json.response(map_feature_collection(_filters()))
        response.mimetype = GEOJSON_TYPE
        return response
