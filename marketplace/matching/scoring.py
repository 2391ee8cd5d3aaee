"""How well an open listing answers another (pure: no Flask, no database).

score = 0.30 text + 0.20 category
        + relevance x (0.25 distance + 0.10 quantity + 0.05 availability + 0.10 terms)

where relevance = max(text, 0.5 x category) gates the practical components: a near, free offer
of something else is not a match, and one that shares only the category (a projector wanted, beer
tables offered: both "event equipment") stays below the alert threshold (0.2 + 0.5 x 0.5 = 0.45
at most). Every component lies in [0, 1], so does the score.

- text: BM25 of the target's weighted terms against the candidate (title and description, compound
  heads included), divided by the best BM25 among the candidates or half of an ideal match's
  (every term in the title), whichever is larger; halved across resource types;
- category: same 1, one is the other's parent or both share a parent 0.6, same resource type 0.15;
- distance: 1 / (1 + (km / 12)^1.5): 2 km 0.94, 10 km 0.57, 25 km 0.25, 100 km 0.04;
- quantity: the share of the request the offer covers (units converted through kg where they
  differ, 0.5 when they cannot be compared);
- availability: an offer that ends within a week is urgent (1.0), later 0.7, no date 0.6; a
  request needed within a week likewise; anything already ended is not a candidate at all;
- terms: free 1.0, within the request's budget 0.8 (over it 0.2), plus condition (new/good best).

A candidate is a match only when the two share a meaningful word (relevance.py; a Facts without
wording counts any text relevance instead); one sharing only the category keeps its score for
the order but is marked `is_match=False`: shown apart as "maybe also of interest", never with a
percentage, never alerted, never allocated.

Lending: a request to borrow ("Beamer zum Ausleihen") is answered by lend/book offers (reason
"can_borrow") as well as by gifts; a request to keep something is answered by a loan only at
LOAN_FOR_KEEPS_FACTOR of the score (it helps for a while, not for good).
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from marketplace.core.geo import haversine_km
from marketplace.core.units import estimated_mass_kg
from marketplace.matching.relevance import Wording, shared_word

WEIGHTS = {
    "text": 0.30,
    "category": 0.20,
    "distance": 0.25,
    "quantity": 0.10,
    "availability": 0.05,
    "terms": 0.10,
}
#: How far a shared category alone (no shared words) counts as relevance.
CATEGORY_ONLY_RELEVANCE = 0.5
#: Half of the distance score is lost at this many km (roughly: see the module docstring).
DISTANCE_SCALE_KM = 12.0
#: Offers ending within this many days are urgent: take them before the value is lost.
URGENT_DAYS = 7
#: A candidate's BM25 is divided by max(best BM25 of the candidates, this share of an ideal
#: match's, i.e. one with every term of the target in its title): sharing one word of several
#: does not make a perfect text match because no candidate shares more.
IDEAL_SHARE = 0.5
#: Below this the scale is not trusted (no terms, an empty index).
TEXT_FLOOR = 0.5
#: A space rarely answers a material request (and so on): text alone counts half across types.
OTHER_TYPE_TEXT_FACTOR = 0.5
#: Modes in which an offer is lent or booked and comes back (listings.models.SHARED_MODES).
SHARED_MODES = ("lend", "book")
LOAN_FOR_KEEPS_FACTOR = 0.7
CONDITION_SCORES = {"new": 1.0, "good": 0.9, "used": 0.7, "for_parts": 0.3, None: 0.7}


@dataclass(slots=True)
class Facts:
    """What scoring needs to know of a listing."""

    id: int
    kind: str
    category_id: int
    category_parent_id: int | None
    resource_type: str
    quantity_remaining: Decimal
    unit: str
    #: The mass of one unit (core.units.unit_mass_kg: the listing's weight, else the category's).
    kg_per_unit: Decimal | None
    lat: float | None
    lon: float | None
    available_until: date | None
    condition: str | None
    price_eur: Decimal
    created_at: datetime
    organisation_id: int = 0
    mode: str = "give"
    #: The words it is about (relevance.wording_of); None: not known, text relevance decides.
    wording: Wording | None = None


@dataclass(frozen=True)
class Reason:
    """Why a candidate matches, as a code and values; reasons.py puts it into words."""

    code: str
    values: tuple[tuple[str, object], ...] = ()

    def value(self, name: str, default=None):
        return dict(self.values).get(name, default)


@dataclass(frozen=True)
class Scored:
    candidate: Facts
    score: float
    reasons: tuple[Reason, ...]
    components: dict[str, float] = field(default_factory=dict, compare=False)
    #: Shares a meaningful word with the target (else only a category: "maybe also of interest").
    is_match: bool = True


def distance_km(a: Facts, b: Facts) -> float | None:
    if None in (a.lat, a.lon, b.lat, b.lon):
        return None
    return haversine_km(a.lat, a.lon, b.lat, b.lon)


def distance_score(km: float | None) -> float:
    if km is None:
        return 0.3
    return 1.0 / (1.0 + (max(km, 0.0) / DISTANCE_SCALE_KM) ** 1.5)


def category_score(a: Facts, b: Facts) -> tuple[float, str | None]:
    if a.category_id == b.category_id:
        return 1.0, "same_category"
    if (
        a.category_parent_id == b.category_id
        or b.category_parent_id == a.category_id
        or (a.category_parent_id is not None and a.category_parent_id == b.category_parent_id)
    ):
        return 0.6, "related_category"
    if a.resource_type == b.resource_type:
        return 0.15, None
    return 0.0, None


def _kg(facts: Facts, quantity: Decimal) -> Decimal | None:
    return estimated_mass_kg(
        quantity,
        facts.unit,
        resource_type=facts.resource_type,
        listing_kg_per_unit=facts.kg_per_unit,
        category_kg_per_unit=None,  # facts.kg_per_unit holds the category's already
    )


def coverage(offer: Facts, request: Facts) -> Decimal | None:
    """Share of the request's remaining quantity the offer's remaining quantity covers (<= 1);
    None when the units cannot be compared."""
    wanted, available = request.quantity_remaining, offer.quantity_remaining
    if offer.unit != request.unit:
        wanted_kg = _kg(request, wanted)
        available_kg = _kg(offer, available)
        if wanted_kg is None or available_kg is None:
            return None
        wanted, available = wanted_kg, available_kg
    if wanted <= 0:
        return None
    return min(Decimal(1), available / wanted)


def _days_left(until: date | None, on: date) -> int | None:
    return None if until is None else (until - on).days


def availability_score(offer: Facts, request: Facts, on: date) -> tuple[float, list[Reason]]:
    reasons = []
    offer_days = _days_left(offer.available_until, on)
    request_days = _days_left(request.available_until, on)
    score = 0.6
    if offer_days is not None:
        score = 1.0 if offer_days <= URGENT_DAYS else 0.7
        if offer_days <= URGENT_DAYS:
            reasons.append(Reason("expires_in", (("days", offer_days),)))
    if request_days is not None and request_days <= 2 * URGENT_DAYS:
        if request_days <= URGENT_DAYS:
            score = max(score, 0.9)
        reasons.append(Reason("needed_by", (("date", request.available_until),)))
    return score, reasons


def terms_score(offer: Facts, request: Facts) -> tuple[float, list[Reason]]:
    """Price and condition of the offer, for the request."""
    reasons = []
    if not offer.price_eur:
        price = 1.0
        reasons.append(Reason("free"))
    elif request.price_eur and offer.price_eur <= request.price_eur:
        price = 0.8
        reasons.append(Reason("within_budget", (("price", offer.price_eur),)))
    else:
        price = 0.2 if request.price_eur else 0.5
    condition = CONDITION_SCORES.get(offer.condition, 0.7)
    if offer.condition in ("new", "good"):
        reasons.append(Reason("condition", (("condition", offer.condition),)))
    return 0.7 * price + 0.3 * condition, reasons


def text_norm(best_bm25: float, ideal: float = 0.0) -> float:
    """Divisor for the candidates' BM25 scores."""
    return max(best_bm25, IDEAL_SHARE * ideal, TEXT_FLOOR)


