"""Text analysis for German and English listings: folding, two stemmers, compound heads.

Every word is indexed under its German and its English stem (German misses `laptops`, English
misses every German plural), after folding umlauts and their `ae/oe/ue/ss` spellings so that
`Bürostühle`, `Buerostuhl` and `Burostuhl` meet. German compounds are split with a dictionary
(wordparts.py plus category names): a compound is indexed under its right-hand heads
(`Europaletten` under `Palette`, `Schwerlastregale` under `Regal`) because a German compound is
a kind of its head; a material modifier (`Holzpalette`) is indexed too, at a lower weight.
Other modifiers are not (`Palettenregal` is a shelf, not a pallet): that keeps precision.
"""

import re
import unicodedata
from functools import lru_cache

from whoosh.analysis import Token, Tokenizer
from whoosh.lang import stopwords_for_language
from whoosh.lang.snowball.english import EnglishStemmer
from whoosh.lang.snowball.german import GermanStemmer

from marketplace.search import wordparts

#: Letters and digits; underscores, punctuation, control characters and symbols separate words.
WORD_RE = re.compile(r"[^\W_]+")
#: Longer words are cut: no real word is longer, and it bounds stemming and splitting work.
MAX_WORD = 40
MIN_PART = 4
#: Weight of a compound's head relative to the word itself, and of a material modifier.
HEAD_BOOST = 0.8
MATERIAL_BOOST = 0.5
#: German linking elements between the parts of a compound (Arbeit-s-platz, Palette-n-regal).
_LINKS = ("", "s", "es", "n", "en", "e", "er", "ns")
#: Meaningful in this domain although they are stop words in one of the two languages.
_KEEP = {"can", "bin", "hat", "weg"}

_de_stem = GermanStemmer().stem
_en_stem = EnglishStemmer().stem
_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l"})
_DIGRAPH_RE = re.compile(r"ae|oe|(?<!q)ue")


def fold(word: str) -> str:
    """Lower-case word without umlauts or accents; `ae/oe/ue` count as `ä/ö/ü`, `ß` as `ss`."""
    word = _DIGRAPH_RE.sub(lambda m: m.group()[0], word.casefold().translate(_FOLD))
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


STOPWORDS = frozenset(
    fold(w) for w in (set(stopwords_for_language("de")) | set(stopwords_for_language("en"))) - _KEEP
)


@lru_cache(maxsize=200_000)
def stem(folded: str) -> str:
    """The German stem: the one term every indexed word is guaranteed to have (phrases use it)."""
    return _de_stem(folded)


@lru_cache(maxsize=200_000)
def english_stem(folded: str) -> str:
    """The English stem, the second term every indexed word has."""
    return _en_stem(folded)


_english = english_stem


class _Dictionary:
    """Known word parts: modifier spellings (with linking elements) and head stems."""

    def __init__(self, entries, materials):
        self.modifiers: dict[str, str] = {}
        self.heads: set[str] = set()
        self.materials = {fold(m) for m in materials}
        self.add(entries)

    def add(self, entries) -> None:
        for entry in entries:
            base = fold(entry)
            if len(base) < MIN_PART and base not in _SHORT:
                continue
            self.heads.add(stem(base))
            forms = [base + link for link in _LINKS]
            if base.endswith("e"):
                forms.append(base[:-1])  # Schule -> Schulbus
            for form in forms:
                self.modifiers.setdefault(form, base)


def _taxonomy_words() -> set[str]:
    """Words of the shipped category names: the taxonomy's vocabulary is part of the dictionary
    (read from the shipped file, not the database, so every process analyses alike)."""
    from marketplace.categories.taxonomy import load_taxonomy

    names = [c[key] for c in load_taxonomy()["categories"] for key in ("name_de", "name_en")]
    return {w.group() for name in names for w in WORD_RE.finditer(name)}


_SHORT = {fold(w) for w in wordparts.SHORT_PARTS}
_DICTIONARY = _Dictionary(
    [*wordparts.PARTS, *wordparts.MATERIALS, *sorted(_taxonomy_words())], wordparts.MATERIALS
)


def _min_len(part: str) -> int:
    return 3 if part in _SHORT else MIN_PART


@lru_cache(maxsize=100_000)
def split_compound(folded: str) -> tuple[str, ...] | None:
    """Split a folded word into known parts, the head last in its surface form; None if unknown.

    Every part must be known (suffix matching alone splits `praktisch` into `prak` + `tisch`);
    only a shipped material name may have an unknown first part (`brenn|holz`).
    The split with the most parts wins (all heads get indexed), then the longest head."""
    best = _segment_cached(folded)
    if best and len(best) > 1:
        return best
    if folded in _DICTIONARY.materials:
        for i in range(3, len(folded) - MIN_PART + 1):
            if stem(folded[i:]) in _DICTIONARY.heads:
                return (folded[:i], folded[i:])
    return None


@lru_cache(maxsize=100_000)
def _segment_cached(word: str) -> tuple[str, ...] | None:
    d = _DICTIONARY
    best = None
    if len(word) >= _min_len(word) and stem(word) in d.heads:
        best = (word,)
    for i in range(3, len(word) - 2):
        base = d.modifiers.get(word[:i])
        if base is None or i < _min_len(base):
            continue
        rest = _segment_cached(word[i:])
        if rest and (best is None or (len(rest) + 1, len(rest[-1])) > (len(best), len(best[-1]))):
            best = (base, *rest)
    return best


