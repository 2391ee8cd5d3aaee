"""Web forms of the account pages. Amounts stay text here ("12,50"): the services parse and
check them, and their problems land on these fields."""

import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from marketplace.ledger.models import REASON_MAX

_AMOUNT = {"inputmode": "decimal", "autocomplete": "off", "maxlength": 20}


class PayForm(FlaskForm):
    payee_organisation_id = SelectField(_l("Recipient"), validators=[InputRequired()], coerce=str)
    amount = StringField(_l("Amount"), validators=[InputRequired()], render_kw=_AMOUNT)
    reason = StringField(
        _l("What for"), validators=[Length(max=REASON_MAX)], render_kw={"maxlength": REASON_MAX}
    )
    #: One key per form view: sending the same form twice (a retry, a double click) pays once.
    idempotency_key = HiddenField(default=lambda: uuid.uuid4().hex)


class PaymentRequestForm(FlaskForm):
    payer_organisation_id = SelectField(
        _l("Who is to pay"), validators=[InputRequired()], coerce=str
    )
    amount = StringField(_l("Amount"), validators=[InputRequired()], render_kw=_AMOUNT)
    reason = StringField(
        _l("What for"),
        validators=[InputRequired(), Length(max=REASON_MAX)],
        render_kw={"maxlength": REASON_MAX},
    )


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Length(max=REASON_MAX)], render_kw={"rows": 2})


class LimitsForm(FlaskForm):
    min_balance = StringField(_l("Lowest balance"), validators=[InputRequired()], render_kw=_AMOUNT)
    max_balance = StringField(
        _l("Highest balance"), validators=[InputRequired()], render_kw=_AMOUNT
    )
    reason = StringField(
        _l("Reason (logged)"),
        validators=[InputRequired(), Length(max=REASON_MAX)],
        render_kw={"maxlength": REASON_MAX},
    )


class FreezeForm(FlaskForm):
    frozen = BooleanField(_l("Frozen: no payments in or out"))
    reason = StringField(
        _l("Reason (logged)"),
        validators=[InputRequired(), Length(max=REASON_MAX)],
        render_kw={"maxlength": REASON_MAX},
    )


class StatementFilterForm(FlaskForm):
    """The history's filters, read from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("Until"), validators=[Optional()])
    direction = SelectField(
        _l("Direction"),
        choices=[
            SelectChoice("", _l("in and out")),
            SelectChoice("in", _l("received")),
            SelectChoice("out", _l("paid")),
        ],
        validators=[Optional()],
    )
    q = StringField(_l("Words"), validators=[Optional(), Length(max=100)])
