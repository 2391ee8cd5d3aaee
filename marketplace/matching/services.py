"""Writes of matching: "not interested", alerts about new listings, saved searches, e-mail choice.
Services only flush; the caller commits."""

from collections.abc import Mapping

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from marketplace.auth.models import User
from marketplace.core.clock import utcnow
from marketplace.core.errors import NotFound, ValidationFailed
from marketplace.core.geo import postcode_coordinates
from marketplace.core.numbers import NotANumber, parse_decimal
from marketplace.extensions import db
from marketplace.listings.models import Listing
from marketplace.matching import notifications, queries
from marketplace.matching.models import (
    EMAIL_CHOICES,
    MatchAlert,
    MatchAlertSettings,
    MatchDismissal,
    SavedSearch,
)
from marketplace.matching.reasons import to_json
from marketplace.matching.saved import listing_terms, search_finds
from marketplace.matching.scoring import Reason

MAX_SAVED_SEARCHES = 20
KINDS = ("offer", "request")


def dismiss_match(user: User, listing: Listing, candidate_id: int) -> MatchDismissal:
    """The user's organisation is not interested in `candidate_id` for its own `listing`: the pair
    never shows again, either way round (NotFound when the listing is not theirs)."""
    if listing.organisation_id != user.organisation_id or listing.id == candidate_id:
        raise NotFound()
    if db.session.get(Listing, candidate_id) is None:
        raise NotFound()
    return _dismiss(user, listing.id, candidate_id)


