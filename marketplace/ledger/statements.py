"""What the account pages share: the history's filters from a form, the organisations one can
pay or ask, and the statement as downloads in the reader's language."""

import os
import tempfile
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Response
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from marketplace.core.clock import as_aware
from marketplace.core.filenames import period_filename
from marketplace.core.i18n import current_language
from marketplace.extensions import db
from marketplace.ledger.exports import iter_statement_csv, write_statement_xlsx
from marketplace.ledger.forms import StatementFilterForm
from marketplace.ledger.models import TRANSFER_KINDS
from marketplace.ledger.queries import StatementFilter
from marketplace.orgs.models import Organisation

_REGION = ZoneInfo("Europe/Berlin")


def filters_from(form: StatementFilterForm) -> StatementFilter:
    """The valid filters of the form (an invalid date is left out and marked on the form)."""
    form.validate()
    start = form.start.data if not form.start.errors else None
    end = form.end.data if not form.end.errors else None
    if start and end and end < start:
        start, end = end, start
    direction = form.direction.data if form.direction.data in ("in", "out") else None
    return StatementFilter(start=start, end=end, direction=direction, q=(form.q.data or "")[:100])


def organisation_choices(own_id: int) -> list[SelectChoice]:
    """Every other organisation, by name, as choices of a select."""
    rows = db.session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.id != own_id)
        .order_by(Organisation.name, Organisation.id)
    ).all()
    return [SelectChoice("", _("Choose an organisation"))] + [
        SelectChoice(str(i), name) for i, name in rows
    ]


def _timestamp(value: datetime) -> str:
    return as_aware(value).astimezone(_REGION).strftime("%Y-%m-%d %H:%M")


def _kind(kind: str) -> str:
    return str(TRANSFER_KINDS.get(kind, kind))


def _filename(organisation: Organisation, extension: str, period: StatementFilter | None) -> str:
    """e.g. stoffwechsel-kontoauszug-tafel-2026-01-01-bis-2026-12-01.csv (ASCII only)."""
    safe = "".join(c if c.isascii() and c.isalnum() else "-" for c in organisation.name.lower())
    subject = "-".join(part for part in safe.split("-") if part)[:40].strip("-")
    start, end = (period.start, period.end) if period else (None, None)
    return period_filename(
        "statement",
        start,
        end,
        extension,
        current_language(),
        subject=subject or str(organisation.id),
    )


def _headers(name: str) -> dict[str, str]:
    return {
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    }


def statement_csv_response(
    lines, organisation: Organisation, period: StatementFilter | None = None
) -> Response:
    body = "".join(iter_statement_csv(lines, _timestamp, _kind)).encode("utf-8")
    return Response(
        body,
        mimetype="text/csv",
        headers=_headers(_filename(organisation, "csv", period)),
    )


def statement_xlsx_response(
    lines, organisation: Organisation, period: StatementFilter | None = None
) -> Response:
    headers = [
        _("Date"),
        _("Transfer"),
        _("Kind"),
        _("Other organisation"),
        _("What for"),
        _("Amount"),
        _("Balance"),
        _("Exchange"),
        _("Booking"),
        _("Reverses"),
    ]
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        write_statement_xlsx(path, lines, _timestamp, _kind, headers)
        with open(path, "rb") as file:
            body = file.read()
    finally:
        os.unlink(path)
    return Response(
        body,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=_headers(_filename(organisation, "xlsx", period)),
    )
