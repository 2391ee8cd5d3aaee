"""Safe redirect targets (security.md 8) and ids in routes that the database can bind."""

from urllib.parse import urlsplit

from werkzeug.routing import IntegerConverter


def safe_next_path(target: str | None, default: str = "/") -> str:
    """Accept only a same-site path starting with a single '/', without backslashes or controls."""
    if not target or not isinstance(target, str):
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
