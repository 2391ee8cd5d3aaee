"""Impressum, privacy notice and terms: stable addresses in both languages, the operator's text
from instance/ or a setting, else a clearly marked sample text; linked from every footer."""

import pytest


@pytest.mark.parametrize("path", ["/impressum", "/datenschutz", "/nutzungsbedingungen"])
@pytest.mark.parametrize("language", ["de", "en"])
def test_legal_pages_render_in_both_languages_with_the_sample_text(client, path, language):
    response = client.get(path, headers={"Accept-Language": language})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<html lang="{language}">' in html
    assert "Sample text – please replace" in html or "Mustertext – bitte ersetzen" in html


def test_every_footer_links_the_legal_pages(client):
    html = client.get("/").get_data(as_text=True)
    footer = html[html.index("<footer") :]
    for path in ("/impressum", "/datenschutz", "/nutzungsbedingungen"):
        assert f'href="{path}"' in footer


def test_the_operators_setting_replaces_the_sample_and_is_escaped(app, client):
    app.config["IMPRESSUM_TEXT"] = "Kiezwerk e. V.\nHauptstr. 1\n\n<script>x</script>"
    try:
        html = client.get("/impressum").get_data(as_text=True)
    finally:
        app.config["IMPRESSUM_TEXT"] = None
    assert "Kiezwerk e. V.<br>\nHauptstr. 1" in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "Sample text" not in html and "Mustertext" not in html


def test_a_file_in_instance_wins_per_language(app, client):
    import os

    paths = [
        os.path.join(app.instance_path, n) for n in ("datenschutz.en.html", "datenschutz.html")
    ]
    with open(paths[0], "w", encoding="utf-8") as f:
        f.write("<h2>Privacy (English file)</h2>")
    with open(paths[1], "w", encoding="utf-8") as f:
        f.write("<h2>Datenschutz (Datei)</h2>")
    try:
        english = client.get("/datenschutz", headers={"Accept-Language": "en"}).get_data(True)
        german = client.get("/datenschutz", headers={"Accept-Language": "de"}).get_data(True)
    finally:
        for path in paths:
            os.remove(path)
    assert "<h2>Privacy (English file)</h2>" in english
    assert "<h2>Datenschutz (Datei)</h2>" in german
