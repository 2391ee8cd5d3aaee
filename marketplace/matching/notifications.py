"""E-mail about alerts, in each recipient's language, sent after the commit (core.mail): right away
for people who chose 'instant', as a daily digest for the others (the default)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.routing import BuildError

from marketplace.auth.models import User
from marketplace.core.clock import utcnow
from marketplace.core.mail import queue_mail
from marketplace.extensions import db
from marketplace.matching.models import DEFAULT_EMAIL_CHOICE, MatchAlert, MatchAlertSettings
from marketplace.matching.reasons import describe_all, from_json

#: A first digest reaches back at most this far.
DIGEST_LOOKBACK = timedelta(days=7)
_REGION = ZoneInfo("Europe/Berlin")


def _url(endpoint: str, fallback: str, **values) -> str:
    """Absolute link; a path when no server name is known (CLI, threads)."""
    try:
        return url_for(endpoint, _external=True, **values)
    except (RuntimeError, BuildError):
        return fallback


def _members(organisation_id: int):
    statement = (
        select(User, MatchAlertSettings)
        .outerjoin(MatchAlertSettings, MatchAlertSettings.user_id == User.id)
        .where(User.organisation_id == organisation_id, User.active.is_(True))
    )
    return db.session.execute(statement).all()


def _alert_view(alert: MatchAlert) -> dict:
    return {
        "alert": alert,
        "listing": alert.listing,
        "url": _url(
            "listings.detail", f"/listings/{alert.listing_id}", listing_id=alert.listing_id
        ),
        "reasons": describe_all(from_json(alert.reasons)),
    }


def mail_instant_alert(alert: MatchAlert) -> int:
    """Queue one mail per member of the alerted organisation who chose 'instant'."""
    sent = 0
    for user, settings in _members(alert.organisation_id):
        if (settings.email if settings else DEFAULT_EMAIL_CHOICE) != "instant":
            continue
        locale = user.locale or "de"
        with force_locale(locale):
            subject = _("New match: “%(title)s”", title=alert.listing.title)
            view = _alert_view(alert)
        queue_mail(
            db.session,
            user.email,
            subject,
            "email/match_alert.txt",
            locale,
            recipient=user,
            matches_url=_url("matching.index", "/matches"),
            **view,
        )
        sent += 1
    return sent


def start_of_local_day(now: datetime) -> datetime:
    """Midnight in the region, as naive UTC."""
    local = now.replace(tzinfo=ZoneInfo("UTC")).astimezone(_REGION)
    midnight = datetime.combine(local.date(), time(0), tzinfo=_REGION)
    return midnight.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def _pending(organisation_id: int, since: datetime, until: datetime) -> list[MatchAlert]:
    statement = (
        select(MatchAlert)
        .where(
            MatchAlert.organisation_id == organisation_id,
            MatchAlert.created_at > since,
            MatchAlert.created_at <= until,
            MatchAlert.seen_at.is_(None),
            MatchAlert.dismissed_at.is_(None),
        )
        .order_by(MatchAlert.created_at.desc(), MatchAlert.id.desc())
        .limit(50)
    )
    return list(db.session.execute(statement).unique().scalars())


def organisations_with_pending_alerts(until: datetime, now: datetime) -> list[int]:
    statement = (
        select(MatchAlert.organisation_id)
        .where(
            MatchAlert.created_at > now - DIGEST_LOOKBACK,
            MatchAlert.created_at <= until,
            MatchAlert.seen_at.is_(None),
            MatchAlert.dismissed_at.is_(None),
        )
        .distinct()
    )
    return list(db.session.execute(statement).scalars())


def send_digests(now: datetime | None = None, *, due_only: bool = False) -> int:
    """One mail per person on the daily digest with their organisation's alerts not yet mailed,
    seen or dismissed; returns how many. `due_only` (the sweep): alerts of earlier days only, to
    people not mailed yet today. The caller commits."""
    now = now or utcnow()
    until = start_of_local_day(now) if due_only else now
    sent = 0
    for organisation_id in organisations_with_pending_alerts(until, now):
        for user, settings in _members(organisation_id):
            if (settings.email if settings else DEFAULT_EMAIL_CHOICE) != "daily":
                continue
            since = max(user.created_at, now - DIGEST_LOOKBACK)
            if settings is not None and settings.mailed_until is not None:
                since = max(since, settings.mailed_until)
            alerts = _pending(organisation_id, since, until)
            if not alerts:
                continue
            _queue_digest(user, alerts)
            if settings is None:
                settings = MatchAlertSettings(user_id=user.id, email=DEFAULT_EMAIL_CHOICE)
                db.session.add(settings)
            settings.mailed_until = until
            sent += 1
    db.session.flush()
    return sent


def _queue_digest(user: User, alerts: list[MatchAlert]) -> None:
    locale = user.locale or "de"
    with force_locale(locale):
        subject = ngettext(
            "%(num)d new match on Stoffwechsel", "%(num)d new matches on Stoffwechsel", len(alerts)
        )
        views = [_alert_view(alert) for alert in alerts]
    queue_mail(
        db.session,
        user.email,
        subject,
        "email/match_digest.txt",
        locale,
        recipient=user,
        items=views,
        matches_url=_url("matching.index", "/matches"),
    )
