"""Runs a query plan over the segments of the process's searcher.

Which listings match is decided on bitsets (Python ints, bit d = document d of a segment):
term bitsets and filter masks are cached per segment, so AND/OR/NOT, counting and facet counts
are a few big-integer operations. Only ordering touches documents one by one: by relevance
with BM25 (whoosh's formula and statistics) over cached per-term impacts, walking only as deep
as the top page*per_page needs ("score only what is shown"); by date or distance through the
column arrays.
"""

import heapq
import math
from collections import Counter
from dataclasses import dataclass, field

from marketplace.core.geo import box_around, haversine_km
from marketplace.listings.liveness import EXPIRED
from marketplace.listings.models import LIVE_STATUSES
from marketplace.search.query import Plan
from marketplace.search.schema import TEXT_FIELD
from marketplace.search.segments import SegmentArrays
from marketplace.search.store import IndexStore

#: listings.liveness's rule on the index's columns (day numbers, 0 for no date).
_LIVE = tuple(status.encode() for status in LIVE_STATUSES)
_EXPIRED = EXPIRED.encode()


@dataclass(frozen=True)
class FilterSpec:
    """Compiled filters; `key` identifies the cached masks.

    Statuses are effective ones: a live listing past its available_until counts as expired
    (`today` is the day number). Withdrawn listings are visible only to their organisation."""

    statuses: frozenset[bytes] | None = frozenset({b"open"})
    today: int = 0
    viewer_organisation_id: int | None = None
    kind: bytes | None = None
    category: bytes | None = None
    resource_type: bytes | None = None
    organisation_id: int | None = None
    district: str | None = None  # casefolded
    near: tuple[float, float, float] | None = None  # lat, lon, radius_km

    @property
    def key(self) -> tuple:
        statuses = tuple(sorted(self.statuses)) if self.statuses is not None else None
        return (
            statuses,
            self.today,
            self.viewer_organisation_id,
            self.kind,
            self.category,
            self.resource_type,
            self.organisation_id,
            self.district,
            self.near,
        )


@dataclass
class Outcome:
    ids: list[int]
    total: int
    facets: dict[str, Counter] = field(default_factory=dict)
    #: listing id -> km from the `near` point, for the listings returned.
    distances: dict[int, float] = field(default_factory=dict)


# ---- filters -------------------------------------------------------------------------------


def _any(values: dict, keys) -> int:
    bits = 0
    for k in keys:
        bits |= values.get(k, 0)
    return bits


def _effective_status_bits(a: SegmentArrays, today: int) -> dict[bytes, int]:
    """status -> bitset, where open/reserved listings past their date count as expired."""

    def build(arrays: SegmentArrays):
        statuses = dict(arrays.values("status"))
        until = arrays.ints["available_until"]
        past = [0 < u < today for u in until]  # is_past_due: 0 is no date
        if any(past):
            overdue = _bits_from_flags(past)
            moved = 0
            for s in _LIVE:
                moved |= statuses.get(s, 0) & overdue
                statuses[s] = statuses.get(s, 0) & ~overdue
            statuses[_EXPIRED] = statuses.get(_EXPIRED, 0) | moved
        return statuses

    return a.derived(("effective", today), build)


def _bits_from_flags(flags) -> int:
    """Bitset from a sequence of booleans (C-speed: via a string of 0s and 1s)."""
    text = bytes(flags).translate(_FLAG_DIGITS)[::-1]
    return int(text, 2) if text else 0


_FLAG_DIGITS = bytes.maketrans(b"\x00\x01", b"01")


def build_mask(a: SegmentArrays, spec: FilterSpec) -> int:
    """Bitset of the segment's documents that the filters let through."""
    status = _effective_status_bits(a, spec.today)
    bits = (1 << a.size) - 1
    if spec.statuses is not None:
        bits &= _any(status, spec.statuses)
    # Withdrawn and hidden (moderation) listings: only their own organisation finds them.
    for private in (b"withdrawn", b"hidden"):
        if spec.statuses is None or private in spec.statuses:
            withdrawn = status.get(private, 0)
            if spec.viewer_organisation_id is not None:
                withdrawn &= ~a.values("organisation_id").get(spec.viewer_organisation_id, 0)
            bits &= ~withdrawn
    if spec.kind is not None:
        bits &= a.values("kind").get(spec.kind, 0)
    if spec.resource_type is not None:
        bits &= a.values("resource_type").get(spec.resource_type, 0)
    if spec.category is not None:
        bits &= a.values("category").get(spec.category, 0) | a.values("category_parent").get(
            spec.category, 0
        )
    if spec.organisation_id is not None:
        bits &= a.values("organisation_id").get(spec.organisation_id, 0)
    if spec.district is not None:
        names = a.values("district")
        bits &= _any(names, [v for v in names if v.decode("utf-8").casefold() == spec.district])
    if spec.near is not None:
        bits &= _bits_from_flags(_within(a, *spec.near))
    return bits


