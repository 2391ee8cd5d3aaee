"""Autocomplete for the search box: the last word typed, completed from the surface words of
titles and category names (the `spell` field) and the English words of the term list, most
frequent first. Only words that find an open listing are offered (a withdrawn listing's title
must not leak), and answers are cached per index version, so typing costs a dictionary look-up
once a prefix has been seen."""

import bisect
import heapq
from functools import lru_cache

from cachetools import LRUCache

from marketplace.search import engine, query
from marketplace.search.analysis import WORD_RE, english_stem, fold
from marketplace.search.bilingual import read_pairs
from marketplace.search.filters import SearchFilters, compile_filters
from marketplace.search.store import IndexStore

MAX_SUGGESTIONS = 8
MIN_PREFIX = 2
MAX_PREFIX = 40
#: Bounds on the work per new prefix: words read from the term dictionary, words checked.
SCAN = _SCAN = 400
_CHECK = 3 * MAX_SUGGESTIONS
_CACHE_SIZE = 5000


class Completer:
    """Per-process cache of completions, emptied whenever the searcher changes."""

    def __init__(self) -> None:
        self._owner = None
        self._cache: LRUCache = LRUCache(maxsize=_CACHE_SIZE)

    def complete(self, store: IndexStore, text: str | None) -> list[str]:
        """Up to eight completions of the query text (its last word completed). Call with
        store.lock held."""
        typed = last_word(text)
        if typed is None:
            return []
        searcher = store.searcher()

        def words(prefix: str) -> tuple[str, ...]:
            return _words(store, searcher.reader(), prefix)

        return self.cached(searcher, typed, words)

    def cached(self, owner, typed, words) -> list[str]:
        """Completions of a last_word() answer from the cache of `owner` (an index version),
        computing new prefixes with words(prefix)."""
        if self._owner != owner:  # a searcher (whoosh) or a version tuple (PostgreSQL)
            self._owner, self._cache = owner, LRUCache(maxsize=_CACHE_SIZE)
        head, prefix, upper = typed
        found = self._cache.get(prefix)
        if found is None:
            found = self._cache[prefix] = words(prefix)
        return [head + (w[:1].upper() + w[1:] if upper else w) for w in found]


def last_word(text: str | None) -> tuple[str, str, bool] | None:
    """(text before the last word, the last word in lower case, whether it was capitalised), or
    None when there is nothing to complete."""
    if not text or text[-1].isspace():
        return None  # a new word is begun: nothing to complete yet
    text = query.clean(text)[:200]
    last = None
    for last in WORD_RE.finditer(text):  # noqa: B007 - the last match is wanted
        pass
    if last is None or last.end() != len(text):
        return None
    prefix = last.group().lower()
    if not MIN_PREFIX <= len(prefix) <= MAX_PREFIX:
        return None
    return text[: last.start()], prefix, last.group()[:1].isupper()


def _words(store: IndexStore, reader, prefix: str) -> tuple[str, ...]:
    frequent = []
    for i, term in enumerate(reader.expand_prefix("spell", prefix)):
        if i >= _SCAN:
            break
        word = term.decode("utf-8") if isinstance(term, bytes) else term
        frequent.append((reader.doc_frequency("spell", word), word))
    spec = compile_filters(SearchFilters())  # open listings, as anyone may see them
    return pick_words(frequent, prefix, lambda plan: engine.any_match(store, plan, spec))


def pick_words(frequent: list[tuple[int, str]], prefix: str, finds) -> tuple[str, ...]:
    """The most frequent words (and the term list's English words) of which finds(plan) says
    they find an open listing, at most MAX_SUGGESTIONS."""
    candidates = [w for _, w in heapq.nlargest(_CHECK, frequent, key=lambda x: (x[0], -len(x[1])))]
    candidates += [w for w in _english_words(fold(prefix)) if w not in candidates]
    out: list[str] = []
    for word in candidates[: _CHECK + MAX_SUGGESTIONS]:
        parsed = query.parse(word)
        if not parsed.is_empty and finds(query.plan(parsed)):
            out.append(word)
            if len(out) == MAX_SUGGESTIONS:
                break
    return tuple(out)


@lru_cache(maxsize=1)
def _english_vocabulary() -> tuple[list[str], list[str]]:
    """The term list's English words, one per stem (the longest: pallets, not pallet)."""
    by_stem: dict[str, str] = {}
    for _, en in read_pairs():
        word = en.lower()
        key = english_stem(fold(word))
        if len(word) > len(by_stem.get(key, "")):
            by_stem[key] = word
    words = sorted(by_stem.values(), key=fold)
    return [fold(w) for w in words], words


def _english_words(folded_prefix: str) -> list[str]:
    """English words of the term list starting with the prefix (they find German listings)."""
    keys, words = _english_vocabulary()
    start = bisect.bisect_left(keys, folded_prefix)
    out = []
    for key, word in zip(keys[start:], words[start:], strict=True):
        if not key.startswith(folded_prefix) or len(out) == MAX_SUGGESTIONS:
            break
        out.append(word)
    return out


@lru_cache(maxsize=4)
def _category_terms(language: str) -> tuple[str, ...]:
    from marketplace.categories.taxonomy import load_taxonomy

    key = "name_en" if language == "en" else "name_de"
    return tuple(sorted({c[key] for c in load_taxonomy()["categories"]}, key=fold))


def category_terms(language: str) -> list[str]:
    """The category names of the shipped taxonomy in the language, alphabetically (a category
    name as query finds that category's listings: the names are indexed with each listing)."""
    return list(_category_terms("en" if language == "en" else "de"))
