"""Structured reasons (scoring.Reason, or their stored JSON form) in the reader's language."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from flask_babel import format_date, ngettext
from flask_babel import gettext as _

from marketplace.core.numbers import format_number
from marketplace.matching.scoring import Reason


def _condition(value: str) -> str:
    return {"new": _("new"), "good": _("good")}.get(value, value)


def describe(reason: Reason) -> str | None:
    """One reason as text, or None for a code this version does not know."""
    code, value = reason.code, reason.value
    if code == "same_category":
        return _("same category")
    if code == "related_category":
        return _("related category")
    if code == "shared_word":
        return _("in both: “%(word)s”", word=value("word", ""))
    if code == "similar_text":
        return _("similar wording")
    if code == "distance":
        km = float(value("km", 0))
        if km < 0.1:
            return _("same place")
        return _("%(km)s km away", km=format_number(km, format="#,##0.0"))
    if code == "covers":
        return _("covers %(percent)s%% of the quantity", percent=value("percent", 0))
    if code == "expires_in":
        days = int(value("days", 0))
        if days <= 0:
            return _("expires today")
        return ngettext("expires in %(num)d day", "expires in %(num)d days", days)
    if code == "needed_by":
        needed = value("date")
        if isinstance(needed, str):
            needed = date.fromisoformat(needed)
        return _("needed by %(date)s", date=format_date(needed, "medium")) if needed else None
    if code == "free":
        return _("free of charge")
    if code == "within_budget":
        return _("within the budget")
    if code == "condition":
        return _("condition: %(condition)s", condition=_condition(value("condition", "")))
    if code == "can_borrow":
        return _("can be borrowed")
    if code == "saved_search":
        return _("found by your saved search “%(q)s”", q=value("q", ""))
    return None


def describe_all(reasons: Iterable[Reason]) -> list[str]:
    return [text for text in map(describe, reasons) if text]


def to_json(reasons: Iterable[Reason]) -> list:
    """For storage: [[code, {name: value}], ...] with dates as ISO strings."""
    out = []
    for r in reasons:
        values = {k: _plain(v) for k, v in r.values}
        out.append([r.code, values])
    return out


def _plain(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def from_json(data) -> list[Reason]:
    out = []
    for item in data or []:
        try:
            code, values = item
            out.append(Reason(str(code), tuple(sorted(dict(values).items()))))
        except (TypeError, ValueError):
            continue
    return out
