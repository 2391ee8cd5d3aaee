"""Listing and organisation rows -> tsvector literals from the application's analyzer, and
query plans -> tsquery literals.

PostgreSQL's own parsers and dictionaries are not used: the lexemes are exactly the whoosh
index's terms (German and English stems of folded words, compound heads, material modifiers,
pairs of adjacent words), each position weighted A-D after the term's whoosh boost (section
times word part), and ranked with ts_rank weights in the same proportions."""

from collections.abc import Iterable

from marketplace.search.analysis import MarketplaceTokenizer, SpellingTokenizer
from marketplace.search.organisations import organisation_text
from marketplace.search.query import Alternative, Plan
from marketplace.search.schema import TEXT_FIELD, listing_document

#: ts_rank's weights of D, C, B and A: whoosh's boosts divided by the title's 3.0 (A: a title
#: word; B: a title word's compound head or material; C: a description word; D: context words
#: and a description's materials).
RANK_WEIGHTS = (0.2, 0.33, 0.67, 1.0)
#: ts_rank normalisation 1: divided by 1 + log(document length), as BM25 damps long texts.
RANK_NORMALISATION = 1
#: PostgreSQL keeps positions up to this; later words share it (they still match and count).
MAX_POSITION = 16383

_tokens = MarketplaceTokenizer()
_spelling = SpellingTokenizer()


def weight_of(boost: float) -> str:
    if boost >= 2.5:
        return "A"
    if boost >= 1.2:
        return "B"
    if boost >= 0.75:
        return "C"
    return "D"


def quote(term: str) -> str:
    """A lexeme as tsvector/tsquery input (quoted: pair terms hold a space)."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def vector(text: str) -> str:
    """The tsvector literal of a sectioned text (analysis.sectioned)."""
    positions: dict[str, dict[int, str]] = {}
    for token in _tokens(text, positions=True):
        pos = min(token.pos + 1, MAX_POSITION)
        weight = weight_of(token.boost)
        seen = positions.setdefault(token.text, {})
        if seen.get(pos, "D") >= weight:  # "A" < "B": the heavier weight stays
            seen[pos] = weight
    return " ".join(
        f"{quote(term)}:" + ",".join(f"{p}{w}" for p, w in sorted(places.items())[:256])
        for term, places in positions.items()
    )


def listing_fields(row) -> tuple[str, set[str]]:
    """(tsvector literal, spelling words) of a row of search.documents.listing_rows_select()."""
    doc = listing_document(row)
    words = {t.text for t in _spelling(doc["spell"])}
    return vector(doc[TEXT_FIELD]), words


def organisation_vector(row) -> str:
    return vector(organisation_text(row))


# ---- queries --------------------------------------------------------------------------------


def _alternative(alt: Alternative) -> str:
    return "(" + " & ".join(quote(t) for t in alt) + ")" if len(alt) > 1 else quote(alt[0])


def group_query(group: list[Alternative]) -> str:
    return "(" + " | ".join(_alternative(a) for a in group) + ")"


def match_query(plan: Plan) -> str | None:
    """The tsquery of which listings match a plan, or None for every listing (no groups)."""
    groups = [group_query(g) for g in plan.groups if g]
    if not groups:
        return None
    text = (" | " if plan.any_group else " & ").join(groups)
    if plan.excluded:
        text = f"({text})" + "".join(f" & !{group_query(g)}" for g in plan.excluded if g)
    return text


def any_of(terms: Iterable[str]) -> str:
    return " | ".join(quote(t) for t in terms)


def weighted_queries(scoring: Iterable[tuple[str, float]]) -> list[tuple[float, str]]:
    """(weight, tsquery of the terms with that weight): ts_rank takes one query, so terms of
    different weights (words, compound parts, pairs) are ranked in one call per weight."""
    by_weight: dict[float, list[str]] = {}
    for term, weight in scoring:
        by_weight.setdefault(round(float(weight), 4), []).append(term)
    return [(w, any_of(sorted(terms))) for w, terms in sorted(by_weight.items()) if w > 0]
