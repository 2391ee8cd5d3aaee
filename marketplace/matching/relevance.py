"""Whether two listings are about the same thing: a meaningful word in common (pure: no Flask,
no database).

A listing's wording is the set of search terms of its words (marketplace/search/analysis.py:
German and English stems, compound heads, stop words removed) without material modifiers
(`Holz` in `Holzstühle` does not make a chair wood) and without words that say nothing of the
thing (`suche`, `gut erhalten`, `Reste`). Words that replace each other count as one: the
groups shipped in data/matching_substitutes.json and the words of each category's German and
English name standing at the same place (`Tische`/`Tables`, `Paletten und Kisten`/`Pallets and
crates`), so that an English request meets a German offer.

Two listings share a meaningful word when a term of one's title (the part naming the thing, not
what it is made of or for) is a term of the other's title or description. A pair that shares
only a category is not a match ("maybe also of interest").
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from marketplace.search.analysis import STOPWORDS, WORD_RE, analyse_word, fold

#: Compound heads below this weight are material modifiers (analysis.MATERIAL_BOOST).
MIN_TERM_WEIGHT = 0.8
#: Description words read per listing: enough for what it is, bounded for the allocation.
MAX_DESCRIPTION_WORDS = 60
#: Words that say "offer", "request", a condition or an amount, not what.
GENERIC_WORDS = (
    "suche", "suchen", "gesucht", "biete", "bieten", "abzugeben", "verschenke", "verschenken",
    "brauchen", "benötigt", "benötigen", "dringend", "gern", "gerne", "abholung", "abholen",
    "abzuholen", "wanted", "looking", "offer", "offering", "free", "need", "needed", "stück",
    "stk", "gut", "erhalten", "erhaltene", "neu", "neuwertig", "gebraucht", "used", "new",
    "good", "condition", "zustand", "sehr", "top", "klein", "groß", "alt", "alte", "sauber",
    "viele", "diverse", "verschiedene", "rest", "reste", "teil", "teile", "set", "paar",
    "stoff", "werkstoff", "material", "materials", "zubehör", "technik", "gerät", "geräte",
    "ausstattung", "equipment", "system", "systems", "umbau", "lager", "hof", "sofort",
    "platte", "platten", "kostenlos", "günstig", "abgabe", "menge", "größe", "ware", "sachen", "items", "various",
)  # fmt: skip
#: Title words after these say what it is made of ("Obstkisten aus Holz" are no wood on offer)
#: and are left out; words after PURPOSE say what it is for ("Regal für die Werkstatt") and
#: count like the description: two listings for a Werkstatt are not about the same thing.
MADE_OF = frozenset(("aus", "from", "made"))
PURPOSE = frozenset(fold(w) for w in ("für", "fuer", "for", "zum", "zur"))
_CLASS = "\x1f"  # prefix of a substitutes class token; no analysed term contains it


def _own_terms(word: str) -> set[str]:
    """The word's own stems (not its parts): what another word must contain to be it."""
    return {t for t, weight in analyse_word(word.casefold()) if weight >= 1.0}


@lru_cache(maxsize=1)
def _generic_terms() -> frozenset[str]:
    return frozenset(t for w in GENERIC_WORDS for t in _own_terms(w))


def _name_words(name: str) -> list[str]:
    return [
        w.group()
        for w in WORD_RE.finditer(name.split("(")[0])
        if len(w.group()) >= 3 and fold(w.group()) not in STOPWORDS
    ]


def _taxonomy_pairs() -> list[list[str]]:
    """German and English words of a category name at the same place, where both names have as
    many words (`Papier und Pappe` / `Paper and board`); others are left to the shipped groups."""
    from marketplace.categories.taxonomy import load_taxonomy

    pairs = []
    for category in load_taxonomy()["categories"]:
        de, en = _name_words(category["name_de"]), _name_words(category["name_en"])
        if len(de) == len(en):
            pairs += [[d, e] for d, e in zip(de, en, strict=True)]
    return pairs


