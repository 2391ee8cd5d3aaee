"""Web forms of moderation; the services check the rules and their errors land on these fields."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from marketplace.moderation.models import REPORT_REASONS
from marketplace.moderation.services import APPEAL_MAX, DETAILS_MAX, NOTE_MAX, REASON_MAX


class ReportForm(FlaskForm):
    reason = RadioField(
        _l("What is wrong with this listing?"),
        choices=[SelectChoice(key, label) for key, label in REPORT_REASONS.items()],
        validators=[InputRequired(_l("Choose one of the reasons."))],
    )
    details = TextAreaField(
        _l("Details (optional; needed for “Something else”)"),
        validators=[Length(max=DETAILS_MAX)],
        render_kw={"maxlength": DETAILS_MAX, "rows": 4},
    )


class HideForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (the organisation sees it)"),
        validators=[InputRequired(_l("Please give a reason.")), Length(max=REASON_MAX)],
        render_kw={"maxlength": REASON_MAX, "rows": 3},
    )


class NoteForm(FlaskForm):
    note = TextAreaField(
        _l("Note (optional)"),
        validators=[Length(max=NOTE_MAX)],
        render_kw={"maxlength": NOTE_MAX, "rows": 2},
    )


class AppealForm(FlaskForm):
    text = TextAreaField(
        _l("Why should the listing be visible again?"),
        validators=[InputRequired(_l("Please explain your appeal.")), Length(max=APPEAL_MAX)],
        render_kw={"maxlength": APPEAL_MAX, "rows": 4},
    )
