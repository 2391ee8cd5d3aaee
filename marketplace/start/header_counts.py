"""The header's badges for a signed-in reader: unread exchanges, bookings waiting for an answer
and new match alerts, counted in one statement (three before, on every page)."""

from flask import g, request
from flask_login import current_user
from sqlalchemy import select

from marketplace.bookings.queries import waiting_bookings_count_select
from marketplace.exchanges.queries import unread_exchanges_count_select
from marketplace.extensions import db
from marketplace.matching.queries import unseen_alerts_count_select

_NONE = {"exchange_unread_count": 0, "booking_waiting_count": 0, "match_alert_count": 0}


def header_counts() -> dict:
    """Context processor: the badges' counts, once per request, only for signed-in pages."""
    if not current_user or not current_user.is_authenticated or request.path.startswith("/api/"):
        return _NONE
    if "header_counts" not in g:
        org_id = current_user.organisation_id
        unread, waiting, alerts = db.session.execute(
            select(
                unread_exchanges_count_select(current_user).scalar_subquery(),
                waiting_bookings_count_select(org_id).scalar_subquery(),
                unseen_alerts_count_select(org_id).scalar_subquery(),
            )
        ).one()
        g.header_counts = {
            "exchange_unread_count": int(unread or 0),
            "booking_waiting_count": int(waiting or 0),
            "match_alert_count": int(alerts or 0),
        }
    return g.header_counts
