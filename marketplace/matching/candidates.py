"""Candidates for a listing: extract a few weighted terms, ask the search index for the opposite
kind (text and same-category candidates, open, another organisation), then read what scoring
needs of them in one query."""

from collections.abc import Iterable
from datetime import date

from sqlalchemy import and_, exists, func, or_, select

from marketplace.categories.models import Category
from marketplace.core.units import unit_mass_kg
from marketplace.extensions import db
from marketplace.listings.liveness import open_with_quantity_left
from marketplace.listings.models import Listing
from marketplace.matching.models import MatchDismissal
from marketplace.matching.relevance import wording_of
from marketplace.matching.scoring import Facts
from marketplace.search import (
    RelatedQuery,
    RelatedResult,
    find_related_listings,
    term_frequencies,
)
from marketplace.search.analysis import WORD_RE, analyse_word, fold

#: Words that say "offer" or "request", not what: they would match the wrong side's wording.
LISTING_WORDS = frozenset(
    fold(w)
    for w in (
        "suche", "suchen", "gesucht", "biete", "bieten", "abzugeben", "verschenke",
        "verschenken", "brauchen", "benötigt", "benötigen", "dringend", "gern", "gerne",
        "abholung", "abzuholen", "wanted", "looking", "offer", "offering", "free", "need",
        "needed", "stück", "stk",
    )
)  # fmt: skip
TITLE_WEIGHT = 1.0
DESCRIPTION_WEIGHT = 0.5
MAX_TITLE_TERMS = 10
MAX_DESCRIPTION_WORDS = 4
#: Description words must be this rare in the index to count as distinctive (share of listings).
MAX_DESCRIPTION_DF_SHARE = 0.05
TEXT_CANDIDATES = 40
CATEGORY_CANDIDATES = 30
OPPOSITE = {"offer": "request", "request": "offer"}


def _words(text: str) -> list[str]:
    out = []
    for m in WORD_RE.finditer(text or ""):
        word = m.group().casefold()
        if len(word) < 3 or word.isdigit() or fold(word) in LISTING_WORDS:
            continue
        out.append(word)
    return out


def extract_terms(title: str, description: str) -> list[tuple[str, float]]:
    """(index term, weight): every title word's terms (compound heads included) and the few most
    distinctive description words' terms, at half weight."""
    weights: dict[str, float] = {}
    for word in _words(title):
        for term, boost in analyse_word(word):
            weights[term] = max(weights.get(term, 0.0), TITLE_WEIGHT * boost)
        if len(weights) >= MAX_TITLE_TERMS:
            break
    extra: dict[str, tuple[tuple[str, float], ...]] = {}
    for word in _words(description)[:200]:
        terms = analyse_word(word)
        if terms and terms[0][0] not in weights:
            extra.setdefault(terms[0][0], terms)
    if extra:
        total, df = term_frequencies(extra)
        cap = max(3, int(total * MAX_DESCRIPTION_DF_SHARE))
        rare = sorted((n, t) for t, n in df.items() if 0 < n <= cap)  # rarest: most distinctive
        for _, stem in rare[:MAX_DESCRIPTION_WORDS]:
            for term, boost in extra[stem]:
                weights.setdefault(term, DESCRIPTION_WEIGHT * boost)
    return sorted(weights.items())


def _category_slugs(listing: Listing) -> list[str]:
    """The listing's category and, when it has one, its parent (which includes the siblings)."""
    category = listing.category
    slugs = [category.slug]
    if category.parent is not None:
        slugs.append(category.parent.slug)
    return slugs


def retrieve(listing: Listing, *, exclude_organisation_id: int) -> RelatedResult:
    """Candidate listing ids of the opposite kind with their raw BM25 (0.0: category only)."""
    near = (
        (listing.lat, listing.lon) if listing.lat is not None and listing.lon is not None else None
    )
    return find_related_listings(
        RelatedQuery(
            terms=extract_terms(listing.title, listing.description or ""),
            kind=OPPOSITE[listing.kind],
            categories=_category_slugs(listing),
            near=near,
            exclude_organisation_id=exclude_organisation_id,
            text_limit=TEXT_CANDIDATES,
            category_limit=CATEGORY_CANDIDATES,
        )
    )


def _facts_query():
    return select(
        Listing.id,
        Listing.kind,
        Listing.category_id,
        Category.parent_id,
        Category.resource_type,
        Listing.quantity_remaining,
        Listing.unit,
        Listing.kg_per_unit,
        Category.kg_per_unit.label("category_kg_per_unit"),
        Listing.lat,
        Listing.lon,
        Listing.available_until,
        Listing.condition,
        Listing.price_eur,
        Listing.created_at,
        Listing.organisation_id,
        Listing.mode,
        Listing.title,
        Listing.description,
    ).join(Category, Category.id == Listing.category_id)


