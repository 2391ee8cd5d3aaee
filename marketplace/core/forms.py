"""Forms and services meet here: a service raises ValidationFailed with reasons per field, and
the view puts them on its form (FlaskBB's pattern) with copy_errors."""

from collections.abc import Mapping

from wtforms import Form


def copy_errors(form: Form, fields: Mapping[str, list[str]]) -> None:
    """Put a service's problems under the form's fields of those names, and those about no field
    of the form above it (form_errors)."""
    for name, problems in fields.items():
        field = form._fields.get(name)
        if field is None:
            form.form_errors.extend(problems)
        else:
            # Before validation a field's errors are an empty tuple.
            field.errors = [*(field.errors or ()), *problems]
