"""Error answers: friendly HTML pages, or the contract's JSON errors under /api/ (never a stack trace)."""

import logging
import uuid

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from marketplace.core.errors import DomainError, TooManyAttempts

log = logging.getLogger("marketplace.errors")

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_requests",
    500: "internal_error",
    503: "service_unavailable",
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(
    status: int,
    message: str,
    code: str | None = None,
    fields: dict | None = None,
    headers: dict | None = None,
):
    body: dict = {"code": code or _CODES.get(status, "error"), "message": message}
    if fields:
        body["fields"] = fields
    response = jsonify({"error": body})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        401: _("Please sign in (a valid bearer token is required)."),
        403: _("You are not allowed to do this."),
        404: _("This page does not exist (any more)."),
        405: _("This method is not allowed here."),
        409: _("This conflicts with the current state."),
        413: _("The upload is too large."),
        415: _("The body must be JSON (Content-Type: application/json)."),
        422: _("Some fields are not valid."),
        429: _("Too many requests; please wait a moment and try again."),
        500: _("Something went wrong on our side. We have logged it."),
        503: _("The marketplace is very busy right now. Please try again in a moment."),
    }


def _webargs_fields(error: HTTPException) -> dict | None:
    """Flatten webargs' {"json": {"field": [...]}} into the contract's {"field": [...]}."""
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if not isinstance(messages, dict):
        return None
    fields: dict[str, list[str]] = {}
    for location_messages in messages.values():
        if isinstance(location_messages, dict):
            for field, problems in location_messages.items():
                fields[str(field)] = _flatten(problems)
    return fields or None


def _flatten(problems) -> list[str]:
    if isinstance(problems, dict):
        return [f"{k}: {m}" for k, v in problems.items() for m in _flatten(v)]
    if isinstance(problems, list | tuple):
        return [str(p) if not isinstance(p, dict) else "; ".join(_flatten(p)) for p in problems]
    return [str(problems)]


def _html(status: int, message: str, error_id: str | None = None, headers: dict | None = None):
    template = f"errors/{status}.html" if status in (403, 404, 500) else "errors/generic.html"
    return (
        render_template(template, status=status, message=message, error_id=error_id),
        status,
        (headers or {}),
    )


def error_response(
    status: int, message: str | None = None, code: str | None = None, headers: dict | None = None
):
    """An error answer built outside an error handler (e.g. after a refused commit): JSON under
    /api/, the error page elsewhere."""
    message = message or _messages().get(status, "")
    if wants_json():
        return json_error(status, message, code, headers=headers)
    return make_response(_html(status, message, headers=headers))


def internal_error_response(_error: Exception | None = None):
    """The 500 answer for an unexpected error: logged with an id the page shows; the request's
    writes are rolled back."""
    error_id = uuid.uuid4().hex[:12]
    log.exception("Unhandled error %s on %s %s", error_id, request.method, request.path)
    try:
        from marketplace.extensions import db

        db.session.rollback()
    except Exception:  # noqa: BLE001, S110 - the answer must still go out
        pass
    message = _messages()[500]
    if wants_json():
        return json_error(500, f"{message} (id {error_id})", "internal_error")
    return make_response(_html(500, message, error_id))


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def handle_csrf(error):
        message = _(
            "The form has expired or was sent from elsewhere. Please reload the page and try again."
        )
        log.info("CSRF failure on %s: %s", request.path, error.description)
        return json_error(400, message, "csrf_failed") if wants_json() else _html(400, message)

    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):
        status = error.code or 500
        headers = {}
        if status == 429:
            headers["Retry-After"] = str(_retry_after(error))
        valid_methods = getattr(error, "valid_methods", None)
        if status == 405 and valid_methods:
            headers["Allow"] = ", ".join(valid_methods)
        if wants_json():
            fields = _webargs_fields(error) if status in (400, 422) else None
            message = _messages().get(status, error.description or "")
            if (
                status == 400
                and fields
                and "json" in (getattr(error, "data", {}) or {}).get("messages", {})
            ):
                message = _("The body is not valid JSON.")
                fields = None
            return json_error(status, message, fields=fields, headers=headers)
        return _html(status, _messages().get(status, error.description or ""), headers=headers)

    @app.errorhandler(DomainError)
    def handle_domain(error: DomainError):
        headers = (
            {"Retry-After": str(error.retry_after)} if isinstance(error, TooManyAttempts) else {}
        )
        if wants_json():
            return json_error(
                error.status,
                error.message or _messages().get(error.status, ""),
                error.code,
                getattr(error, "fields", None),
                headers,
            )
        return _html(
            error.status, error.message or _messages().get(error.status, ""), headers=headers
        )

    app.register_error_handler(Exception, internal_error_response)


def _retry_after(error: HTTPException) -> int:
    limit = getattr(error, "limit", None)
    try:
        return max(1, int(limit.limit.get_expiry())) if limit is not None else 60
    except Exception:  # noqa: BLE001
        return 60
