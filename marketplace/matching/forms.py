"""Web forms of the matching pages (every POST also carries the CSRF token)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from marketplace.matching.models import EMAIL_CHOICES


class EmailChoiceForm(FlaskForm):
    email = RadioField(
        _l("E-mail me about new matches"),
        choices=[SelectChoice(key, label) for key, label in EMAIL_CHOICES.items()],
        validators=[InputRequired()],
    )


class SaveSearchForm(FlaskForm):
    """The browse page's current search, in hidden fields."""

    q = HiddenField(validators=[Optional(), Length(max=200)])
    kind = HiddenField(validators=[Optional(), Length(max=10)])
    category = HiddenField(validators=[Optional(), Length(max=60)])
    near = HiddenField(validators=[Optional(), Length(max=5)])
    radius_km = HiddenField(validators=[Optional(), Length(max=10)])
