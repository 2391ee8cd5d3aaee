"""Reads: the best counterparts of a listing, an organisation's alerts and saved searches."""

import threading
from collections import defaultdict
from dataclasses import dataclass

from cachetools import LRUCache
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from marketplace.core.clock import today
from marketplace.core.pagination import Page, PageRequest
from marketplace.extensions import db
from marketplace.listings.liveness import open_with_quantity_left, status_on
from marketplace.listings.models import LIVE_STATUSES, Listing
from marketplace.listings.queries import listing_finder
from marketplace.matching import candidates, scoring
from marketplace.matching.models import (
    DEFAULT_EMAIL_CHOICE,
    MatchAlert,
    MatchAlertSettings,
    SavedSearch,
)
from marketplace.matching.reasons import describe_all

MAX_LIMIT = 50


@dataclass(frozen=True)
class Match:
    listing: Listing  # the candidate, loaded with category and organisation
    score: float  # in [0, 1]
    reasons: list[str]  # human text in the current request's language (flask_babel)


def score_candidates(
    listing: Listing, *, viewer_organisation_id: int | None = None
) -> list[scoring.Scored]:
    """Every retrieved candidate of the listing scored, best first (what find_matches and the
    alerts cut from), without the pairs the viewer's or the listing's organisation dismissed."""
    return score_candidates_of([listing], viewer_organisation_id)[listing.id]


def score_candidates_of(
    listings: list[Listing], viewer_organisation_id: int | None = None
) -> dict[int, list[scoring.Scored]]:
    """score_candidates for several listings, with one query for their dismissed pairs."""
    listings = [item for item in listings if item.kind in candidates.OPPOSITE]
    dismissed = candidates.dismissed_pairs(
        [item.id for item in listings],
        {viewer_organisation_id, *(item.organisation_id for item in listings)},
    )
    out: dict[int, list[scoring.Scored]] = defaultdict(list)
    for item in listings:
        hiding = {viewer_organisation_id, item.organisation_id}
        hidden = {other for org, other in dismissed[item.id] if org in hiding}
        out[item.id] = [s for s in _scored_candidates(item) if s.candidate.id not in hidden]
    return out


#: Scored candidates per listing state and index version, per process. A listing page scored
#: its candidates on every view (a search, a query and the scoring: 40 % of the page); they
#: change only when a listing changes, which changes the index version in every process.
_scores: LRUCache = LRUCache(maxsize=2048)
_scores_lock = threading.Lock()


def _scored_candidates(listing: Listing) -> list[scoring.Scored]:
    finder = listing_finder()
    on = today()
    key = None
    if finder is not None:
        key = (
            listing.id,
            listing.updated_at,
            listing.status,
            listing.quantity_remaining,
            listing.available_until,
            on,
            finder.current_version(),
        )
        with _scores_lock:
            kept = _scores.get(key)
        if kept is not None:
            return kept
    related = candidates.retrieve(listing, exclude_organisation_id=listing.organisation_id)
    found = related.scores
    scored: list[scoring.Scored] = []
    if found:
        facts = candidates.load_open_facts(
            found, candidates.OPPOSITE[listing.kind], listing.id, listing.organisation_id, (), on
        )
        target = candidates.facts_of(listing)
        pairs = [(f, found.get(f.id, 0.0)) for f in facts]
        scored = scoring.rank(target, pairs, on, ideal_text=related.ideal)
    if key is not None:
        with _scores_lock:
            _scores[key] = scored
    return scored


def load_listings(ids: list[int]) -> dict[int, Listing]:
    """Listings with category and organisation, in one query."""
    if not ids:
        return {}
    rows = db.session.execute(select(Listing).where(Listing.id.in_(ids))).unique().scalars()
    return {listing.id: listing for listing in rows}


@dataclass(frozen=True)
class Candidates:
    #: Counterparts sharing a meaningful word, best first.
    matches: list[Match]
    #: Counterparts sharing only a category: "maybe also of interest", shown without a score.
    maybe: list[Match]


