"""Web pages: categories."""

from flask import Blueprint

bp = Blueprint("categories", __name__)


@bp.get("/categories")
def index(**kwargs):
    return "TODO"
