"""Search box endpoints: completions as JSON for the header's script, and the datalist of
category names that the same box offers without JavaScript."""

from flask import Blueprint, jsonify, request

from marketplace.extensions import limiter
from marketplace.search import complete_search_words
from marketplace.search.complete import category_terms

bp = Blueprint("search", __name__)


@bp.get("/search/suggest")
@limiter.limit("120 per minute")  # the script waits for a pause in typing: far fewer per person
def suggest():
    """GET /search/suggest?q=Pal -> ["Paletten", ...] (at most eight, plain strings)."""
    words = complete_search_words(request.args.get("q", "", type=str)[:200])
    response = jsonify(words)
    response.cache_control.public = True
    response.cache_control.max_age = 60
    return response


@bp.app_template_global()
def search_datalist_terms(language: str) -> list[str]:
    """Category names in the language, for the search box's <datalist>."""
    return category_terms(language)
