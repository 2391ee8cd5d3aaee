"""API v1: accounts."""

from flask_smorest import Blueprint

blp = Blueprint("api_accounts", __name__, description="accounts")