def _within(a: SegmentArrays, lat: float, lon: float, radius: float) -> list[bool]:
    west, south, east, north = box_around((lat, lon), radius)
    return [
        south <= y <= north and west <= x <= east and haversine_km(lat, lon, y, x) <= radius
        for y, x in zip(a.floats["lat"], a.floats["lon"], strict=True)
    ]


# ---- matching ------------------------------------------------------------------------------


def _matches(plan: Plan, reader, a: SegmentArrays, everything: int) -> int:
    def term(text: str) -> int:
        return a.term(reader, TEXT_FIELD, text)

    def group_bits(group) -> int:
        bits = 0
        for alternative in group:
            alt = everything
            for text in alternative:
                alt &= term(text)
                if not alt:
                    break
            bits |= alt
        return bits

    if plan.groups:
        parts = [group_bits(g) for g in plan.groups]
        bits = 0
        if plan.any_group:
            for p in parts:
                bits |= p
        else:
            bits = everything
            for p in parts:
                bits &= p
        bits &= everything
    else:
        bits = everything
    for group in plan.excluded:
        if bits:
            bits &= ~group_bits(group)
    return bits


def _docnums(bits: int):
    """The set bits of a bitset, lowest first."""
    text = format(bits, "b")[::-1]
    i = text.find("1")
    while i >= 0:
        yield i
        i = text.find("1", i + 1)


def run(store: IndexStore, plan: Plan, spec: FilterSpec, *, sort: str, limit: int, facets: bool):
    """Top `limit` listing ids in `sort` order, the total and (optionally) facet counts.

    Call with store.lock held."""
    searcher = store.searcher()
    origin = spec.near[:2] if spec.near else None
    total = 0
    counters: dict[str, Counter] = {"category": Counter(), "kind": Counter(), "district": Counter()}
    picked: list[tuple] = []  # (sort key, listing id, lat, lon), larger keys first
    segments = []
    for sub, offset in searcher.leaf_searchers():
        if not sub.doc_count_all():
            continue
        reader = sub.reader()
        a = store.arrays(reader)
        allowed = a.mask(spec.key, lambda arrays: build_mask(arrays, spec)) & a.live(reader)
        bits = _matches(plan, reader, a, allowed) if allowed else 0
        count = bits.bit_count()
        if not count:
            continue
        total += count
        if facets:
            _count_facets(a, bits, counters)
        if sort == "relevance" and plan.scoring:
            segments.append((sub, offset, a, bits))
        else:
            picked.extend(_top_sorted(a, bits, count, sort, origin, limit))
    if segments:
        picked = _top_scored(searcher, plan, segments, limit)
    else:
        picked.sort(key=lambda item: item[0], reverse=True)
        picked = picked[:limit]
    outcome = Outcome([p[1] for p in picked], total, counters if facets else {})
    if origin is not None:
        outcome.distances = {
            p[1]: round(haversine_km(origin[0], origin[1], p[2], p[3]), 1)
            for p in picked
            if p[2] == p[2]
        }
    return outcome


def _count_facets(a: SegmentArrays, bits: int, counters: dict[str, Counter]) -> None:
    """Count each listing once per facet value: a category's bitset is the union of the
    listings filed under it and under its children, so a parent never counts one twice."""
    in_category: dict[bytes, int] = {}
    for column in ("category", "category_parent"):
        for value, value_bits in a.values(column).items():
            if value:
                in_category[value] = in_category.get(value, 0) | (bits & value_bits)
    for value, value_bits in in_category.items():
        if n := value_bits.bit_count():
            counters["category"][value] += n
    for column in ("kind", "district"):
        for value, value_bits in a.values(column).items():
            n = (bits & value_bits).bit_count()
            if n and value:
                counters[column][value] += n


def _identity(a: SegmentArrays, d: int) -> tuple[int, float, float]:
    return a.ints["listing_id"][d], a.floats["lat"][d], a.floats["lon"][d]


