"""Templates are compiled once per locale with their messages translated in (core/
translated_templates.py): the same file renders in each reader's language, placeholders are
filled and escaped at run time, plurals still follow the count, and mail in the recipient's
language (force_locale) gets its own compiled copy."""

import functools

import pytest
from flask import render_template
from flask_babel import force_locale
from jinja2 import ChoiceLoader, DictLoader

SOURCE = (
    "{{ _('Availability') }}|{{ _('Page %(page)d of %(pages)d', page=2, pages=5) }}|"
    "{{ _('Photo: %(title)s', title=title) }}|{{ _('100%% sure') }}|"
    "{{ ngettext('%(num)d unit', '%(num)d units', count) }}|{% set x = _('Quantity') %}{{ x }}"
)


@pytest.fixture
def template(app):
    original = app.jinja_env.loader
    app.jinja_env.loader = ChoiceLoader([DictLoader({"probe.html": SOURCE}), original])
    app.jinja_env.cache.clear()
    yield "probe.html"
    app.jinja_env.loader = original
    app.jinja_env.cache.clear()


def render(app, template, language, **context):
    with app.test_request_context("/", headers={"Accept-Language": language}):
        return render_template(template, title="<b>Bank</b>", count=2, **context).split("|")


def test_one_file_in_each_language(app, template):
    de = render(app, template, "de")
    en = render(app, template, "en")
    assert de[0] == "Verfügbarkeit" and en[0] == "Availability"
    assert de[1] == "Seite 2 von 5" and en[1] == "Page 2 of 5"
    assert de[5] == "Menge" and en[5] == "Quantity"
    assert render(app, template, "de") == de  # the kept German copy, after the English one


def test_placeholders_are_escaped_and_percent_signs_kept(app, template):
    en = render(app, template, "en")
    assert en[2] == "Photo: &lt;b&gt;Bank&lt;/b&gt;"
    assert en[3] == "100% sure"
    assert en[4] == "2 units"


def test_force_locale_renders_the_recipients_language(app, template):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template(template, title="", count=1).startswith("Availability|")
        with force_locale("de"):
            assert render_template(template, title="", count=1).startswith("Verfügbarkeit|")
        assert render_template(template, title="", count=1).startswith("Availability|")


def test_no_catalogue_lookup_is_left_for_a_message(app, template):
    """The point of it: messages are constants of the compiled template; only the plural,
    which depends on the count, still asks the catalogue."""
    calls = []
    originals = {name: app.jinja_env.globals[name] for name in ("_", "gettext", "ngettext")}

    def counting(name):
        @functools.wraps(originals[name])  # keeps Jinja's pass_context mark
        def call(*args, **kwargs):
            calls.append(name)
            return originals[name](*args, **kwargs)

        return call

    app.jinja_env.globals.update({name: counting(name) for name in originals})
    try:
        assert render(app, template, "de")[0] == "Verfügbarkeit"
    finally:
        app.jinja_env.globals.update(originals)
    assert calls == ["ngettext"]
