"""Highlights built from escaped text: every character of the listing is escaped (quotes
included) and only our own <mark> tags are inserted. whoosh's formatters are not used: they
do not escape quotes, and its Null/Uppercase formatters return raw text (security.md 10)."""

import unicodedata

from markupsafe import Markup, escape

from marketplace.search.analysis import WORD_RE, analyse_word

#: Characters of context around the first hits of a snippet.
SNIPPET_CHARS = 180


class _Marker:
    """Finds the words of texts that match a set of index terms, remembering the answer per
    word: the listings of one page share most of their words."""

    def __init__(self, terms: set[str]):
        self.terms = terms
        self._known: dict[str, bool] = {}

    def hits(self, text: str) -> list[tuple[int, int]]:
        known, terms, out = self._known, self.terms, []
        for m in WORD_RE.finditer(text):
            word = m.group()
            hit = known.get(word)
            if hit is None:
                hit = known[word] = any(t in terms for t, _ in analyse_word(word.casefold()))
            if hit:
                out.append((m.start(), m.end()))
        return out


def _hits(text: str, terms: set[str]) -> list[tuple[int, int]]:
    return _Marker(terms).hits(text)


def occurs(text: str, terms: set[str]) -> bool:
    """Whether any word of the text matches a term."""
    return bool(terms) and bool(_hits(unicodedata.normalize("NFC", text or ""), terms))


def _marked(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    out, pos = [], start
    for a, b in spans:
        if b <= start or a >= end:
            continue
        out.append(str(escape(text[pos:a])))
        out.append(f"<mark>{escape(text[a:b])}</mark>")
        pos = b
    out.append(str(escape(text[pos:end])))
    return "".join(out)


def mark(text: str, terms: set[str]) -> Markup:
    """The whole text, escaped, with <mark> around every word that matches a query term."""
    text = unicodedata.normalize("NFC", text or "")
    return Markup(_marked(text, _hits(text, terms), 0, len(text)))  # noqa: S704 - built escaped


def snippet(text: str, terms: set[str], length: int = SNIPPET_CHARS) -> Markup | None:
    """An escaped fragment of about `length` characters around the first hits, or None."""
    text = unicodedata.normalize("NFC", text or "")
    return _snippet(text, _hits(text, terms), length)


def _snippet(text: str, spans: list[tuple[int, int]], length: int = SNIPPET_CHARS):
    if not spans:
        return None
    first = spans[0][0]
    start = max(0, first - length // 4)
    if start:  # begin at a word boundary
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= 0 and start - space < 20 else start
    end = min(len(text), start + length)
    if end < len(text):
        space = text.find(" ", end)
        end = space if 0 <= space - end < 20 else end
    body = _marked(text, spans, start, end)
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return Markup(f"{prefix}{body}{suffix}")  # noqa: S704 - body is built escaped


def highlight(title: str, description: str, terms: set[str]) -> Markup:
    """The API's highlight of a result: hits in the description, else the marked title, else
    the beginning of the description."""
    if terms:
        found = snippet(description, terms)
        if found is not None:
            return found
        if _hits(unicodedata.normalize("NFC", title or ""), terms):
            return mark(title, terms)
    return _beginning(description or title)


def description_snippet(description: str, terms: set[str]) -> Markup:
    """What a result card shows under the (marked) title: description text around its hits,
    else its beginning; empty without a description. Never the title again."""
    if terms:
        found = snippet(description, terms)
        if found is not None:
            return found
    return _beginning(description)


def _beginning(text: str | None) -> Markup:
    text = unicodedata.normalize("NFC", text or "")
    if len(text) <= SNIPPET_CHARS:
        return escape(text)
    cut = text[:SNIPPET_CHARS]
    space = cut.rfind(" ")  # end at a word boundary
    return escape(cut[:space] if space > SNIPPET_CHARS // 2 else cut) + " …"


class PageMarks:
    """What a result card and the API show of each listing of one page, for the query's
    terms and its compound words' parts: each text is scanned once (the functions above each
    scan it again) and each distinct word analysed once a page."""

    def __init__(self, terms: set[str], parts: set[str]):
        self.terms = terms
        self._markers = {False: _Marker(terms), True: _Marker(terms | parts)}

    def card(self, title: str, description: str) -> tuple[Markup, Markup, Markup]:
        """(highlight, description snippet, marked title), as highlight(), description_snippet()
        and mark() give them with the terms, or with the parts too where no term occurs."""
        title = unicodedata.normalize("NFC", title or "")
        text = unicodedata.normalize("NFC", description or "")
        marker = self._markers[False]
        title_spans, text_spans = marker.hits(title), marker.hits(text)
        if not (self.terms and (title_spans or text_spans)):
            marker = self._markers[True]
            title_spans, text_spans = marker.hits(title), marker.hits(text)
        found = marker.terms
        text_snippet = _snippet(text, text_spans) if found else None
        marked_title = Markup(_marked(title, title_spans, 0, len(title)))  # noqa: S704 - built escaped
        if text_snippet is not None:
            return text_snippet, text_snippet, marked_title
        shown = marked_title if found and title_spans else _beginning(text or title)
        return shown, _beginning(text), marked_title
