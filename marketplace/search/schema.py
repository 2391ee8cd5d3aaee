"""The whoosh schema for listings and the mapping from a database row to an index document.

Searchable text lives in one field, `text`, in three weighted sections (analysis.py): the title,
the description, and the context (category names in German and English, the parent category's
names, the organisation's name and the district). One field means one posting list per query
term; pairs of adjacent words are terms too, so phrases need no positions. `spell` holds the
words of titles and category names as written, for "did you mean" (descriptions would add a
quarter to the build time for little). Filters, facets and sorting read per-document columns
(no terms: they are never queried as text).
`stamp` is the listing's updated_at, the version the drift check compares with the database;
`available_until` lets a search treat a live listing past its date as expired before the expiry
sweep has written that (as the listings pages do).
"""

from datetime import UTC, date, datetime

from whoosh import columns, formats
from whoosh.fields import COLUMN, ID, FieldType, Schema

from marketplace.search.analysis import (
    WORD_RE,
    MarketplaceTokenizer,
    SpellingTokenizer,
    sectioned,
)

#: Bump when the schema or the analysis changes: an index of another version is rebuilt.
SCHEMA_VERSION = 2

#: Columns read into per-segment arrays; strings are stored as bytes.
STRING_COLUMNS = (
    "kind",
    "status",
    "category",
    "category_parent",
    "resource_type",
    "district",
)
INT_COLUMNS = ("listing_id", "organisation_id", "created", "stamp", "available_until", "length")
FLOAT_COLUMNS = ("lat", "lon")
TEXT_FIELD = "text"


def build_schema() -> Schema:
    analyzer = MarketplaceTokenizer()
    fields = {
        "id": ID(stored=True, unique=True),
        # Not "scorable" for whoosh: the engine scores with its own length column.
        TEXT_FIELD: FieldType(formats.Frequency(), analyzer, scorable=False),
        "spell": FieldType(formats.Existence(), SpellingTokenizer(), scorable=False),
    }
    for name in STRING_COLUMNS:
        fields[name] = COLUMN(columns.RefBytesColumn(default=b""))
    for name in INT_COLUMNS:
        fields[name] = COLUMN(columns.NumericColumn("q", default=0))
    for name in FLOAT_COLUMNS:
        fields[name] = COLUMN(columns.NumericColumn("d", default=float("nan")))
    return Schema(**fields)


def stamp_of(value: datetime | str | None) -> int:
    """A naive-UTC timestamp as integer microseconds since the epoch (0 for none)."""
    if value is None:
        return 0
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() * 1_000_000)


def day_of(value: date | str | None) -> int:
    """A date as days since 1970-01-01 (0 for none)."""
    if value is None:
        return 0
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return (value - _EPOCH).days


_EPOCH = date(1970, 1, 1)


def _b(value) -> bytes:
    return (value or "").encode("utf-8")


def listing_document(row) -> dict:
    """Index document for one row of documents.listing_rows()."""
    context = " ".join(
        part
        for part in (
            row.category_name_de,
            row.category_name_en,
            row.parent_name_de,
            row.parent_name_en,
            row.organisation_name,
            row.district,
        )
        if part
    )
    text = sectioned(row.title, row.description, context)
    return {
        "id": str(row.id),
        TEXT_FIELD: text,
        "spell": f"{row.title or ''}\n{context}",
        "kind": _b(row.kind),
        "status": _b(row.status),
        "category": _b(row.category_slug),
        "category_parent": _b(row.parent_slug),
        "resource_type": _b(row.resource_type),
        "district": _b(row.district),
        "listing_id": int(row.id),
        "organisation_id": int(row.organisation_id or 0),
        "created": stamp_of(row.created_at),
        "stamp": stamp_of(row.updated_at),
        "available_until": day_of(row.available_until),
        "length": sum(1 for _ in WORD_RE.finditer(text)),
        "lat": float(row.lat) if row.lat is not None else float("nan"),
        "lon": float(row.lon) if row.lon is not None else float("nan"),
    }
