"""What a search answers: listing ids in order and what the results page shows with them."""

from dataclasses import dataclass, field

from markupsafe import Markup


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int
    #: Category names in the requested language; kinds as lazy strings; districts as stored.
    label: object
    #: A child category's parent slug (its count is included in the parent's); else None.
    parent: str | None = None


@dataclass
class SearchResult:
    ids: list[int]
    total: int
    page: int
    per_page: int
    sort: str
    #: id -> escaped snippet with <mark> around hits (Markup: safe to put in a template).
    highlights: dict[int, Markup] = field(default_factory=dict)
    #: id -> escaped description text around the hits, or its beginning when only the title
    #: has them (what a result card shows under the marked title; never the title again).
    snippets: dict[int, Markup] = field(default_factory=dict)
    #: id -> escaped title with <mark> around hits.
    title_highlights: dict[int, Markup] = field(default_factory=dict)
    #: A corrected query when little was found ("Palleten" -> "Paletten").
    suggestion: str | None = None
    #: "category", "kind", "district" -> counts over all results, largest first.
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)
    #: No listing had every word: listings with any of them are shown.
    relaxed: bool = False
    #: The words searched for (after parsing); empty when the query had none.
    words: list[str] = field(default_factory=list)
    #: id -> km from the `near` point (rounded to 0.1), when a place was given.
    distances: dict[int, float] = field(default_factory=dict)


def facet_counts(counters, language: str) -> dict[str, list[FacetCount]]:
    """Facet counters of the engine as FacetCounts, largest first; categories as a tree in
    pre-order (each parent, then its children), children carrying their parent's slug."""
    from marketplace.listings.models import KINDS as KIND_LABELS

    out = {}
    for name, counter in counters.items():
        items = []
        for raw, count in counter.items():
            value = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
            if not value:
                continue
            parent = None
            if name == "category":
                label = _category_label(value, language)
                parent = _taxonomy().get(value, ("", "", None))[2]
            elif name == "kind":
                label = KIND_LABELS.get(value, value)  # lazy: rendered in the reader's locale
            else:
                label = value
            items.append(FacetCount(value, count, label, parent))
        items.sort(key=lambda f: (-f.count, f.value))
        out[name] = _as_tree(items) if name == "category" else items
    return out


def _as_tree(items: list[FacetCount]) -> list[FacetCount]:
    """Parents in the given order, each followed by its children (a child whose parent is not
    counted stands on its own)."""
    present = {f.value for f in items}
    children: dict[str, list[FacetCount]] = {}
    for f in items:
        if f.parent in present:
            children.setdefault(f.parent, []).append(f)
    out = []
    for f in items:
        if f.parent not in present:
            out.append(f if f.parent is None else FacetCount(f.value, f.count, f.label))
            out.extend(children.get(f.value, ()))
    return out


_TAXONOMY: dict[str, tuple[str, str, str | None]] | None = None


def _taxonomy() -> dict[str, tuple[str, str, str | None]]:
    """slug -> (German name, English name, parent slug), read once per process."""
    global _TAXONOMY
    if _TAXONOMY is None:
        from marketplace.categories.taxonomy import load_taxonomy

        _TAXONOMY = {
            c["slug"]: (c["name_de"], c["name_en"], c.get("parent"))
            for c in load_taxonomy()["categories"]
        }
    return _TAXONOMY


def _category_label(slug: str, language: str) -> str:
    names = _taxonomy().get(slug)
    return (names[1] if language == "en" else names[0]) if names else slug
