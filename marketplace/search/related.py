"""Listings related to another one, for matching: open listings of one kind that share weighted
terms with it (BM25 over an OR of the terms, best first) and, whatever their wording, the nearest
open listings of the same categories. Another organisation's listings only.

Read from the per-segment arrays the engine keeps (engine.py): filters are cached bitsets, the
text part is the engine's exact top-k BM25 walk, the category part a bounded nearest-first pick.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from marketplace.core.clock import today
from marketplace.search import engine
from marketplace.search.query import Plan
from marketplace.search.schema import TEXT_FIELD, day_of
from marketplace.search.segments import BM25_K1


@dataclass(frozen=True)
class RelatedQuery:
    """What to look for: (index term, weight) pairs, the kind wanted, categories (slugs whose
    listings and child categories' listings are candidates whatever their wording), the point
    to measure from, and the organisation whose own listings never count."""

    terms: Sequence[tuple[str, float]]
    kind: str
    categories: Sequence[str] = ()
    near: tuple[float, float] | None = None
    exclude_organisation_id: int | None = None
    text_limit: int = 50
    category_limit: int = 50


@dataclass
class RelatedResult:
    #: listing id -> BM25 text score (0.0 for listings found through their category only).
    scores: dict[int, float]
    #: The BM25 a listing would get with every term once in its title (at average length): what
    #: "matches all the words" scores, to put the scores on a scale.
    ideal: float = 0.0


#: BM25 contribution of a term found once in the title (section weight 3) at average length.
_TITLE_HIT = (BM25_K1 + 1) * 3.0 / (3.0 + BM25_K1)


def related_listings(backend, query: RelatedQuery) -> RelatedResult:
    """Candidates with their BM25 text scores, and the score of an ideal text match."""
    spec = engine.FilterSpec(
        statuses=frozenset({b"open"}), today=day_of(today()), kind=query.kind.encode()
    )
    # No drift check here: matching runs inside commits' hooks; the searches heal the index.
    found: dict[int, float] = {}
    with backend.store.lock:
        try:
            segments = _segments(backend.store, spec, query)
        except OSError:  # a rebuild removed the generation being read: reopen once
            backend.store.close()
            segments = _segments(backend.store, spec, query)
        searcher = backend.store.searcher()
        ideal = sum(w * searcher.idf(TEXT_FIELD, t) * _TITLE_HIT for t, w in query.terms)
        if query.terms and segments:
            plan = Plan(groups=[], excluded=[], any_group=True, scoring=list(query.terms))
            texts = [(sub, offset, a, bits) for sub, offset, a, _, bits in segments if bits]
            if texts:
                for score, listing_id, _, _ in engine._top_scored(
                    searcher, plan, texts, query.text_limit
                ):
                    found[listing_id] = float(score)
        if query.categories and query.category_limit > 0:
            for listing_id in _nearest_in_categories(segments, query):
                found.setdefault(listing_id, 0.0)
    return RelatedResult(found, ideal)


def _segments(store, spec: engine.FilterSpec, query: RelatedQuery) -> list[tuple]:
    """(sub searcher, offset, arrays, allowed bits, bits with any of the terms) per segment."""
    out = []
    for sub, offset in store.searcher().leaf_searchers():
        if not sub.doc_count_all():
            continue
        reader = sub.reader()
        a = store.arrays(reader)
        allowed = a.mask(spec.key, lambda arrays: engine.build_mask(arrays, spec)) & a.live(reader)
        if query.exclude_organisation_id is not None:
            allowed &= ~a.values("organisation_id").get(query.exclude_organisation_id, 0)
        if not allowed:
            continue
        bits = 0
        for text, _ in query.terms:
            bits |= a.term(reader, TEXT_FIELD, text)
        out.append((sub, offset, a, allowed, bits & allowed))
    return out


def _nearest_in_categories(segments: list[tuple], query: RelatedQuery) -> list[int]:
    """The category_limit nearest (newest when no point is known) allowed listings of the
    categories or their children. Ranked by an equirectangular distance (exact enough within a
    region, and one vector operation per segment)."""
    wanted = [slug.encode() for slug in query.categories]
    keys, ids = [], []
    for _, _, a, allowed, _ in segments:
        bits = _any(a.values("category"), wanted) | _any(a.values("category_parent"), wanted)
        bits &= allowed
        if not bits:
            continue
        docs = np.flatnonzero(
            np.unpackbits(
                np.frombuffer(bits.to_bytes((a.size + 7) // 8, "little"), np.uint8),
                bitorder="little",
            )[: a.size]
        )
        if query.near is not None:
            lat0, lon0 = query.near
            lats = np.frombuffer(a.floats["lat"], np.float64)[docs]
            lons = np.frombuffer(a.floats["lon"], np.float64)[docs]
            dx = (lons - lon0) * math.cos(math.radians(lat0))
            key = np.nan_to_num((lats - lat0) ** 2 + dx**2, nan=np.inf)
        else:
            key = -np.frombuffer(a.ints["created"], np.int64)[docs].astype(np.float64)
        keys.append(key)
        ids.append(np.frombuffer(a.ints["listing_id"], np.int64)[docs])
    if not keys:
        return []
    key, listing_ids = np.concatenate(keys), np.concatenate(ids)
    if len(key) > query.category_limit:
        best = np.argpartition(key, query.category_limit - 1)[: query.category_limit]
        key, listing_ids = key[best], listing_ids[best]
    return [int(i) for i in listing_ids[np.argsort(key, kind="stable")]]


def _any(values: dict, keys: Iterable[bytes]) -> int:
    bits = 0
    for key in keys:
        bits |= values.get(key, 0)
    return bits


def document_frequencies(backend, terms: Iterable[str]) -> tuple[int, dict[str, int]]:
    """The number of indexed listings and how many hold each term (to pick a text's
    distinctive words)."""
    with backend.store.lock:
        searcher = backend.store.searcher()
        return searcher.doc_count(), {t: searcher.doc_frequency(TEXT_FIELD, t) for t in terms}