def score_pair(target: Facts, candidate: Facts, text: float, on: date) -> Scored:
    """Score one candidate for the target; `text` is its normalised text relevance in [0, 1]."""
    offer, request = (target, candidate) if target.kind == "offer" else (candidate, target)
    text = min(1.0, max(0.0, text))
    category, category_code = category_score(target, candidate)
    if target.resource_type != candidate.resource_type:
        text *= OTHER_TYPE_TEXT_FACTOR
    km = distance_km(target, candidate)
    covered = coverage(offer, request)
    quantity = float(covered) if covered is not None else 0.5
    availability, availability_reasons = availability_score(offer, request, on)
    terms, terms_reasons = terms_score(offer, request)
    components = {
        "text": text,
        "category": category,
        "distance": distance_score(km),
        "quantity": quantity,
        "availability": availability,
        "terms": terms,
    }
    relevance = max(text, CATEGORY_ONLY_RELEVANCE * category)
    score = WEIGHTS["text"] * text + WEIGHTS["category"] * category
    score += relevance * sum(
        WEIGHTS[k] * components[k] for k in ("distance", "quantity", "availability", "terms")
    )
    reasons: list[Reason] = []
    if target.wording is not None and candidate.wording is not None:
        word = shared_word(target.wording, candidate.wording)
        is_match = word is not None
        if word:
            reasons.append(Reason("shared_word", (("word", word),)))
    else:
        is_match = text > 0
    if offer.mode in SHARED_MODES:
        if request.mode in SHARED_MODES:
            reasons.append(Reason("can_borrow"))
        else:
            score *= LOAN_FOR_KEEPS_FACTOR
    if category_code:
        reasons.append(Reason(category_code))
    if text >= 0.5 and not any(r.code == "shared_word" for r in reasons):
        reasons.append(Reason("similar_text"))
    if km is not None:
        reasons.append(Reason("distance", (("km", round(km, 1)),)))
    if covered is not None:
        reasons.append(Reason("covers", (("percent", int(covered * 100)),)))
    reasons += availability_reasons + terms_reasons
    score = round(min(1.0, max(0.0, score)), 4)
    return Scored(candidate, score, tuple(reasons), components, is_match)


def rank(
    target: Facts,
    candidates: list[tuple[Facts, float]],
    on: date,
    *,
    ideal_text: float = 0.0,
    min_score: float = 0.2,
) -> list[Scored]:
    """Score (candidate, raw BM25) pairs and return them best first (ties: nearer, newer);
    `ideal_text` is the BM25 of a candidate with every term of the target in its title."""
    norm = text_norm(max((bm25 for _, bm25 in candidates), default=0.0), ideal_text)
    scored = [score_pair(target, c, bm25 / norm, on) for c, bm25 in candidates]
    scored = [s for s in scored if s.score >= min_score]
    scored.sort(key=lambda s: (-s.score, -s.components["distance"], -s.candidate.id))
    return scored
