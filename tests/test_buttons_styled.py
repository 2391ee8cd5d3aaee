"""Every button of every template is styled by the stylesheet: with a class of its own, by its
header context, or by the rule for class-less buttons in the page."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUTTON = re.compile(r"<button\b[^>]*>|<input\b[^>]*type=\"submit\"[^>]*>")
#: Where class-less buttons are styled by their surroundings (header search, language switch).
CONTEXT_STYLED = {"base.html": (".header-search button", ".language-switch button")}


def test_every_button_is_styled():
    css = (ROOT / "static/css/app.css").read_text()
    assert "main button:not([class])" in css
    assert 'main input[type="submit"]:not([class])' in css
    for selectors in CONTEXT_STYLED.values():
        assert all(selector in css for selector in selectors)
    for path in (ROOT / "templates").rglob("*.html"):
        for tag in BUTTON.findall(path.read_text()):
            if "class=" in tag or path.name in CONTEXT_STYLED:
                continue
            # A class-less button is styled by the fallback rule only inside <main>: templates
            # extend base.html, whose <main> holds every page's content block.
            assert path.name != "base.html", tag


def test_button_variants_exist():
    css = (ROOT / "static/css/app.css").read_text()
    for variant in (".button-secondary", ".button-danger", ".button-small", ".link-button"):
        assert re.search(re.escape(variant) + r"[\s,{:]", css), variant
