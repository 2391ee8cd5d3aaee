"""English query words -> the German index terms they stand for ("chairs" -> Stuhl), from the
shipped term list data/terms_de_en.csv (category names of the taxonomy in both languages,
materials, things often listed). Applied at query time as further alternatives of a word: the
index stays as it is, and the list is read once per process."""

import csv
import io
from functools import lru_cache
from importlib import resources

from marketplace.search.analysis import english_stem, fold, stem

TERMS_FILE = "terms_de_en.csv"


def read_pairs() -> list[tuple[str, str]]:
    """(German word, English word) rows of the shipped list."""
    text = resources.files("marketplace.data").joinpath(TERMS_FILE).read_text("utf-8")
    lines = (line for line in io.StringIO(text) if not line.startswith("#"))
    return [(row["de"].strip(), row["en"].strip()) for row in csv.DictReader(lines)]


@lru_cache(maxsize=1)
def _table() -> dict[str, tuple[str, ...]]:
    """English stem -> German stems; a German word that is also the English one adds nothing."""
    table: dict[str, dict[str, None]] = {}
    for de, en in read_pairs():
        key, term = english_stem(fold(en)), stem(fold(de))
        if key and term:
            table.setdefault(key, {})[term] = None
    return {key: tuple(terms) for key, terms in table.items()}


def german_terms(folded: str) -> tuple[str, ...]:
    """The German stems an English (folded, lower-case) word translates to, or ()."""
    return _table().get(english_stem(folded), ())
