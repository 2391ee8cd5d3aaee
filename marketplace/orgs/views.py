"""Web pages: orgs."""

from flask import Blueprint

bp = Blueprint("orgs", __name__)


@bp.get("/orgs/<int:org_id>")
def profile(**kwargs):
    return "TODO"


@bp.get("/register")
def register(**kwargs):
    return "TODO"
