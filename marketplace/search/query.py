"""User input -> safe search terms -> a query plan. Nothing of the input reaches a query
parser: words are cut out with a regex, so `title:(`, `AND OR NOT`, `*`, lone quotes and
control characters are just separators or stop words.

Supported: words (all must match somewhere in title, description, category, organisation or
district), "quoted phrases" (their words must stand together), and -word (must not match).

A plan has a boolean part (which listings match: groups of alternative term sets, evaluated on
cached per-segment bitsets) and a scoring part (weighted terms for BM25, with the word pairs of
the query as a bonus: an exact phrase ranks above scattered words).
"""

import re
import unicodedata
from dataclasses import dataclass, field

from marketplace.search.analysis import (
    MAX_WORD,
    WORD_RE,
    fold,
    pair,
    query_alternatives,
    query_parts,
)
from marketplace.search.bilingual import german_terms

MAX_QUERY_CHARS = 500
MAX_WORDS = 12
#: Extra weight of a pair of query words found side by side.
PHRASE_BOOST = 1.5
#: A compound query word may also match its parts apart (Holzpalette: Palette ... Holz).
PARTS_BOOST = 0.5

_QUOTES = str.maketrans(dict.fromkeys("„“”«»‟〝〞＂", '"'))
_CHUNK_RE = re.compile(r'"([^"]*)"|(\S+)')

#: One way a group can match: every term of the tuple.
Alternative = tuple[str, ...]


@dataclass(frozen=True)
class Word:
    text: str  # as typed (NFC), for suggestions
    alternatives: tuple[str, ...]  # index terms it may match; the German stem first
    parts: tuple[str, ...] | None = None  # stems of its compound parts
    #: German stems of an English word (shipped term list), also among the alternatives.
    translations: tuple[str, ...] = ()

    @property
    def stem(self) -> str:
        return self.alternatives[0]

    def group(self, *, with_parts: bool = True) -> list[Alternative]:
        out = [(a,) for a in self.alternatives]
        if with_parts and self.parts and len(self.parts) > 1:
            out.append(self.parts)
        return out


@dataclass
class ParsedQuery:
    words: list[Word] = field(default_factory=list)
    phrases: list[list[Word]] = field(default_factory=list)
    excluded: list[Word] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.words and not self.phrases

    def positive_words(self) -> list[Word]:
        return self.words + [w for phrase in self.phrases for w in phrase]

    def terms(self) -> set[str]:
        """The index terms of the positive words (for highlighting)."""
        return {t for w in self.positive_words() for t in w.alternatives}

    def part_terms(self) -> set[str]:
        """The stems of compound words' parts (highlighted only where nothing else is)."""
        return {p for w in self.positive_words() for p in (w.parts or ())}


@dataclass
class Plan:
    """Groups are ANDed (ORed when `any_group`); a group matches if one alternative's terms
    all match; excluded groups must not match. No groups: every listing."""

    groups: list[list[Alternative]]
    excluded: list[list[Alternative]]
    any_group: bool
    #: (term, weight) pairs whose BM25 scores add up to a listing's relevance.
    scoring: list[tuple[str, float]]


def clean(text: str | None) -> str:
    """NFC, typographic quotes as ", control and format characters as spaces, bounded length."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", str(text)[: MAX_QUERY_CHARS * 2]).translate(_QUOTES)
    text = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text)
    return text[:MAX_QUERY_CHARS].strip()


def _word(text: str) -> Word | None:
    lower = text.casefold()
    alternatives = query_alternatives(lower)
    if not alternatives:
        return None
    # OR-expansion: "chairs" also matches what Stuhl matches. Phrases and pairs keep using the
    # word's own stem (alternatives[0]), so a quoted English phrase is not changed.
    translations = tuple(t for t in german_terms(fold(lower)) if t not in alternatives)
    return Word(
        text=text,
        alternatives=alternatives + translations,
        parts=query_parts(lower),
        translations=translations,
    )


def _words(text: str) -> list[str]:
    return [m.group()[: MAX_WORD * 2] for m in WORD_RE.finditer(text)]


def parse(text: str | None) -> ParsedQuery:
    """Words, phrases and exclusions of a raw query string; never raises."""
    text = clean(text)
    if text.count('"') % 2:  # a lone quote is dropped, the rest is read normally
        text = text.replace('"', " ")
    parsed = ParsedQuery()
    budget = MAX_WORDS
    for chunk in _CHUNK_RE.finditer(text):
        phrase_text, token = chunk.groups()
        if phrase_text is not None:
            phrase = [w for w in map(_word, _words(phrase_text)) if w][: max(budget, 0)]
            budget -= len(phrase)
            if len(phrase) > 1:
                parsed.phrases.append(phrase)
            elif phrase:
                parsed.words.append(phrase[0])
            continue
        negated = token.startswith("-") and len(token) > 1
        for piece in _words(token):
            w = _word(piece)
            if w is None or budget <= 0:
                continue
            budget -= 1
            target = parsed.excluded if negated else parsed.words
            if all(x.alternatives != w.alternatives for x in target):
                target.append(w)
    return parsed


def _pairs(words: list[Word]) -> list[str]:
    return [pair(a.stem, b.stem) for a, b in zip(words, words[1:], strict=False)]


def plan(parsed: ParsedQuery, *, match_all_words: bool = True) -> Plan:
    groups = [w.group() for w in parsed.words]
    groups += [[tuple(_pairs(phrase))] for phrase in parsed.phrases]
    excluded = [w.group(with_parts=False) for w in parsed.excluded]
    weights: dict[str, float] = {}
    for w in parsed.positive_words():
        for term in w.alternatives:
            weights[term] = 1.0
        for part in w.parts or ():
            weights.setdefault(part, PARTS_BOOST)
    for term in _pairs(parsed.words) + [p for ph in parsed.phrases for p in _pairs(ph)]:
        weights[term] = PHRASE_BOOST
    scoring = sorted(weights.items())
    return Plan(groups, excluded, any_group=not match_all_words, scoring=scoring)
