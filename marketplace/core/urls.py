"""Safe redirect targets (security.md 8)."""

from urllib.parse import urlsplit


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
