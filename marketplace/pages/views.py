"""Home page, organisation profiles and site-wide choices (language)."""

from flask import Blueprint, redirect, render_template, request
from flask_login import current_user

from marketplace.core.i18n import current_language
from marketplace.core.pagination import PageRequest
from marketplace.core.urls import safe_next_path
from marketplace.directory.functions import function_catalogue
from marketplace.pages.legal import get_legal_text
from marketplace.pages.queries import get_directory, get_home_page, get_organisation_profile
from marketplace.pages.services import choose_language

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    return render_template("pages/home.html", page=get_home_page())


@bp.get("/orgs")
def directory():
    args = request.args
    found = get_directory(
        args.get("q"), args.get("kind"), args.get("district"), PageRequest.from_args(args)
    )
    return render_template("pages/directory.html", directory=found)


@bp.get("/orgs/<int:org_id>")
def organisation(org_id: int):
    profile = get_organisation_profile(org_id)
    is_member = current_user.is_authenticated and current_user.organisation_id == org_id
    return render_template(
        "pages/organisation.html",
        profile=profile,
        is_member=is_member,
        is_coordinator=current_user.is_authenticated and current_user.is_coordinator,
        catalogue=function_catalogue(),
    )


@bp.post("/language")
def set_language():
    choose_language(request.form.get("language", ""))
    return redirect(safe_next_path(request.form.get("next")))


@bp.get("/language/<language>")
def language_link(language: str):
    """The anonymous visitor's switch: a link (their pages then carry no CSRF token and can be
    shared from the page cache); it remembers the choice for this browser only, never on a
    profile, since a GET must not write what a forged link could."""
    choose_language(language, on_profile=False)
    return redirect(safe_next_path(request.args.get("next")))


@bp.get("/impressum")
def impressum():
    return _legal_page("impressum")


@bp.get("/datenschutz")
def datenschutz():
    return _legal_page("datenschutz")


@bp.get("/nutzungsbedingungen")
def nutzungsbedingungen():
    return _legal_page("nutzungsbedingungen")


def _legal_page(page: str):
    text = get_legal_text(page, current_language())
    return render_template("pages/legal.html", page=page, text=text)