def _facts(row) -> Facts:
    kg = unit_mass_kg(
        row.unit,
        resource_type=row.resource_type,
        listing_kg_per_unit=row.kg_per_unit,
        category_kg_per_unit=row.category_kg_per_unit,
    )
    return Facts(
        id=row.id,
        kind=row.kind,
        category_id=row.category_id,
        category_parent_id=row.parent_id,
        resource_type=row.resource_type,
        quantity_remaining=row.quantity_remaining,
        unit=row.unit,
        kg_per_unit=kg,
        lat=row.lat,
        lon=row.lon,
        available_until=row.available_until,
        condition=row.condition,
        price_eur=row.price_eur or 0,
        created_at=row.created_at,
        organisation_id=row.organisation_id,
        mode=row.mode or "give",
        wording=wording_of(row.title or "", row.description or ""),
    )


def facts_of(listing: Listing) -> Facts:
    """Scoring facts of one listing (already loaded with its category)."""
    return _facts(
        _Row(
            id=listing.id,
            kind=listing.kind,
            category_id=listing.category_id,
            parent_id=listing.category.parent_id,
            resource_type=listing.category.resource_type,
            quantity_remaining=listing.quantity_remaining,
            unit=listing.unit,
            kg_per_unit=listing.kg_per_unit,
            category_kg_per_unit=listing.category.kg_per_unit,
            lat=listing.lat,
            lon=listing.lon,
            available_until=listing.available_until,
            condition=listing.condition,
            price_eur=listing.price_eur,
            created_at=listing.created_at,
            organisation_id=listing.organisation_id,
            mode=listing.mode,
            title=listing.title,
            description=listing.description,
        )
    )


class _Row:
    def __init__(self, **values):
        self.__dict__.update(values)


def load_open_facts(
    ids: Iterable[int],
    kind: str,
    target_id: int,
    target_organisation_id: int,
    hiding_organisation_ids: Iterable[int | None],
    on: date,
) -> list[Facts]:
    """Facts of those candidates that are still open (the index may lag a commit behind), of the
    kind wanted, of another organisation and not paired with the target by a "not interested"
    of one of the hiding organisations; one query."""
    ids = set(ids)
    if not ids:
        return []
    statement = _facts_query().where(
        Listing.id.in_(ids),
        Listing.kind == kind,
        open_with_quantity_left(on),
        Listing.organisation_id != target_organisation_id,
    )
    orgs = [o for o in hiding_organisation_ids if o is not None]
    if orgs:
        pair = or_(
            and_(MatchDismissal.listing_id == target_id, MatchDismissal.candidate_id == Listing.id),
            and_(MatchDismissal.candidate_id == target_id, MatchDismissal.listing_id == Listing.id),
        )
        statement = statement.where(~exists().where(MatchDismissal.organisation_id.in_(orgs), pair))
    return [_facts(row) for row in db.session.execute(statement)]


def dismissals_stamp(listing_id: int) -> tuple[int, int]:
    """(number, newest id) of the "not interested" pairs that involve a listing: changes
    whenever one is added or taken back, so it can key what was rendered from them."""
    count, newest = db.session.execute(
        select(func.count(MatchDismissal.id), func.max(MatchDismissal.id)).where(
            or_(MatchDismissal.listing_id == listing_id, MatchDismissal.candidate_id == listing_id)
        )
    ).one()
    return int(count), int(newest or 0)


def dismissed_pairs(
    target_ids: Iterable[int], organisation_ids: Iterable[int | None]
) -> dict[int, set[tuple[int, int]]]:
    """target id -> {(organisation, other listing)} of the "not interested" pairs of the given
    organisations that involve the target (either way round); one query for many targets."""
    targets = set(target_ids)
    orgs = {o for o in organisation_ids if o is not None}
    found: dict[int, set[tuple[int, int]]] = {t: set() for t in targets}
    if not targets or not orgs:
        return found
    rows = db.session.execute(
        select(
            MatchDismissal.organisation_id, MatchDismissal.listing_id, MatchDismissal.candidate_id
        ).where(
            MatchDismissal.organisation_id.in_(orgs),
            or_(MatchDismissal.listing_id.in_(targets), MatchDismissal.candidate_id.in_(targets)),
        )
    )
    for org, listing, candidate in rows:
        if listing in found:
            found[listing].add((org, candidate))
        if candidate in found:
            found[candidate].add((org, listing))
    return found
