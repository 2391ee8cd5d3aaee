"""Did you mean: a query word that hardly any listing contains as typed is replaced by a far
more frequent word of the titles and category names within two edits (Palleten -> Paletten).
Answers are cached per index version: the automaton walk over the word list is the costly part.
"""

import bisect
import contextlib

from cachetools import LRUCache
from whoosh.automata.lev import levenshtein_automaton

from marketplace.search.analysis import english_stem, fold, query_alternatives, stem
from marketplace.search.query import ParsedQuery, Word

#: Below this many results a "did you mean" suggestion is looked for; also for any word that
#: fewer than RARE_WORD listings contain as typed, if a word SUGGEST_MIN_FREQ listings contain
#: (and ten times as many) is within two edits.
SUGGEST_BELOW = 3
RARE_WORD = 2
SUGGEST_MIN_FREQ = 3


#: Corrections kept per searcher.
_CACHE_SIZE = 2000


class Suggester:
    """Per-process cache of corrections and of the spelling vocabulary, emptied whenever the
    searcher changes."""

    def __init__(self):
        self._owner = None
        self._cache: LRUCache = LRUCache(maxsize=_CACHE_SIZE)
        self._vocabulary: Vocabulary | None = None

    def suggest(self, store, parsed: ParsedQuery, total: int) -> str | None:
        """Call with store.lock held."""
        searcher = store.searcher()
        if self._owner is not searcher:
            self._owner, self._cache, self._vocabulary = searcher, LRUCache(_CACHE_SIZE), None
        out, changed = [], False
        found_little = total < SUGGEST_BELOW
        for w in parsed.words:
            key = (w.text, found_little)
            if key not in self._cache:
                if self._vocabulary is None:
                    self._vocabulary = Vocabulary.of(store, searcher)
                self._cache[key] = correction(w, found_little, self._vocabulary)
            best = self._cache[key]
            changed |= best is not None
            out.append(best or w.text)
        return " ".join(out) if changed else None


class Vocabulary:
    """The words of the `spell` field over all segments, sorted, with their document
    frequencies (as whoosh's reader counts them: deleted documents included until a merge).
    Built from per-segment word lists that live as long as their segment."""

    def __init__(self, frequencies: dict[str, int]):
        self.frequencies = frequencies
        self.words = sorted(frequencies)

    @classmethod
    def of(cls, store, searcher) -> "Vocabulary":
        merged: dict[str, int] = {}
        for sub, _ in searcher.leaf_searchers():
            if not sub.doc_count_all():  # an empty index's reader has no segment (nor words)
                continue
            reader = sub.reader()
            for word, n in store.arrays(reader).spelling(reader).items():
                merged[word] = merged.get(word, 0) + n
        return cls(merged)

    def doc_frequency(self, word: str) -> int:
        return self.frequencies.get(word, 0)

    def with_prefix(self, prefix: str):
        """The words starting with the prefix, in order."""
        words = self.words
        for i in range(bisect.bisect_left(words, prefix), len(words)):
            if not words[i].startswith(prefix):
                return
            yield words[i]

    def within(self, word: str, maxdist: int, prefix: int) -> list[str]:
        """The words within `maxdist` edits of `word` that share its first `prefix` letters:
        whoosh's Levenshtein automaton (as reader.terms_within builds it for each segment),
        built once and walked over the sorted words."""
        dfa = levenshtein_automaton(word, maxdist, prefix).to_dfa()
        words, out = self.words, []
        if not words:
            return out
        match = dfa.next_valid_string(words[0])
        while match:
            i = bisect.bisect_left(words, match)
            if i == len(words):
                break
            term = words[i]
            if match == term:
                out.append(match)
                term += "\0"
            match = dfa.next_valid_string(term)
        return out


def correction(word: Word, found_little: bool, vocabulary: Vocabulary) -> str | None:
    """The best correction of one word, or None when it needs none or none is good enough."""
    lower = word.text.lower()
    if len(lower) < 4 or not lower.isalpha() or word.translations:
        return None  # a word of the term list is known vocabulary, not a misspelling
    seen = vocabulary.doc_frequency(lower)
    if not found_little and seen >= RARE_WORD:
        return None
    own = set(word.alternatives)
    if not found_little and _inflected(lower):
        # An inflection of a listed word (Bürostuhl for Bürostühle) is no misspelling; a word
        # the stemmer merely cuts back to a listed one (Schwerlastregall) is.
        for i, known in enumerate(vocabulary.with_prefix(lower[: max(4, len(lower) - 3)])):
            if i > 200:
                break
            if set(query_alternatives(known)) == own:
                return None
    candidates = set()
    with contextlib.suppress(Exception):
        candidates.update(vocabulary.within(lower, 2, 2))
    scored = []
    for cand in candidates:
        if _same_word(lower, cand):
            continue  # the same word to the index in one language (an inflection, a spelling)
        freq = vocabulary.doc_frequency(cand)
        if freq >= max(SUGGEST_MIN_FREQ, 10 * seen):
            scored.append((distance(lower, cand), -freq, cand))
    if not scored:
        return None
    best = min(scored)[2]
    return best[:1].upper() + best[1:] if word.text[:1].isupper() else best


#: Endings German inflection adds to a stem (Regal-e, Stühl-en, Kiste-n, Tisch-es).
_ENDINGS = frozenset({"", "e", "en", "n", "s", "es", "er", "ern", "em", "ens", "nen"})


def _inflected(lower: str) -> bool:
    """Whether the word reads as its German stem plus an inflectional ending (or the stemmer
    changed the word so much that this cannot be told)."""
    folded = fold(lower)
    base = stem(folded)
    return not folded.startswith(base) or folded[len(base) :] in _ENDINGS


def _same_word(a: str, b: str) -> bool:
    """Same German stem or same English stem. Not across languages: the English stem of a
    misspelt compound (Schwerlastregall) can be the German stem of the right one."""
    fa, fb = fold(a), fold(b)
    return stem(fa) == stem(fb) or english_stem(fa) == english_stem(fb)


def distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment)."""
    prev2, prev = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if prev2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]
