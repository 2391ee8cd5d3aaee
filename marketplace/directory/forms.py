"""Forms of the directory pages: the functions an organisation takes, a further site, a logo."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired

from marketplace.core.region import add_region_placeholders
from marketplace.directory.functions import function_codes
from marketplace.directory.models import NOTE_MAX, SITE_NAME_MAX


class FunctionsForm(FlaskForm):
    """One checkbox and one note per function A-H (fields `claim_A`, `note_A`, ...)."""

    def claims(self) -> list[dict]:
        return [
            {"code": code, "note": self[f"note_{code}"].data or ""}
            for code in function_codes()
            if self[f"claim_{code}"].data
        ]

    @classmethod
    def for_claims(cls, current: dict[str, str], formdata=None) -> "FunctionsForm":
        """Prefilled with the current claims (code -> note) on GET."""
        if formdata is not None:
            return cls(formdata=formdata)
        data = {}
        for code, note in current.items():
            data[f"claim_{code}"] = True
            data[f"note_{code}"] = note
        return cls(formdata=None, data=data)


for _code in function_codes():
    setattr(FunctionsForm, f"claim_{_code}", BooleanField(_l("We take this function")))
    setattr(
        FunctionsForm,
        f"note_{_code}",
        TextAreaField(_l("How?"), render_kw={"rows": 3, "maxlength": NOTE_MAX}),
    )


class SiteForm(FlaskForm):
    name = StringField(
        _l("Name of the place"),
        validators=[DataRequired(_l("Please name the place."))],
        render_kw={"maxlength": SITE_NAME_MAX, "placeholder": _l("e.g. House 2, 3rd floor")},
    )
    postcode = StringField(
        _l("Postcode"),
        validators=[DataRequired(_l("Please enter a German postcode of five digits."))],
        render_kw={"maxlength": 5, "inputmode": "numeric", "autocomplete": "postal-code"},
    )
    district = StringField(_l("District"), render_kw={"maxlength": 120})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        add_region_placeholders(self)


class LogoForm(FlaskForm):
    logo = FileField(_l("Logo"), render_kw={"accept": "image/jpeg,image/png,image/webp,image/gif"})
