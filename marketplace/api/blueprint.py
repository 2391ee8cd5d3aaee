"""The public JSON API v1 (contract: shared/api-v1.md), served with flask-smorest."""

from flask import Flask, request
from flask_babel import gettext as _
from flask_smorest import Api

from marketplace.api.auth import load_api_user
from marketplace.api.schemas import ErrorOutput
from marketplace.core.errorpages import json_error
from marketplace.extensions import csrf

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class StoffwechselApi(Api):
    ERROR_SCHEMA = ErrorOutput

    def _register_error_handlers(self):
        """Errors are answered by core.errorpages, in the contract's format under /api/."""


def check_json_body():
    """415 for a body that is not JSON, 400 for malformed JSON; an empty body is allowed."""
    if request.method not in _BODY_METHODS:
        return None
    if not request.get_data(cache=True):
        return None
    if not request.is_json:
        return json_error(415, _("The body must be JSON (Content-Type: application/json)."))
    if request.get_json(silent=True) is None:
        return json_error(400, _("The body is not valid JSON."), "malformed_json")
    return None


def init_api(app: Flask) -> Api:
    from marketplace.api.accounts import blp as accounts_blp
    from marketplace.api.bookings import blp as bookings_blp
    from marketplace.api.categories import blp as categories_blp
    from marketplace.api.exchanges import blp as exchanges_blp
    from marketplace.api.ledger import blp as ledger_blp
    from marketplace.api.listings import blp as listings_blp
    from marketplace.api.matching import blp as matching_blp
    from marketplace.api.organisations import blp as organisations_blp
    from marketplace.api.personal_data import blp as personal_data_blp
    from marketplace.api.reports import blp as reports_blp

    api = StoffwechselApi(
        app,
        spec_kwargs={
            "info": {
                "description": "Stoffwechsel public API. Authenticate with "
                "`Authorization: Bearer <token>` from POST /api/v1/tokens."
            },
        },
    )
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    for blp in (
        accounts_blp,
        categories_blp,
        listings_blp,
        exchanges_blp,
        bookings_blp,
        ledger_blp,
        matching_blp,
        organisations_blp,
        reports_blp,
        personal_data_blp,
    ):
        csrf.exempt(blp)
        api.register_blueprint(blp, url_prefix="/api/v1")
    app.before_request(_before_api_request)
    from marketplace.api.docs import bp as docs_bp

    app.register_blueprint(docs_bp)
    return api


def _before_api_request():
    if request.path.startswith("/api/"):
        load_api_user()
        return check_json_body()
    return None
