"""German and English are both complete, and German reaches the pages people see."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

CATALOGUES = Path(__file__).resolve().parents[1] / "marketplace" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


def _messages(language: str):
    with (CATALOGUES / language / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return [m for m in read_po(fh, locale=language) if m.id]


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_message_is_translated_with_the_same_placeholders(language):
    for message in _messages(language):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"{language}: no translation for {ids[0]!r}"
        expected = sorted(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            assert sorted(PLACEHOLDER.findall(string)) in (
                expected,
                sorted(PLACEHOLDER.findall(ids[0])),
            ), f"{language}: placeholders differ in {ids[0]!r}"


def test_catalogue_covers_every_string_in_the_source():
    template = CATALOGUES / "messages.pot"
    with template.open("rb") as fh:
        expected = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    german = {m.id if isinstance(m.id, str) else m.id[0] for m in _messages("de")}
    assert expected <= german


def test_pages_follow_accept_language(client):
    german = client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9"}).get_data(as_text=True)
    english = client.get("/", headers={"Accept-Language": "en-GB"}).get_data(as_text=True)
    assert '<html lang="de">' in german and "Anmelden" in german
    assert '<html lang="en">' in english and "Log in" in english


def test_form_errors_are_german_for_german_users(client):
    page = client.post(
        "/register", data={"email": "x"}, headers={"Accept-Language": "de"}
    ).get_data(as_text=True)
    assert "Registrieren" in page and "Please" not in page
