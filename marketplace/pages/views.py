"""Home page and site-wide pages."""

from flask import Blueprint, render_template

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    return render_template("pages/home.html")


@bp.post("/language")
def set_language():
    from flask import redirect, request

    from marketplace.core.urls import safe_next_path
    from marketplace.pages.services import choose_language

    choose_language(request.form.get("language", ""))
    return redirect(safe_next_path(request.form.get("next")))
