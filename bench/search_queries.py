"""Distinct search queries for the search bench, generated from the corpus vocabulary
(bench/corpus.py) and the shipped term list with random.Random(seed) only.

Kinds, about in these shares: single corpus words (titles, descriptions, materials, districts),
compound heads (Regal for Schwerlastregale, Platten for Dämmplatten), English words (the
corpus's and the term list's), two-word mixes, misspellings (one edit of a corpus word) and
words that match nothing. Each text is distinct after case folding, so a run over the set asks
every query for the first time; words shared between queries stay shared, as in a real process.
"""

import csv
import io
import random
import re
from importlib import resources

from bench import corpus

#: kind -> share of the generated set.
SHARES = {
    "word": 0.20,
    "head": 0.12,
    "english": 0.16,
    "two words": 0.22,
    "misspelt": 0.18,
    "nothing": 0.12,
}
_WORD_RE = re.compile(r"[^\W\d_]{3,}")
_PLACEHOLDER_RE = re.compile(r"\{[^}]*\}")
_LETTERS = "abcdefghijklmnopqrstuvwxyzäöüß"
_SYLLABLES = [
    c + v
    for c in ("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "qu", "x")
    for v in ("a", "e", "i", "o", "u", "y")
]


def _words(*texts: str) -> list[str]:
    out: dict[str, None] = {}
    for text in texts:
        for w in _WORD_RE.findall(_PLACEHOLDER_RE.sub(" ", text)):
            out.setdefault(w, None)
    return list(out)


def german_vocabulary() -> list[str]:
    items = [w for de, _ in corpus.ITEMS.values() for w in de.split()]
    return _words(
        " ".join(items),
        " ".join(corpus.DE_ADJECTIVES + corpus.DE_OFFER + corpus.DE_REQUEST),
        " ".join(corpus.DE_SENTENCES + corpus.MATERIALS),
        " ".join(d[0] for d in corpus.DISTRICTS),
        " ".join(k for k, _ in corpus.ORG_KINDS),
    )


def english_vocabulary() -> list[str]:
    items = [w for _, en in corpus.ITEMS.values() for w in en.split("|")]
    listed = _words(
        " ".join(items),
        " ".join(corpus.EN_ADJECTIVES + corpus.EN_OFFER + corpus.EN_REQUEST),
        " ".join(corpus.EN_SENTENCES),
    )
    text = resources.files("marketplace.data").joinpath("terms_de_en.csv").read_text("utf-8")
    rows = csv.DictReader(line for line in io.StringIO(text) if not line.startswith("#"))
    terms = _words(" ".join(row["en"] for row in rows))
    return list(dict.fromkeys(listed + terms))


def compound_heads() -> list[str]:
    """Right-hand parts of the corpus's German compounds, as found and as singulars."""
    from marketplace.search.analysis import fold, split_compound

    heads: dict[str, None] = {}
    for de, _ in corpus.ITEMS.values():
        for word in de.split():
            folded = fold(word)
            parts = split_compound(folded)
            if not parts or len(folded) != len(word):
                continue
            head = word[len(word) - len(parts[-1]) :].capitalize()
            heads.setdefault(head, None)
            singular = head[:-1] if head.endswith(("en", "e")) else None
            if singular and len(singular) >= 4:
                heads.setdefault(singular, None)
    return list(heads)


def _misspell(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, len(word))  # the first letter is mostly typed right
    edit = rng.choice(("delete", "insert", "substitute", "transpose"))
    if edit == "delete":
        return word[:i] + word[i + 1 :]
    if edit == "insert":
        return word[:i] + rng.choice(_LETTERS) + word[i:]
    if edit == "substitute":
        return word[:i] + rng.choice(_LETTERS.replace(word[i].lower(), "")) + word[i + 1 :]
    if i == len(word) - 1:
        i -= 1
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _nonsense(rng: random.Random) -> str:
    word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(3, 5)))
    return word.capitalize() if rng.random() < 0.6 else word


def _typed(rng: random.Random, word: str) -> str:
    """As people type: mostly as written, sometimes all lower case."""
    return word.lower() if rng.random() < 0.25 else word


def generate(count: int = 600, seed: int = 14) -> list[tuple[str, str]]:
    """`count` distinct (kind, query text) pairs, in a shuffled order."""
    rng = random.Random(seed)
    german, english, heads = german_vocabulary(), english_vocabulary(), compound_heads()
    long_words = [w for w in german + english if len(w) >= 5]
    known = {w.casefold() for w in german + english}
    adjectives = corpus.DE_ADJECTIVES + corpus.EN_ADJECTIVES
    districts = [d[0] for d in corpus.DISTRICTS]

    def make(kind: str) -> str:
        if kind == "word":
            return _typed(rng, rng.choice(german))
        if kind == "head":
            return _typed(rng, rng.choice(heads))
        if kind == "english":
            word = rng.choice(english).lower()
            return word + "s" if rng.random() < 0.2 and not word.endswith("s") else word
        if kind == "misspelt":
            return _misspell(rng, _typed(rng, rng.choice(long_words)))
        if kind == "nothing":
            word = _nonsense(rng)
            return word if word.casefold() not in known else word + "ox"
        first = rng.choice(german + english + heads)
        second = rng.choice(
            (adjectives, districts, corpus.MATERIALS, german, english, heads)[rng.randrange(6)]
        )
        words = [second, first] if rng.random() < 0.5 else [first, second]
        return " ".join(_typed(rng, w) for w in words)

    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for kind, share in SHARES.items():
        wanted, tries = round(count * share), 0
        while wanted and tries < 200 * count:
            tries += 1
            text = make(kind)
            if text.casefold() not in seen:
                seen.add(text.casefold())
                out.append((kind, text))
                wanted -= 1
    while len(out) < count:  # rounding: fill with two-word mixes
        text = make("two words")
        if text.casefold() not in seen:
            seen.add(text.casefold())
            out.append(("two words", text))
    rng.shuffle(out)
    return out[:count]