def _dismiss(user: User, listing_id: int, candidate_id: int) -> MatchDismissal:
    existing = db.session.execute(
        select(MatchDismissal).where(
            MatchDismissal.organisation_id == user.organisation_id,
            MatchDismissal.listing_id == listing_id,
            MatchDismissal.candidate_id == candidate_id,
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    dismissal = MatchDismissal(
        organisation_id=user.organisation_id,
        listing_id=listing_id,
        candidate_id=candidate_id,
        created_by_id=user.id,
    )
    db.session.add(dismissal)
    db.session.flush()
    return dismissal


def dismiss_alert(user: User, alert_id: int) -> MatchAlert:
    """'Not interested' on an alert: it disappears and the pair is hidden for good."""
    alert = queries.get_alert_for_organisation(alert_id, user.organisation_id)
    if alert is None:
        raise NotFound()
    alert.dismissed_at = alert.dismissed_at or utcnow()
    _dismiss(user, alert.own_listing_id or alert.listing_id, alert.listing_id)
    return alert


def mark_alerts_seen(organisation_id: int, alerts) -> int:
    now, count = utcnow(), 0
    for alert in alerts:
        if alert.organisation_id == organisation_id and alert.seen_at is None:
            alert.seen_at = now
            count += 1
    return count


# ---- alerts -----------------------------------------------------------------------------------


def _dismissing_organisations(listing_id: int) -> set[int]:
    statement = select(MatchDismissal.organisation_id).where(
        or_(MatchDismissal.listing_id == listing_id, MatchDismissal.candidate_id == listing_id)
    )
    return set(db.session.execute(statement).scalars())


def _alerted_organisations(listing_id: int) -> set[int]:
    statement = select(MatchAlert.organisation_id).where(MatchAlert.listing_id == listing_id)
    return set(db.session.execute(statement).scalars())


def record_alerts(listing: Listing) -> list[MatchAlert]:
    """Tell every other organisation whose open listing the new `listing` answers well (score at
    least MATCH_ALERT_MIN_SCORE), or whose saved search with alerts finds it: one alert per
    organisation and listing, never to one that is not interested; mail those who chose
    'instant'."""
    if listing.kind not in KINDS or listing.status != "open":
        return []
    threshold = float(current_app.config.get("MATCH_ALERT_MIN_SCORE", 0.5))
    skip = (
        _alerted_organisations(listing.id)
        | _dismissing_organisations(listing.id)
        | {listing.organisation_id}
    )
    found: dict[int, dict] = {}
    for scored in queries.score_candidates(listing):
        org = scored.candidate.organisation_id
        if scored.score < threshold:
            break
        if not scored.is_match:  # a shared category alone is no news
            continue
        if org in skip or org in found:
            continue
        found[org] = {
            "own_listing_id": scored.candidate.id,
            "score": scored.score,
            "reasons": to_json(scored.reasons),
        }
    searches = queries.alerting_saved_searches(listing.organisation_id, listing.kind)
    if searches:
        terms = listing_terms(listing)
        for search in searches:
            org = search.organisation_id
            if org in skip or org in found or not search_finds(search, listing, terms):
                continue
            found[org] = {
                "saved_search_id": search.id,
                "reasons": to_json([Reason("saved_search", (("q", search.q or ""),))]),
            }
    alerts = []
    for org, values in found.items():
        alert = MatchAlert(organisation_id=org, listing_id=listing.id, **values)
        try:
            with db.session.begin_nested():
                db.session.add(alert)
        except IntegrityError:  # told already (a concurrent run): once is enough
            continue
        alerts.append(alert)
    for alert in alerts:
        notifications.mail_instant_alert(alert)
    return alerts


# ---- saved searches and settings --------------------------------------------------------------


def _clean(value, limit: int) -> str | None:
    text = "".join(c for c in str(value or "") if c.isprintable()).strip()[:limit]
    return text or None


def save_search(user: User, args: Mapping[str, str]) -> SavedSearch:
    """Keep the browse page's search (q, kind, category, near, radius_km) for the user."""
    problems: dict[str, list] = {}
    q = _clean(args.get("q"), 200)
    kind = _clean(args.get("kind"), 10)
    if kind is not None and kind not in KINDS:
        problems["kind"] = [_("Not one of the allowed values.")]
    category = _clean(args.get("category"), 60)
    if category is not None:
        from marketplace.categories.queries import get_category_by_slug

        if get_category_by_slug(category) is None:
            problems["category"] = [_("Unknown category.")]
    near = _clean(args.get("near"), 5)
    if near is not None and postcode_coordinates(near) is None:
        problems["near"] = [_("Unknown postcode.")]
    radius = None
    if near and args.get("radius_km"):
        try:
            radius = float(parse_decimal(str(args.get("radius_km"))))
        except NotANumber:
            radius = -1.0
        if not 0 < radius <= 500:
            problems["radius_km"] = [_("The radius must be between 0 and 500 km.")]
    if not (q or category or near):
        problems["q"] = [_("Enter search words or choose a category or place first.")]
    if len(queries.list_saved_searches(user.id)) >= MAX_SAVED_SEARCHES:
        problems["q"] = [_("You can keep at most 20 searches. Delete one first.")]
    if problems:
        raise ValidationFailed(problems)
    search = SavedSearch(
        user_id=user.id,
        organisation_id=user.organisation_id,
        q=q or "",
        kind=kind,
        category=category,
        near=near,
        radius_km=radius,
    )
    db.session.add(search)
    db.session.flush()
    return search


def delete_saved_search(user: User, search_id: int) -> None:
    search = queries.get_saved_search_for_user(search_id, user.id)
    if search is None:
        raise NotFound()
    db.session.delete(search)
    db.session.flush()


def set_email_choice(user: User, choice: str) -> MatchAlertSettings:
    """How the user hears of alerts by e-mail; alerts until now count as mailed."""
    if choice not in EMAIL_CHOICES:
        raise ValidationFailed({"email": [_("Not one of the allowed values.")]})
    settings = db.session.get(MatchAlertSettings, user.id)
    if settings is None:
        settings = MatchAlertSettings(user_id=user.id)
        db.session.add(settings)
    if settings.email != choice:
        settings.mailed_until = utcnow()
    settings.email = choice
    db.session.flush()
    return settings
