"""Query and form arguments as text that every database accepts."""

import unicodedata


def printable(value: str) -> str:
    """Control characters (NUL included, which PostgreSQL refuses in text) become spaces."""
    return "".join(" " if unicodedata.category(c) == "Cc" else c for c in value)
