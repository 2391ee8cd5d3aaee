"""API v1: listings."""

from flask_smorest import Blueprint

blp = Blueprint("api_listings", __name__, description="listings")
