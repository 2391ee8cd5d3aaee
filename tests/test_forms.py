"""A service's problems land on the form by one helper (core/forms.py)."""

from wtforms import Form, StringField

from marketplace.core.forms import copy_errors


class _Form(Form):
    title = StringField()


def test_problems_go_under_their_field_or_above_the_form():
    form = _Form()
    copy_errors(form, {"title": ["Too long."], "photos": ["Too many."], "data": ["Not a field."]})
    copy_errors(form, {"title": ["Also this."]})
    assert form.title.errors == ["Too long.", "Also this."]
    assert form.form_errors == ["Too many.", "Not a field."]


def test_after_validation_the_fields_own_errors_stay():
    form = _Form(data={"title": ""})
    form.validate()
    form.title.errors.append("Required.")
    copy_errors(form, {"title": ["Taken."]})
    assert form.title.errors == ["Required.", "Taken."]
