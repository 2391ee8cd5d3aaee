"""Writing a lend/book offer's booking rules from the values of the rules form (flush only;
the caller commits). The rules are read back through bookings.rules.rules_of."""

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from marketplace.auth.models import User
from marketplace.bookings.models import FEE_BASES, BookingRules
from marketplace.bookings.rules import WEEKDAYS, parse_clock
from marketplace.core.errors import Conflict, PermissionDenied, ValidationFailed
from marketplace.core.numbers import NotANumber, parse_decimal
from marketplace.extensions import db
from marketplace.ledger.services import get_currency
from marketplace.listings.models import Listing

#: Minutes per unit of a length on the form.
LENGTH_UNITS = {"hours": 60, "days": 24 * 60}
#: Length fields of the form: (field, unit field, column).
LENGTH_FIELDS = (
    ("min_length", "min_unit", "min_minutes"),
    ("max_length", "max_unit", "max_minutes"),
    ("lead", "lead_unit", "lead_minutes"),
    ("buffer", "buffer_unit", "buffer_minutes"),
)
#: Windows per weekday on the form.
WINDOWS_PER_DAY = 2
MAX_CLOSED_DATES = 366
MONEY_MAX = Decimal("100000")
#: Up to a year, like a booking's longest span.
LENGTH_MAX_MINUTES = 366 * 24 * 60
_WINDOW = re.compile(r"^\s*(\d{1,2}(?::\d{2})?)\s*(?:-|–|—|bis|to)\s*(\d{1,2}(?::\d{2})?)\s*$")


def window_field(day: str, number: int) -> str:
    """The form field of a weekday's window ("hours_0_1": Monday's first)."""
    return f"hours_{day}_{number}"


class _Invalid(Exception):
    pass


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(value: Any) -> Decimal:
    try:
        return parse_decimal(value)
    except NotANumber:
        raise _Invalid(_("Enter a number, e.g. 2 or 1,5.")) from None


def _length(value: Any, unit: Any, *, zero_ok: bool) -> int | None:
    if _blank(value):
        return None
    if unit not in LENGTH_UNITS:
        raise _Invalid(_("Choose hours or days."))
    number = _number(value)
    if number < 0:
        raise _Invalid(_("Must not be negative."))
    minutes = int((number * LENGTH_UNITS[unit]).to_integral_value())
    if minutes == 0:
        if zero_ok:
            return None
        raise _Invalid(_("Must be more than 0."))
    if minutes > LENGTH_MAX_MINUTES:
        raise _Invalid(_("At most a year."))
    return minutes


def _clock_text(text: str) -> str:
    """ "9" or "9:30" as "09:00" / "09:30"; "24:00" stays."""
    hours, _sep, minutes = text.partition(":")
    normal = f"{int(hours):02d}:{minutes or '00'}"
    try:
        parse_clock(normal)
    except ValueError:
        raise _Invalid(_("“%(time)s” is not a time of day (00:00 to 24:00).", time=text)) from None
    return normal


def _window(value: str) -> list[str]:
    match = _WINDOW.match(value)
    if not match:
        raise _Invalid(_("Write the opening hours as “09:00–13:00”."))
    start, end = (_clock_text(part) for part in match.groups())
    if parse_clock(end) <= parse_clock(start):
        raise _Invalid(_("The end must be after the start."))
    return [start, end]


def _closed_date(line: str) -> str:
    text = line.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text).isoformat()
        match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text)
        if match:
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day).isoformat()
    except ValueError:
        pass
    raise _Invalid(_("“%(line)s” is not a date (YYYY-MM-DD or DD.MM.YYYY).", line=text))


def _local_money(value: Any) -> Decimal:
    amount = _money(value)
    if amount and get_currency() is None:
        raise _Invalid(_("No local currency is set up in this region."))
    return amount


def _money(value: Any) -> Decimal:
    if _blank(value):
        return Decimal("0.00")
    number = _number(value)
    if number < 0:
        raise _Invalid(_("Must not be negative."))
    if number != number.quantize(Decimal("0.01")):
        raise _Invalid(_("At most two decimal places."))
    if number > MONEY_MAX:
        raise _Invalid(_("At most %(max)s EUR.", max=f"{MONEY_MAX:,}".replace(",", ".")))
    return number.quantize(Decimal("0.01"))


def clean_rules(values: Mapping[str, Any]) -> dict[str, Any]:
    """The columns of BookingRules from the form's values; ValidationFailed with field errors."""
    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}

    def check(name: str, parse) -> Any:
        try:
            return parse()
        except _Invalid as problem:
            errors.setdefault(name, []).append(str(problem))
            return None

    for name, unit, column in LENGTH_FIELDS:
        zero_ok = name in ("lead", "buffer")
        out[column] = check(
            name, lambda n=name, u=unit, z=zero_ok: _length(values.get(n), values.get(u), zero_ok=z)
        )
    if (
        out["min_minutes"]
        and out["max_minutes"]
        and out["max_minutes"] < out["min_minutes"]
        and "max_length" not in errors
    ):
        errors["max_length"] = [_("The maximum must not be less than the minimum.")]

    hours: dict[str, list[list[str]]] = {}
    for day in WEEKDAYS:
        windows = []
        for number in range(1, WINDOWS_PER_DAY + 1):
            name = window_field(day, number)
            text = values.get(name)
            if not _blank(text):
                window = check(name, lambda t=str(text): _window(t))
                if window:
                    windows.append(window)
        windows.sort()
        if len(windows) == 2 and windows[1][0] < windows[0][1]:
            errors.setdefault(window_field(day, 2), []).append(
                _("The two opening windows of a day must not overlap.")
            )
        if windows:
            hours[day] = windows
    any_window = any(not _blank(values.get(window_field(d, n))) for d in WEEKDAYS for n in (1, 2))
    out["opening_hours"] = hours if any_window else None

    closed = set()
    lines = [line for line in str(values.get("closed_dates") or "").splitlines() if line.strip()]
    for line in lines:
        day = check("closed_dates", lambda t=line: _closed_date(t))
        if day:
            closed.add(day)
    if len(closed) > MAX_CLOSED_DATES:
        errors.setdefault("closed_dates", []).append(
            _("At most %(n)d closed days.", n=MAX_CLOSED_DATES)
        )
    out["closed_dates"] = sorted(closed) or None

    out["deposit_eur"] = check("deposit_eur", lambda: _money(values.get("deposit_eur")))
    out["fee_eur"] = check("fee_eur", lambda: _money(values.get("fee_eur")))
    for name in ("deposit_local", "fee_local"):
        out[name] = check(name, lambda n=name: _local_money(values.get(n)))
    fee_per = values.get("fee_per") or "booking"
    if fee_per not in FEE_BASES:
        errors["fee_per"] = [_("Choose per booking, per day or per hour.")]
    out["fee_per"] = fee_per
    if errors:
        raise ValidationFailed(errors)
    return out


def set_booking_rules(user: User, listing: Listing, values: Mapping[str, Any]) -> BookingRules:
    """Replace the booking rules of a lend/book offer (members of its organisation only)."""
    if user is None or user.organisation_id != listing.organisation_id:
        raise PermissionDenied(_("Only members of the organisation that posted it can change it."))
    if listing.kind != "offer" or not listing.is_shared:
        raise Conflict(_("Only offers that are lent or booked have booking rules."))
    columns = clean_rules(values)
    row = db.session.get(BookingRules, listing.id)
    if row is None:
        row = BookingRules(listing_id=listing.id)
        db.session.add(row)
    for name, value in columns.items():
        setattr(row, name, value)
    db.session.flush()
    return row
