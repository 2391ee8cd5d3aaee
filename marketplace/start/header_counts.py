"""The header's badges for a signed-in reader: unread exchanges, bookings waiting for an answer
and new match alerts, counted in one statement (three before, on every page), with whether the
region has a local currency (the "Account" link; a statement of its own before)."""

from functools import cache
from types import SimpleNamespace

from flask import g, request
from flask_login import current_user
from sqlalchemy import bindparam, exists, select

from marketplace.bookings.queries import waiting_bookings_count_select
from marketplace.core.kept_reads import kept_read
from marketplace.exchanges.queries import unread_exchanges_count_select
from marketplace.extensions import db
from marketplace.ledger.models import Currency
from marketplace.matching.queries import unseen_alerts_count_select

_NONE = {
    "exchange_unread_count": 0,
    "booking_waiting_count": 0,
    "match_alert_count": 0,
    "has_local_currency": False,
}


@cache
def _counts_statement():
    """Built once with parameters: constructing the three counts anew cost about as much as
    running them (every signed-in page asks)."""
    reader = SimpleNamespace(id=bindparam("user_id"), organisation_id=bindparam("org_id"))
    return select(
        unread_exchanges_count_select(reader).scalar_subquery(),
        waiting_bookings_count_select(bindparam("org_id")).scalar_subquery(),
        unseen_alerts_count_select(bindparam("org_id")).scalar_subquery(),
        exists(select(Currency.id)),
    )


def header_counts() -> dict:
    """Context processor: the badges' counts, once per request, only for signed-in pages."""
    counts = g.get("header_counts")
    if counts is not None:
        return counts
    user = current_user._get_current_object() if current_user else None
    if not user or not user.is_authenticated or request.path.startswith("/api/"):
        return _NONE
    reader = (user.id, user.organisation_id)
    counts = g.header_counts = kept_read("header_counts", reader, lambda: _count(*reader))
    return counts


def _count(user_id: int, org_id: int) -> dict:
    unread, waiting, alerts, currency = db.session.execute(
        _counts_statement(), {"user_id": user_id, "org_id": org_id}
    ).one()
    return {
        "exchange_unread_count": int(unread or 0),
        "booking_waiting_count": int(waiting or 0),
        "match_alert_count": int(alerts or 0),
        "has_local_currency": bool(currency),
    }
