"""The form confirming the erasure of one's account."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, RadioField, SelectChoice
from wtforms.validators import DataRequired, Optional

ORGANISATION_CHOICE_LABELS = [
    SelectChoice("keep", _l("Keep the organisation and its listings as they are")),
    SelectChoice("withdraw", _l("Withdraw the organisation's open listings")),
]


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(_l("Please enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
    #: Asked only of an organisation's last member; the service checks the choice.
    organisation_choice = RadioField(
        _l("What becomes of your organisation?"),
        choices=ORGANISATION_CHOICE_LABELS,
        default="keep",
        validators=[Optional()],
    )
