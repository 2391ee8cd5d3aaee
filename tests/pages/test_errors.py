"""Error pages are friendly in both languages and show no technical details beyond a reference."""

import pytest
from flask import render_template

from marketplace.core.errors import NotFound


@pytest.mark.parametrize("language", ["de", "en"])
def test_404_page_in_both_languages(client, language):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    response = client.get("/gibt-es-nicht")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert f'<html lang="{language}">' in html
    assert 'href="/"' in html  # a way back home
    assert 'action="/listings"' in html  # and a search


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("status", [403, 500, 418])
def test_error_templates_render_in_both_languages(app, status, language):
    template = f"errors/{status}.html" if status in (403, 500) else "errors/generic.html"
    with app.test_request_context("/", headers={"Accept-Language": language}):
        html = render_template(
            template, status=status, message="Nachricht", error_id="a1b2c3d4e5f6"
        )
    assert f'<html lang="{language}">' in html
    assert "Nachricht" in html
    assert "a1b2c3d4e5f6" in html


def test_500_page_leaves_out_the_signed_in_navigation(app):
    with app.test_request_context("/"):
        html = render_template("errors/500.html", status=500, message="x", error_id="abc")
    assert 'href="/login"' not in html and "/logout" not in html


def test_domain_not_found_from_a_page_is_the_404_page(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.get("/orgs/424242")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
    assert NotFound.status == 404


def test_error_page_shows_no_stack_trace(client):
    html = client.get("/nope").get_data(as_text=True)
    assert "Traceback" not in html and "werkzeug" not in html.lower()
