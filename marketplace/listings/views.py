"""Web pages: listings."""

from flask import Blueprint

bp = Blueprint("listings", __name__)


@bp.get("/listings")
def browse(**kwargs):
    return "TODO"


@bp.get("/listings/new")
def new(**kwargs):
    return "TODO"


@bp.get("/listings/mine")
def mine(**kwargs):
    return "TODO"
