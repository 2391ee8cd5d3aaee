"""Templates translate through a catalogue looked up once per locale and context; switching the
locale (force_locale for a recipient's mail, refresh after a language change) still switches it."""

from flask import render_template_string, session
from flask_babel import force_locale, refresh


def test_templates_follow_force_locale_and_come_back(app):
    source = "{{ _('Availability') }}|{{ ngettext('%(num)d unit', '%(num)d units', 2) }}"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string(source).startswith("Availability|")
        with force_locale("de"):
            assert render_template_string(source).startswith("Verfügbarkeit|")
        assert render_template_string(source).startswith("Availability|")


def test_templates_follow_a_refreshed_locale(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string("{{ _('Availability') }}") == "Availability"
        session["locale"] = "de"  # what the language switch stores
        refresh()
        assert render_template_string("{{ _('Availability') }}") == "Verfügbarkeit"


def test_templates_outside_a_request_use_the_default_locale(app):
    with app.app_context():
        assert render_template_string("{{ _('Availability') }}") in (
            "Verfügbarkeit",
            "Availability",
        )
