"""API v1: the best counterparts of a listing (GET /api/v1/listings/{id}/matches)."""

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from marshmallow.validate import Range

from marketplace.api.auth import api_user
from marketplace.api.listings import ListingSchema
from marketplace.api.schemas import ErrorOutput
from marketplace.listings.queries import get_listing_for_viewer
from marketplace.matching.queries import MAX_LIMIT, find_matches_if_live

blp = Blueprint("api_matching", __name__, description="matching")


class MatchQuerySchema(Schema):
    limit = fields.Integer(
        load_default=5,
        validate=Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"How many matches, 1 to {MAX_LIMIT} (default 5)."},
    )


class MatchSchema(Schema):
    listing = fields.Nested(ListingSchema)
    score = fields.Float(metadata={"description": "How well it matches, from 0 to 1."})
    reasons = fields.List(
        fields.String(),
        metadata={"description": "Why, in the caller's language (Accept-Language or the user's)."},
    )


class MatchListSchema(Schema):
    items = fields.List(fields.Nested(MatchSchema))


@blp.route("/listings/<int:listing_id>/matches")
class ListingMatches(MethodView):
    @blp.arguments(MatchQuerySchema, location="query")
    @blp.response(200, MatchListSchema)
    @blp.alt_response(
        404, schema=ErrorOutput, description="Unknown, or withdrawn and not the caller's."
    )
    @blp.alt_response(422, schema=ErrorOutput, description="limit outside 1 to 50.")
    def get(self, args, listing_id: int):
        """For a request the best open offers, for an offer the best open requests, best first
        (another organisation's only; pairs the caller's organisation is not interested in are
        left out)."""
        user = api_user()
        viewer = user.organisation_id if user is not None else None
        listing = get_listing_for_viewer(listing_id, viewer)
        matches = find_matches_if_live(listing, limit=args["limit"], viewer_organisation_id=viewer)
        return {"items": matches}
