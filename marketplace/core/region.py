"""The configured region's examples for forms: placeholders show one of its own postcodes and
districts (REGION_EXAMPLE_POSTCODE, REGION_EXAMPLE_DISTRICT), never a hard-coded city."""

from flask import current_app
from flask_babel import gettext as _
from flask_wtf import FlaskForm


def region_examples() -> dict[str, str]:
    """Field name -> example value from the configuration (empty ones left out)."""
    config = current_app.config
    examples = {
        "postcode": config.get("REGION_EXAMPLE_POSTCODE") or "",
        "district": config.get("REGION_EXAMPLE_DISTRICT") or "",
    }
    return {name: value for name, value in examples.items() if value}


def add_region_placeholders(form: FlaskForm) -> None:
    """Give the form's postcode and district fields the region's examples as placeholders.
    A fresh render_kw per bound field: the class's dict is shared by every instance."""
    for name, example in region_examples().items():
        field = form._fields.get(name)
        if field is not None:
            placeholder = _("e.g. %(example)s", example=example)
            field.render_kw = {**(field.render_kw or {}), "placeholder": placeholder}