def find_candidates(
    listing: Listing,
    *,
    limit: int = 5,
    maybe_limit: int = 0,
    viewer_organisation_id: int | None = None,
) -> Candidates:
    """Best open counterparts: for a request open offers, for an offer open requests; best first.
    Never the listing's own organisation's listings; hides pairs that viewer_organisation_id
    (or the listing's organisation) dismissed as 'not interested'. One search, one query."""
    return find_candidates_of(
        [listing],
        limit=limit,
        maybe_limit=maybe_limit,
        viewer_organisation_id=viewer_organisation_id,
    )[listing.id]


def find_candidates_of(
    listings: list[Listing],
    *,
    limit: int = 5,
    maybe_limit: int = 0,
    viewer_organisation_id: int | None = None,
) -> dict[int, Candidates]:
    """find_candidates for several listings (an overview page): the same number of queries
    for one listing or ten."""
    limit = max(0, min(int(limit), MAX_LIMIT))
    maybe_limit = max(0, min(int(maybe_limit), MAX_LIMIT))
    if not limit and not maybe_limit:
        return {listing.id: Candidates([], []) for listing in listings}
    scored = score_candidates_of(listings, viewer_organisation_id)
    cut = {
        listing.id: (
            [s for s in scored[listing.id] if s.is_match][:limit],
            [s for s in scored[listing.id] if not s.is_match][:maybe_limit],
        )
        for listing in listings
    }
    loaded = load_listings(
        sorted({s.candidate.id for best, maybe in cut.values() for s in best + maybe})
    )

    def matches(items: list[scoring.Scored]) -> list[Match]:
        return [
            Match(loaded[s.candidate.id], s.score, describe_all(s.reasons))
            for s in items
            if s.candidate.id in loaded
        ]

    return {
        listing_id: Candidates(matches(best), matches(maybe))
        for listing_id, (best, maybe) in cut.items()
    }


def find_matches(
    listing: Listing, *, limit: int = 5, viewer_organisation_id: int | None = None
) -> list[Match]:
    """The best counterparts that share a meaningful word (find_candidates' matches)."""
    return find_candidates(
        listing, limit=limit, viewer_organisation_id=viewer_organisation_id
    ).matches


def find_matches_if_live(
    listing: Listing, *, limit: int = 5, viewer_organisation_id: int | None = None
) -> list[Match]:
    """Matches of an open or reserved listing; none for a closed, expired or withdrawn one."""
    if status_on(listing.status, listing.available_until) not in LIVE_STATUSES:
        return []
    return find_matches(listing, limit=limit, viewer_organisation_id=viewer_organisation_id)


# ---- an organisation's listings with their candidates (the "Matches" page, the start page) --

#: Listings of the organisation per page of /matches, and candidates shown for each: bounds the
#: page to OVERVIEW_LISTINGS candidate searches.
OVERVIEW_LISTINGS = 10
OVERVIEW_MATCHES = 3
OVERVIEW_MAYBE = 2


@dataclass(frozen=True)
class ListingCandidates:
    listing: Listing  # the organisation's own open listing
    candidates: Candidates


def _open_listings_of(organisation_id: int):
    return select(Listing.id).where(
        Listing.organisation_id == organisation_id,
        Listing.kind.in_(tuple(candidates.OPPOSITE)),
        open_with_quantity_left(today()),
    )


def page_open_listings_of_org(organisation_id: int, page: PageRequest) -> Page:
    """The organisation's open offers and requests, newest first."""
    ids = _open_listings_of(organisation_id)
    total = db.session.execute(select(func.count()).select_from(ids.subquery())).scalar_one()
    items = list(
        db.session.execute(
            select(Listing)
            .where(Listing.id.in_(ids.scalar_subquery()))
            .order_by(Listing.created_at.desc(), Listing.id.desc())
            .offset(page.offset)
            .limit(page.per_page)
        )
        .unique()
        .scalars()
    )
    return Page(items=items, total=int(total), page=page.page, per_page=page.per_page)


