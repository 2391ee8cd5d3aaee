"""Web forms of the booking pages. Times are entered as Berlin wall-clock time
(`<input type="datetime-local">`) and stored as naive UTC; the services check everything else and
their problems land on these fields."""

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from marketplace.bookings.models import NOTE_MAX
from marketplace.bookings.spans import (
    FIRST_YEAR,
    LAST_YEAR,
    OutOfCalendar,
    local,
    local_to_utc,
)
from marketplace.core.errors import ValidationFailed

#: What browsers send for datetime-local (seconds only when a step below a minute is set).
LOCAL_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")


class BookingForm(FlaskForm):
    start = DateTimeLocalField(_l("From"), format=list(LOCAL_FORMATS), validators=[InputRequired()])
    end = DateTimeLocalField(_l("Until"), format=list(LOCAL_FORMATS), validators=[InputRequired()])
    units = StringField(_l("Units"), default="1", render_kw={"inputmode": "numeric"})
    message = TextAreaField(
        _l("Message to the provider"),
        validators=[Optional(), Length(max=NOTE_MAX)],
        render_kw={"rows": 3},
    )

    def span_utc(self) -> tuple[datetime, datetime]:
        """The entered span (Berlin wall-clock time) as naive UTC."""
        return utc_from_local(self.start.data, "start"), utc_from_local(self.end.data, "end")


def utc_from_local(value: datetime, field: str = "start") -> datetime:
    """A datetime-local value (Berlin time) as naive UTC; ValidationFailed outside the calendar."""
    try:
        return local_to_utc(value)
    except OutOfCalendar:
        raise ValidationFailed({field: [_out_of_calendar()]}) from None


def _out_of_calendar() -> str:
    return _("Choose a time between %(first)d and %(last)d.", first=FIRST_YEAR, last=LAST_YEAR)


def parse_local(text: str | None, field: str) -> datetime:
    """A datetime-local value as naive UTC; ValidationFailed on the field otherwise."""
    for pattern in LOCAL_FORMATS:
        try:
            moment = datetime.strptime((text or "").strip(), pattern)
        except ValueError:
            continue
        return utc_from_local(moment, field)
    raise ValidationFailed({field: [_("Enter a date and time.")]})


def local_input_value(value: datetime | None) -> str:
    """A stored (naive UTC) time as the value of a datetime-local input, in Berlin time."""
    if value is None:
        return ""
    return local(value).strftime("%Y-%m-%dT%H:%M")
