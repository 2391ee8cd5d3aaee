"""Device cookies (OWASP's answer to lockouts anyone can trigger): a browser that signed in to an
account before carries a signed cookie naming that account and a random device id. Its attempts
are counted per device, not per account or address, so someone guessing passwords for an
account, or a whole office behind one address failing, never locks out its owner on the
devices they used before; attempts from anywhere else stay throttled per account and address.
"""

import secrets

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from marketplace.auth.throttle import account_key

COOKIE = "device"
#: A device stays trusted for a year after its last successful sign-in.
LIFETIME_S = 365 * 24 * 3600


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="device-cookie")


def trusted_device(email: str | None) -> str | None:
    """The device id of this request's cookie when it was issued for `email`'s account."""
    value = request.cookies.get(COOKIE)
    if not value or len(value) > 300:
        return None
    try:
        data = _serializer().loads(value, max_age=LIFETIME_S)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("account") != account_key(email):
        return None
    device = data.get("device")
    return device if isinstance(device, str) else None


def remember_device(response: Response, email: str, device: str | None = None) -> None:
    """After a successful sign-in: (re)issue the cookie, keeping the device's id."""
    value = _serializer().dumps(
        {"account": account_key(email), "device": device or secrets.token_hex(16)}
    )
    response.set_cookie(
        COOKIE,
        value,
        max_age=LIFETIME_S,
        httponly=True,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        samesite="Lax",
        path="/login",
    )