def page_candidates_for_org(organisation_id: int, page: PageRequest) -> Page:
    """A page of the organisation's open listings, each with its best matches and a few
    "maybe also of interest" (items: ListingCandidates)."""
    page = PageRequest(page.page, min(page.per_page, OVERVIEW_LISTINGS))
    listings = page_open_listings_of_org(organisation_id, page)
    found = find_candidates_of(
        listings.items,
        limit=OVERVIEW_MATCHES,
        maybe_limit=OVERVIEW_MAYBE,
        viewer_organisation_id=organisation_id,
    )
    items = [ListingCandidates(listing, found[listing.id]) for listing in listings.items]
    return Page(items=items, total=listings.total, page=listings.page, per_page=listings.per_page)


def list_top_candidates_for_org(
    organisation_id: int, limit: int = 5
) -> list[tuple[Listing, Match]]:
    """The best matches (never category-only pairs) across the organisation's newest open
    listings, as (own listing, match), best first: "new matches" for the start page."""
    listings = page_open_listings_of_org(organisation_id, PageRequest(1, OVERVIEW_LISTINGS))
    candidates_of = find_candidates_of(
        listings.items, limit=limit, viewer_organisation_id=organisation_id
    )
    found = [
        (listing, match)
        for listing in listings.items
        for match in candidates_of[listing.id].matches
    ]
    found.sort(key=lambda pair: -pair[1].score)
    return found[: max(0, limit)]


# ---- alerts and saved searches ---------------------------------------------------------------


def list_alerts(organisation_id: int, limit: int = 50) -> list[MatchAlert]:
    """The organisation's alerts that are not dismissed, newest first."""
    statement = (
        select(MatchAlert)
        .where(MatchAlert.organisation_id == organisation_id, MatchAlert.dismissed_at.is_(None))
        .order_by(MatchAlert.created_at.desc(), MatchAlert.id.desc())
        .limit(limit)
        .options(selectinload(MatchAlert.own_listing))  # pages show it per alert
    )
    return list(db.session.execute(statement).unique().scalars())


def unseen_alerts_count_select(organisation_id: int):
    return select(func.count(MatchAlert.id)).where(
        MatchAlert.organisation_id == organisation_id,
        MatchAlert.seen_at.is_(None),
        MatchAlert.dismissed_at.is_(None),
    )


def count_unseen_alerts(organisation_id: int) -> int:
    return db.session.execute(unseen_alerts_count_select(organisation_id)).scalar_one()


def get_alert_for_organisation(alert_id: int, organisation_id: int) -> MatchAlert | None:
    alert = db.session.get(MatchAlert, alert_id)
    return alert if alert is not None and alert.organisation_id == organisation_id else None


def list_saved_searches(user_id: int) -> list[SavedSearch]:
    statement = (
        select(SavedSearch)
        .where(SavedSearch.user_id == user_id)
        .order_by(SavedSearch.created_at.desc(), SavedSearch.id.desc())
    )
    return list(db.session.execute(statement).scalars())


def get_saved_search_for_user(search_id: int, user_id: int) -> SavedSearch | None:
    search = db.session.get(SavedSearch, search_id)
    return search if search is not None and search.user_id == user_id else None


def email_choice(user_id: int) -> str:
    settings = db.session.get(MatchAlertSettings, user_id)
    return settings.email if settings is not None else DEFAULT_EMAIL_CHOICE


def alerting_saved_searches(exclude_organisation_id: int, kind: str, limit: int = 500):
    """Saved searches with alerts on of other organisations that may find a listing of `kind`."""
    statement = (
        select(SavedSearch)
        .where(
            SavedSearch.alerts.is_(True),
            SavedSearch.organisation_id != exclude_organisation_id,
            or_(SavedSearch.kind.is_(None), SavedSearch.kind == kind),
        )
        .order_by(SavedSearch.id.desc())
        .limit(limit)
    )
    return list(db.session.execute(statement).scalars())
