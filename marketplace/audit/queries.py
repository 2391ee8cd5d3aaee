"""The audit log as admins read and export it."""

from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from marketplace.audit.models import ACTIONS, AuditEntry
from marketplace.core.errors import PermissionDenied
from marketplace.core.pagination import Page, PageRequest
from marketplace.extensions import db


def require_admin(user) -> None:
    if not getattr(user, "is_admin", False):
        raise PermissionDenied(_("Only administrators can read the audit log."))


def _filtered(action: str | None, day_from: date | None, day_to: date | None):
    statement = select(AuditEntry)
    if action in ACTIONS:
        statement = statement.where(AuditEntry.action == action)
    if day_from:
        statement = statement.where(AuditEntry.created_at >= datetime.combine(day_from, time()))
    if day_to:
        end = datetime.combine(day_to + timedelta(days=1), time())
        statement = statement.where(AuditEntry.created_at < end)
    return statement


def list_entries(user, page: PageRequest, action=None, day_from=None, day_to=None) -> Page:
    require_admin(user)
    statement = _filtered(action, day_from, day_to)
    total = db.session.scalar(select(func.count()).select_from(statement.subquery()))
    items = db.session.scalars(
        statement.order_by(AuditEntry.id.desc()).offset(page.offset).limit(page.per_page)
    ).all()
    return Page(items=list(items), total=total, page=page.page, per_page=page.per_page)


EXPORT_COLUMNS = (
    "id",
    "created_at",
    "actor_id",
    "actor_name",
    "actor_role",
    "action",
    "organisation_id",
    "subject",
    "details",
)


def export_entries(user, action=None, day_from=None, day_to=None, batch: int = 500):
    """Every matching entry as plain rows (EXPORT_COLUMNS), oldest first, read in batches by id:
    no server-side cursor and no ORM objects, which would not outlive the request's transaction
    while the response streams."""
    require_admin(user)
    columns = [getattr(AuditEntry, name) for name in EXPORT_COLUMNS]
    statement = _filtered(action, day_from, day_to).with_only_columns(*columns)
    last = 0
    while True:
        rows = db.session.execute(
            statement.where(AuditEntry.id > last).order_by(AuditEntry.id).limit(batch)
        ).all()
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1].id
