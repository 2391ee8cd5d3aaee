"""API v1: categories."""

from flask_smorest import Blueprint

blp = Blueprint("api_categories", __name__, description="categories")
