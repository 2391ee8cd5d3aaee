"""What a search answers: listing ids in order and what the results page shows with them."""

from dataclasses import dataclass, field

from markupsafe import Markup


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int
    #: Category names in the requested language; kinds as lazy strings; districts as stored.
    label: object


@dataclass
class SearchResult:
    ids: list[int]
    total: int
    page: int
    per_page: int
    sort: str
    #: id -> escaped snippet with <mark> around hits (Markup: safe to put in a template).
    highlights: dict[int, Markup] = field(default_factory=dict)
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
    """Facet counters of the engine as FacetCounts, largest first."""
    from marketplace.listings.models import KINDS as KIND_LABELS

    out = {}
    for name, counter in counters.items():
        items = []
        for raw, count in counter.items():
            value = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
            if not value:
                continue
            if name == "category":
                label = _category_label(value, language)
            elif name == "kind":
                label = KIND_LABELS.get(value, value)  # lazy: rendered in the reader's locale
            else:
                label = value
            items.append(FacetCount(value, count, label))
        items.sort(key=lambda f: (-f.count, f.value))
        out[name] = items
    return out


_TAXONOMY: dict[str, tuple[str, str]] | None = None


def _category_label(slug: str, language: str) -> str:
    global _TAXONOMY
    if _TAXONOMY is None:
        from marketplace.categories.taxonomy import load_taxonomy

        _TAXONOMY = {c["slug"]: (c["name_de"], c["name_en"]) for c in load_taxonomy()["categories"]}
    names = _TAXONOMY.get(slug)
    return (names[1] if language == "en" else names[0]) if names else slug
