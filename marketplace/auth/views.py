"""Web pages: auth."""

from flask import Blueprint

bp = Blueprint("auth", __name__)


@bp.get("/login")
def login(**kwargs):
    return "TODO"


@bp.get("/profile")
def profile(**kwargs):
    return "TODO"


@bp.post("/logout")
def logout():
    return "TODO"
