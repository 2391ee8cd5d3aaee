"""/admin/audit: the audit log for admins, filtered by action and days, and its CSV export."""

import csv
import io
from datetime import date

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_login import current_user, login_required

from marketplace.audit.labels import ACTION_LABELS
from marketplace.audit.queries import export_entries, list_entries, require_admin
from marketplace.core.cells import neutralise
from marketplace.core.clock import as_aware
from marketplace.core.pagination import PageRequest

bp = Blueprint("audit", __name__)


def _filters() -> dict:
    def day(name: str) -> date | None:
        try:
            return date.fromisoformat(request.args.get(name, "")[:10])
        except ValueError:
            return None

    action = request.args.get("action")
    return {
        "action": action if action in ACTION_LABELS else None,
        "day_from": day("from"),
        "day_to": day("to"),
    }


@bp.get("/admin/audit")
@login_required
def log():
    filters = _filters()
    page = list_entries(current_user, PageRequest.from_args(request.args, 50), **filters)
    return render_template("audit/log.html", page=page, filters=filters, labels=ACTION_LABELS)


@bp.get("/admin/audit.csv")
@login_required
def export():
    require_admin(current_user)  # before the first byte: a refusal is a 403, not a broken file
    filters = _filters()
    entries = export_entries(current_user._get_current_object(), **filters)

    def rows():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        header = ("id", "time_utc", "actor_id", "actor", "role", "action", "organisation_id")
        writer.writerow((*header, "subject", "details"))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        for entry in entries:
            writer.writerow(
                (
                    entry.id,
                    as_aware(entry.created_at).isoformat(),
                    entry.actor_id or "",
                    neutralise(entry.actor_name),
                    entry.actor_role,
                    entry.action,
                    entry.organisation_id or "",
                    neutralise(entry.subject),
                    neutralise(entry.details),
                )
            )
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    return Response(
        stream_with_context(rows()),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )
