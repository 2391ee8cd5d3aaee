"""Web forms of the exchange pages. Numbers are text here ("2,5" or "2.5"): the services parse
and check them, and their problems land on these fields."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from marketplace.exchanges.models import TRANSPORT_MODES
from marketplace.exchanges.services import MAX_MESSAGE_LENGTH


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class ProposeForm(FlaskForm):
    quantity = StringField(
        _l("Quantity"), validators=[InputRequired()], render_kw={"inputmode": "decimal"}
    )
    request_id = SelectField(
        _l("This answers our request"), coerce=_optional_int, validators=[Optional()]
    )
    message = TextAreaField(
        _l("Message to the provider"),
        validators=[Optional(), Length(max=MAX_MESSAGE_LENGTH)],
        render_kw={"rows": 4},
    )

    def set_requests(self, requests) -> None:
        self.request_id.choices = [SelectChoice("", _l("– none –"))] + [
            SelectChoice(r.id, r.title) for r in requests
        ]


class CompleteForm(FlaskForm):
    quantity = StringField(
        _l("Quantity handed over"), validators=[InputRequired()], render_kw={"inputmode": "decimal"}
    )
    weighed_kg = StringField(
        _l("Weighed mass in kg (optional)"),
        validators=[Optional()],
        render_kw={"inputmode": "decimal"},
    )
    transport_mode = SelectField(
        _l("Transport (optional)"),
        choices=[SelectChoice("", _l("– not stated –"))]
        + [SelectChoice(key, label) for key, label in TRANSPORT_MODES.items()],
        validators=[Optional()],
    )


class MessageForm(FlaskForm):
    body = TextAreaField(
        _l("Message"),
        validators=[InputRequired(), Length(max=MAX_MESSAGE_LENGTH)],
        render_kw={"rows": 3},
    )


class NoteForm(FlaskForm):
    """Accept, decline and cancel: only the CSRF token and an optional note."""

    note = TextAreaField(
        _l("Note (optional)"),
        validators=[Optional(), Length(max=MAX_MESSAGE_LENGTH)],
        render_kw={"rows": 2},
    )
