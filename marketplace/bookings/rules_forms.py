"""The booking rules form of a lend/book offer; rules_services checks the values and its field
errors land on these fields."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from marketplace.bookings.models import FEE_BASES, BookingRules
from marketplace.bookings.rules import WEEKDAYS
from marketplace.bookings.rules_services import LENGTH_FIELDS, WINDOWS_PER_DAY, window_field
from marketplace.core.numbers import format_number

WEEKDAY_NAMES = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)
_UNIT_CHOICES = [SelectChoice("hours", _l("hours")), SelectChoice("days", _l("days"))]
_DECIMAL = {"inputmode": "decimal", "size": 6}


class BookingRulesForm(FlaskForm):
    min_length = StringField(_l("Shortest booking"), render_kw=_DECIMAL)
    min_unit = SelectField(
        _l("Unit of the shortest booking"), choices=_UNIT_CHOICES, default="hours"
    )
    max_length = StringField(_l("Longest booking"), render_kw=_DECIMAL)
    max_unit = SelectField(
        _l("Unit of the longest booking"), choices=_UNIT_CHOICES, default="hours"
    )
    lead = StringField(_l("Book at least this far ahead"), render_kw=_DECIMAL)
    lead_unit = SelectField(_l("Unit of the lead time"), choices=_UNIT_CHOICES, default="hours")
    buffer = StringField(_l("Kept free before and after each booking"), render_kw=_DECIMAL)
    buffer_unit = SelectField(_l("Unit of the buffer"), choices=_UNIT_CHOICES, default="hours")
    closed_dates = TextAreaField(
        _l("Closed days"), render_kw={"rows": 4, "placeholder": "24.12.2026"}
    )
    deposit_eur = StringField(_l("Deposit in EUR"), render_kw=_DECIMAL)
    fee_eur = StringField(_l("Fee in EUR"), render_kw=_DECIMAL)
    deposit_local = StringField(_l("Deposit in the local currency"), render_kw=_DECIMAL)
    fee_local = StringField(_l("Fee in the local currency"), render_kw=_DECIMAL)
    fee_per = SelectField(
        _l("The fee is charged"),
        choices=[SelectChoice(key, label) for key, label in FEE_BASES.items()],
        default="booking",
    )

    def weekdays(self) -> list[tuple[str, list]]:
        """(weekday name, its window fields) from Monday to Sunday, for the template."""
        return [
            (WEEKDAY_NAMES[int(day)], [self[window_field(day, n)] for n in _WINDOWS])
            for day in WEEKDAYS
        ]

    def rules_data(self) -> dict:
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}


_WINDOWS = range(1, WINDOWS_PER_DAY + 1)
for _day in WEEKDAYS:
    for _number in _WINDOWS:
        setattr(
            BookingRulesForm,
            window_field(_day, _number),
            StringField(
                _l("%(day)s, opening window %(n)d", day=WEEKDAY_NAMES[int(_day)], n=_number),
                render_kw={"placeholder": "09:00–13:00", "size": 12},
            ),
        )


def _length_data(minutes: int | None) -> tuple[str, str]:
    if not minutes:
        return "", "hours"
    if minutes % (24 * 60) == 0:
        return str(minutes // (24 * 60)), "days"
    return format_number(Decimal(minutes) / 60, format="0.##"), "hours"


def _money_data(value: Decimal | None) -> str:
    return format_number(value, format="0.00") if value else ""


def initial_rules_data(row: BookingRules | None) -> dict:
    """The form filled from a listing's stored rules."""
    if row is None:
        return {}
    data: dict = {}
    for name, unit, column in LENGTH_FIELDS:
        data[name], data[unit] = _length_data(getattr(row, column))
    for day, windows in (row.opening_hours or {}).items():
        for number, (start, end) in enumerate(windows[:WINDOWS_PER_DAY], start=1):
            data[window_field(day, number)] = f"{start}–{end}"
    data["closed_dates"] = "\n".join(row.closed_dates or [])
    data["deposit_eur"] = _money_data(row.deposit_eur)
    data["fee_eur"] = _money_data(row.fee_eur)
    data["fee_per"] = row.fee_per or "booking"
    data["deposit_local"] = _money_data(row.deposit_local)
    data["fee_local"] = _money_data(row.fee_local)
    return data
