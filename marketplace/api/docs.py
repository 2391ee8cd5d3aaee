"""The API reference page: vendored Swagger UI over /api/v1/openapi.json, with a no-JS fallback."""

from flask import Blueprint, render_template

from marketplace.extensions import talisman

bp = Blueprint("api_docs", __name__)

#: Swagger UI sets inline styles while rendering; scripts stay 'self' only.
_DOCS_CSP = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "style-src": "'self' 'unsafe-inline'",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}


@bp.get("/api/v1/docs")
@talisman(content_security_policy=_DOCS_CSP)
def docs():
    return render_template("api/docs.html")
