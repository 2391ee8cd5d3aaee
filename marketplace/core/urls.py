"""Safe redirect targets (security.md 8) and ids in routes that the database can bind."""

from urllib.parse import urlsplit

from werkzeug.routing import IntegerConverter

#: Longer return addresses are refused: they would only echo an attacker's megabytes into a
#: Location header (the app's own addresses stay far below).
MAX_NEXT_LENGTH = 2000


def safe_next_path(target: str | None, default: str = "/") -> str:
    """Accept only a same-site path starting with a single '/', without backslashes or controls,
    of at most MAX_NEXT_LENGTH characters."""
    if not target or not isinstance(target, str) or len(target) > MAX_NEXT_LENGTH:
        return default
    if not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: ids beyond a 64-bit integer match no route (a 404), instead of
    reaching the database driver, which cannot bind them."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)