@lru_cache(maxsize=200_000)
def analyse_word(word: str) -> tuple[tuple[str, float], ...]:
    """Index terms of one lower-case word with their weights: German stem, English stem,
    compound heads and material modifiers. Stop words give no terms."""
    folded = fold(word)[:MAX_WORD]
    if not folded or folded in STOPWORDS:
        return ()
    terms = {stem(folded): 1.0}
    terms.setdefault(_english(folded), 1.0)
    parts = split_compound(folded) if len(folded) >= 2 * MIN_PART - 1 else None
    if parts:
        # Right-hand sub-compounds (last...head, head), in their surface spelling so that the
        # stemmer sees the inflection: schwerlastregale -> lastregale, regale.
        tail = folded
        for modifier in parts[:-1]:
            cut = _modifier_length(tail, modifier)
            if modifier in _DICTIONARY.materials:
                terms.setdefault(stem(modifier), MATERIAL_BOOST)
            tail = tail[cut:]
            terms.setdefault(stem(tail), HEAD_BOOST)
    return tuple(terms.items())


def _modifier_length(word: str, base: str) -> int:
    """Length of the modifier `base` (with its linking element) at the start of `word`."""
    for link in sorted(_LINKS, key=len, reverse=True):
        form = base + link
        if word.startswith(form) and _DICTIONARY.modifiers.get(form) == base:
            rest = word[len(form) :]
            if _segment_cached(rest):
                return len(form)
    if base.endswith("e") and word.startswith(base[:-1]):
        return len(base) - 1
    return len(base)


def query_alternatives(word: str) -> tuple[str, ...]:
    """Terms a query word may match: its German and English stems (never its parts)."""
    folded = fold(word)[:MAX_WORD]
    if not folded or folded in STOPWORDS:
        return ()
    return tuple(dict.fromkeys((stem(folded), _english(folded))))


def query_parts(word: str) -> tuple[str, ...] | None:
    """Stems of a compound query word's parts (Holzpalette -> holz, palett), or None."""
    folded = fold(word)[:MAX_WORD]
    parts = split_compound(folded) if len(folded) >= 2 * MIN_PART - 1 else None
    if not parts:
        return None
    return tuple(dict.fromkeys(stem(p) for p in parts))


#: A document's text is one field in sections: title, description, context (category names,
#: organisation, district). Fewer fields mean fewer postings to merge per query word.
SECTION = "\x1e"
#: Weight of a word by section: a hit in the title counts three times one in the description.
SECTION_BOOSTS = (3.0, 1.0, 0.6)
#: Sections whose adjacent words are also indexed as pairs ("gut erhalt"): phrase search and
#: the bonus for words that stand together are then single term look-ups, not position checks.
PAIR_SECTIONS = (0, 1)


def pair(first: str, second: str) -> str:
    """The term for two adjacent words (their German stems; terms never contain a space)."""
    return f"{first} {second}"


def sectioned(*sections: str | None) -> str:
    return SECTION.join((s or "").replace(SECTION, " ") for s in sections)


class MarketplaceTokenizer(Tokenizer):
    """Whoosh analyser for the sectioned text field: every word yields its terms (weighted by
    word part and section) and, in title and description, the pair with the previous word
    (stop words are skipped, so "Stuhl mit Armlehne" pairs Stuhl and Armlehne).

    Holds no state (the schema is pickled into the index's table of contents)."""

    def __eq__(self, other):
        return self.__class__ is other.__class__

    def __hash__(self):
        return hash(self.__class__)

    def __call__(self, value, positions=False, chars=False, mode="", **kwargs):
        t = Token(positions, chars, mode=mode, **kwargs)
        pos = 0
        for number, text in enumerate(unicodedata.normalize("NFC", value).split(SECTION)):
            section_boost = SECTION_BOOSTS[min(number, len(SECTION_BOOSTS) - 1)]
            pairs = number in PAIR_SECTIONS
            previous = None
            for match in WORD_RE.finditer(text):
                terms = analyse_word(match.group().casefold())
                if not terms:
                    continue
                for term, boost in terms:
                    t.text, t.boost, t.pos = term, boost * section_boost, pos
                    yield t
                if pairs:
                    first = terms[0][0]
                    if previous is not None:
                        t.text, t.boost, t.pos = pair(previous, first), section_boost, pos
                        yield t
                    previous = first
                pos += 1


class SpellingTokenizer(Tokenizer):
    """Surface words for "did you mean": lower case with umlauts, letters only, 3-40 long."""

    def __eq__(self, other):
        return self.__class__ is other.__class__

    def __hash__(self):
        return hash(self.__class__)

    def __call__(self, value, positions=False, chars=False, mode="", **kwargs):
        t = Token(positions, chars, mode=mode, **kwargs)
        for match in WORD_RE.finditer(unicodedata.normalize("NFC", value)):
            word = _spelling_word(match.group())
            if word:
                t.text = word
                t.boost = 1.0
                yield t


@lru_cache(maxsize=200_000)
def _spelling_word(word: str) -> str | None:
    word = word.lower()
    if 3 <= len(word) <= MAX_WORD and word.isalpha() and fold(word) not in STOPWORDS:
        return word
    return None