def _shipped_groups() -> list[list[str]]:
    text = resources.files("marketplace.data").joinpath("matching_substitutes.json")
    return json.loads(text.read_text("utf-8"))["groups"]


@lru_cache(maxsize=1)
def _classes() -> dict[str, tuple[str, ...]]:
    """term -> the class tokens of the groups one of whose words it is."""
    out: dict[str, set[str]] = {}
    for number, group in enumerate([*_shipped_groups(), *_taxonomy_pairs()]):
        for word in group:
            for term in _own_terms(word):
                out.setdefault(term, set()).add(f"{_CLASS}{number}")
    return {term: tuple(sorted(tokens)) for term, tokens in out.items()}


@dataclass(frozen=True)
class Wording:
    """What a listing is about, as terms: of its title, and of title and description."""

    title: frozenset[str]
    all: frozenset[str]
    #: title term -> the title word it came from (for the reason "in both: ...")
    words: tuple[tuple[str, str], ...] = ()


@lru_cache(maxsize=100_000)
def _word_terms(word: str) -> tuple[str, ...]:
    """One word's meaningful terms and the class tokens of its substitutes groups."""
    if len(word) < 3 or word.isdigit():
        return ()
    terms = {t for t, weight in analyse_word(word.casefold()) if weight >= MIN_TERM_WEIGHT}
    terms -= _generic_terms()
    classes = _classes()
    for term in list(terms):
        terms.update(classes.get(term, ()))
    return tuple(sorted(terms))


@lru_cache(maxsize=5_000)
def wording_of(title: str, description: str = "") -> Wording:
    """The listing's wording (cached: the allocation reads every open listing)."""
    words: dict[str, str] = {}
    described: set[str] = set()
    mode = "subject"
    for match in WORD_RE.finditer(title or ""):
        folded = fold(match.group())
        if folded in MADE_OF:
            break
        if folded in PURPOSE:
            mode = "context"
        for term in _word_terms(match.group()):
            if mode == "subject":
                words.setdefault(term, match.group())
            else:
                described.add(term)
    for n, match in enumerate(WORD_RE.finditer(description or "")):
        if n >= MAX_DESCRIPTION_WORDS:
            break
        described.update(_word_terms(match.group()))
    title_terms = frozenset(words)
    return Wording(title=title_terms, all=title_terms | described, words=tuple(words.items()))


def shared_terms(a: Wording, b: Wording) -> frozenset[str]:
    """Terms of one's title found in the other's title or description."""
    return (a.title & b.all) | (b.title & a.all)


def shares_meaningful_word(a: Wording, b: Wording) -> bool:
    return bool(shared_terms(a, b))


def shared_word(a: Wording, b: Wording) -> str | None:
    """The shortest title word of either listing behind a shared term (`Regal` rather than
    `Schwerlastregal`), for the reason shown; None when they share nothing."""
    shared = shared_terms(a, b)
    if not shared:
        return None
    words = [w for wording in (a, b) for t, w in wording.words if t in shared]
    return min(words, key=lambda w: (len(w), w)) if words else None


def share_matrix(rows: Sequence[Wording], columns: Sequence[Wording]):
    """Boolean matrix (len(rows) x len(columns)): which pairs share a meaningful word; through
    postings, so the cost follows the pairs that do."""
    import numpy as np

    by_title: dict[str, list[int]] = {}
    by_any: dict[str, list[int]] = {}
    for j, wording in enumerate(columns):
        for term in wording.title:
            by_title.setdefault(term, []).append(j)
        for term in wording.all:
            by_any.setdefault(term, []).append(j)
    out = np.zeros((len(rows), len(columns)), dtype=bool)
    for i, wording in enumerate(rows):
        hits = [j for t in wording.title for j in by_any.get(t, ())]
        hits += [j for t in wording.all for j in by_title.get(t, ())]
        if hits:
            out[i, hits] = True
    return out