def _top_sorted(a: SegmentArrays, bits: int, count: int, sort: str, origin, limit: int):
    """The segment's best `limit` matches by date or distance (larger key first)."""
    created, ids = a.ints["created"], a.ints["listing_id"]
    if sort == "nearest" and origin is not None:
        lats, lons = a.floats["lat"], a.floats["lon"]

        def key(d):
            y, x = lats[d], lons[d]
            far = math.inf if y != y or x != x else haversine_km(origin[0], origin[1], y, x)
            return (-far, created[d], ids[d])

    elif sort == "ending_soon":
        until = a.ints["available_until"]

        def key(d):
            return (-(until[d] or math.inf), created[d], ids[d])

    else:
        if count * 50 > a.size:  # many matches: walk the newest-first order until full
            order = a.derived("newest-order", _newest_order)
            text = format(bits, "b")[::-1]
            width, best = len(text), []
            for d in order:
                if d < width and text[d] == "1":
                    best.append(((created[d], ids[d]), *_identity(a, d)))
                    if len(best) == limit:
                        break
            return best

        def key(d):
            return (created[d], ids[d])

    return [(key(d), *_identity(a, d)) for d in heapq.nlargest(limit, _docnums(bits), key=key)]


def _newest_order(a: SegmentArrays) -> list[int]:
    created, ids = a.ints["created"], a.ints["listing_id"]
    return sorted(range(a.size), key=lambda d: (created[d], ids[d]), reverse=True)


def _average_length(segments) -> float:
    """Mean text length over the segments' documents (BM25's avgdl), cached per segment."""
    total = count = 0
    for _, _, a, _ in segments:
        length_sum = a.derived("length-sum", lambda arrays: sum(arrays.ints["length"]))
        total, count = total + length_sum, count + a.size
    return total / count if count else 1.0


def _top_scored(searcher, plan: Plan, segments: list, limit: int) -> list[tuple]:
    """Exact BM25 top `limit` of the matching documents, with the threshold algorithm: walk each
    scoring term's postings best contribution first, score every matching document met in full,
    stop once no unseen document can beat the current top. Popular terms' impacts are cached,
    so a query touches few postings ("score only what is shown")."""
    avgdl = _average_length(segments)
    weights = [(text, boost * searcher.idf(TEXT_FIELD, text)) for text, boost in plan.scoring]
    heap: list[tuple] = []  # (score, -global docnum, listing id, lat, lon)
    for sub, offset, a, bits in segments:
        reader = sub.reader()
        lists = [
            (w, impact)
            for text, w in weights
            if (impact := a.impact(reader, TEXT_FIELD, text, avgdl)) is not None and impact.ids
        ]
        accept = format(bits, "b")[::-1]
        width = len(accept)
        ids, lats, lons = a.ints["listing_id"], a.floats["lat"], a.floats["lon"]
        seen: set[int] = set()
        depth = 0
        longest = max((len(impact.ids) for _, impact in lists), default=0)
        while depth < longest:
            bound = 0.0
            for w, impact in lists:
                if depth >= len(impact.order):
                    continue
                i = impact.order[depth]
                bound += w * impact.contrib[i]
                d = impact.ids[i]
                if d in seen or d >= width or accept[d] != "1":
                    continue
                seen.add(d)
                score = sum(
                    w2 * (impact2.contrib[i] if impact2 is impact else impact2.get(d))
                    for w2, impact2 in lists
                )
                item = (score, -(offset + d), ids[d], lats[d], lons[d])
                if len(heap) < limit:
                    heapq.heappush(heap, item)
                elif item > heap[0]:
                    heapq.heapreplace(heap, item)
            depth += 1
            if len(heap) >= limit and heap[0][0] >= bound:
                break
    ranked = sorted(heap, reverse=True)
    return [(score, listing_id, lat, lon) for score, _, listing_id, lat, lon in ranked]


def any_match(store: IndexStore, plan: Plan, spec: FilterSpec) -> bool:
    """Whether at least one listing matches (bitsets only). Call with store.lock held."""
    for sub, _ in store.searcher().leaf_searchers():
        if not sub.doc_count_all():
            continue
        reader = sub.reader()
        a = store.arrays(reader)
        allowed = a.mask(spec.key, lambda arrays: build_mask(arrays, spec)) & a.live(reader)
        if allowed and _matches(plan, reader, a, allowed):
            return True
    return False
