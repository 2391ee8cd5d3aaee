"""The steps of a listing search that do not depend on the engine: parse and validate, run the
plan (every word, else any word), suggest, page, highlight. Each backend passes its own `run`
(plan -> engine.Outcome) and `suggest`; both then answer alike."""

import contextlib
import logging
from collections.abc import Callable

import sqlalchemy as sa

from marketplace.search import highlight, query
from marketplace.search.engine import FilterSpec, Outcome
from marketplace.search.filters import SearchFilters, choose_sort, compile_filters, paging
from marketplace.search.results import SearchResult, facet_counts

log = logging.getLogger(__name__)

#: run(plan, spec, sort, limit, facets) -> Outcome
Runner = Callable[[query.Plan, FilterSpec, str, int, bool], Outcome]


def run_relaxed(run: Runner, parsed, spec, sort, limit, facets) -> tuple[Outcome, bool]:
    """Every word must match; when none has them all and there were several, any word does.
    Returns the outcome and whether it was relaxed."""
    outcome = run(query.plan(parsed), spec, sort, limit, facets)
    if outcome.total == 0 and len(parsed.words) + len(parsed.phrases) > 1:
        outcome = run(query.plan(parsed, match_all_words=False), spec, sort, limit, facets)
        return outcome, outcome.total > 0
    return outcome, False


def search(
    run: Runner,
    suggest: Callable[[query.ParsedQuery, int], str | None],
    texts: Callable[[list[int]], dict[int, tuple[str, str]]],
    q: str | None,
    filters: SearchFilters | None,
    *,
    lock=None,
    **options,
) -> SearchResult:
    """A SearchResult as SearchBackend.search describes it, for the options it takes (sort,
    page, per_page, language, highlight, facets); `lock` is held while running."""
    sort, language = options.get("sort"), options.get("language", "de")
    page, per_page = options.get("page", 1), options.get("per_page", 20)
    highlight, facets = options.get("highlight", True), options.get("facets", False)
    spec = compile_filters(filters or SearchFilters())
    parsed = query.parse(q)
    sort = choose_sort(sort, parsed.is_empty, filters)
    page, per_page = paging(page, per_page)
    limit = page * per_page
    with lock if lock is not None else contextlib.nullcontext():
        outcome, relaxed = run_relaxed(run, parsed, spec, sort, limit, facets)
        suggestion = suggest(parsed, outcome.total) if parsed.words else None
    ids = outcome.ids[(page - 1) * per_page : limit]
    result = SearchResult(
        ids=ids,
        total=outcome.total,
        page=page,
        per_page=per_page,
        sort=sort,
        suggestion=suggestion,
        relaxed=relaxed,
        words=[w.text for w in parsed.positive_words()],
        facets=facet_counts(outcome.facets, language) if facets else {},
        distances={i: outcome.distances[i] for i in ids if i in outcome.distances},
    )
    if highlight and ids:
        mark_page(result, texts, parsed.terms(), parsed.part_terms())
    return result


def listing_ids(run: Runner, q, filters, limit: int, lock=None) -> list[int]:
    """Ids of the listings the words find (best first, at most `limit`); [] for no words."""
    parsed = query.parse(q)
    if parsed.is_empty:
        return []
    spec = compile_filters(filters or SearchFilters())
    with lock if lock is not None else contextlib.nullcontext():
        outcome, _ = run_relaxed(run, parsed, spec, "relevance", limit, False)
    return list(outcome.ids[:limit])


def mark_page(result: SearchResult, texts, terms: set[str], parts: set[str]) -> None:
    """Highlights, snippets and marked titles of the page's listings (texts read fresh)."""
    try:
        found = texts(result.ids)
    except sa.exc.SQLAlchemyError:
        log.exception("search: could not read the texts to highlight")
        return
    # Parts of a compound query word (Büro, Stuhl for Bürostuhl) are marked only in
    # listings where the word itself does not occur.
    marks = highlight.PageMarks(terms, parts)
    for i in result.ids:
        card = marks.card(*found.get(i, ("", "")))
        result.highlights[i], result.snippets[i], result.title_highlights[i] = card
