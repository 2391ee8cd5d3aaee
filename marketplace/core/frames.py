"""Which pages may be framed by other sites: only views marked `embeddable` (the embeddable
map), with CSP `frame-ancestors` from EMBED_FRAME_ANCESTORS; every other page keeps
`frame-ancestors 'none'` and `X-Frame-Options: DENY` from Talisman."""

import re
from urllib.parse import urlsplit

from flask import Flask, current_app, request

_FRAME_ANCESTORS = re.compile(r"frame-ancestors [^;]*")
#: A source expression of CSP: a scheme, a host (with optional wildcard and port) or a keyword.
_SOURCE = re.compile(r"^(\*|'self'|'none'|https?:|https?://[\w.*-]+(:\d+)?|[\w.*-]+(:\d+)?)$")


def embeddable(view):
    """Mark a view as one that partner sites may put in an <iframe>."""
    view.embeddable = True
    return view


def frame_ancestors(setting: str) -> str:
    """The CSP sources of the setting (space-separated), 'self' always among them; anything
    that is not a source expression is dropped rather than breaking the header."""
    sources = [s for s in (setting or "").split() if _SOURCE.match(s) and s != "'none'"]
    if "'self'" not in sources:
        sources.append("'self'")
    return " ".join(sources)


def tile_source(tile_url: str) -> str | None:
    """The CSP img-src source for a tile URL template: its scheme and host ({s} becomes *)."""
    parts = urlsplit((tile_url or "").replace("{s}", "a"))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.netloc
    if "{s}" in tile_url:
        host = "*." + host.split(".", 1)[1]
    return f"{parts.scheme}://{host}"


def register_frame_policy(app: Flask) -> None:
    """Must be registered before Talisman: after_request functions run in reverse order, so this
    one sees Talisman's headers and relaxes them for embeddable views only."""

    @app.after_request
    def _allow_embedding(response):
        view = current_app.view_functions.get(request.endpoint or "")
        if view is None or not getattr(view, "embeddable", False):
            return response
        response.headers.pop("X-Frame-Options", None)
        policy = response.headers.get("Content-Security-Policy")
        if policy:
            allowed = "frame-ancestors " + frame_ancestors(
                current_app.config["EMBED_FRAME_ANCESTORS"]
            )
            response.headers["Content-Security-Policy"] = _FRAME_ANCESTORS.sub(allowed, policy)
        return response
