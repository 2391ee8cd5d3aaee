"""The site's legal texts (Impressum, Datenschutzerklärung, Nutzungsbedingungen), supplied by the
operator: a file in instance/ (trusted HTML the operator wrote), else a plain-text setting, else
none, and the page shows a marked sample text instead."""

import os
from dataclasses import dataclass

from flask import current_app
from markupsafe import Markup, escape

#: Page name -> the setting holding its plain text.
LEGAL_PAGES = {
    "impressum": "IMPRESSUM_TEXT",
    "datenschutz": "DATENSCHUTZ_TEXT",
    "nutzungsbedingungen": "NUTZUNGSBEDINGUNGEN_TEXT",
}


@dataclass(frozen=True)
class LegalText:
    #: The operator's text ready for the template, or None: show the sample text.
    html: Markup | None

    @property
    def is_sample(self) -> bool:
        return self.html is None


def get_legal_text(page: str, language: str) -> LegalText:
    """The operator's text of a legal page in this language (instance/<page>.<language>.html,
    then instance/<page>.html, then the <PAGE>_TEXT setting), or the sample text's marker."""
    for name in (f"{page}.{language}.html", f"{page}.html"):
        path = os.path.join(current_app.instance_path, name)
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as handle:
                # The operator's own file, like a template: trusted, inserted as written.
                return LegalText(Markup(handle.read()))  # noqa: S704
    text = (current_app.config.get(LEGAL_PAGES[page]) or "").strip()
    if text:
        return LegalText(_paragraphs(text))
    return LegalText(None)


def _paragraphs(text: str) -> Markup:
    """Plain text: escaped, blank lines separate paragraphs, single newlines become <br>."""
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()]
    return Markup("\n").join(
        Markup("<p>%s</p>") % Markup("<br>\n").join(escape(line) for line in block.split("\n"))
        for block in blocks
    )
