""" "Did you mean" and completion on PostgreSQL, from the spellings table: the same rules as
with whoosh (suggest.correction, complete.pick_words), the candidates from pg_trgm similarity
over the distinct words of a prefix range (C collation), frequencies counted per listing."""

import logging

import sqlalchemy as sa

from marketplace.search import complete, query
from marketplace.search.complete import Completer
from marketplace.search.filters import SearchFilters, compile_filters
from marketplace.search.postgres.documents import match_query
from marketplace.search.postgres.sql import FROM_DOCUMENTS, filter_clause
from marketplace.search.suggest import RARE_WORD, SUGGEST_BELOW, correction, distance

log = logging.getLogger(__name__)


def trigram_schema(conn) -> str | None:
    """The schema pg_trgm is installed in (its functions and operators are qualified with it:
    the search_path need not include it), or None."""
    return conn.execute(
        sa.text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'"
        )
    ).scalar()


#: The distinct spellings from :p (inclusive) to :end, in order, one step of the primary key
#: each (a loose index scan): a common word has thousands of rows, a prefix a few words.
_DISTINCT_WORDS = (
    "WITH RECURSIVE words(word) AS ("
    "(SELECT word FROM search_spellings WHERE word >= :p AND word < :end "
    "ORDER BY word LIMIT 1) UNION ALL "
    "SELECT (SELECT s.word FROM search_spellings s WHERE s.word > w.word "
    "AND s.word < :end ORDER BY s.word LIMIT 1) FROM words w "
    "WHERE w.word IS NOT NULL) "
)


class _Vocabulary:
    """What suggest.correction asks of a vocabulary, answered by SQL on one connection.

    `cap`: counts of a typed word stop there. Unless the search found little, correction only
    asks whether the typed word reaches RARE_WORD (a count below the cap is exact)."""

    def __init__(self, conn, schema: str | None, cap: int | None = None):
        self.conn, self.schema, self.cap = conn, schema, cap
        self._frequencies: dict[str, int] = {}

    def doc_frequency(self, word: str) -> int:
        if word not in self._frequencies:
            limit = "" if self.cap is None else " LIMIT :cap"
            self._frequencies[word] = int(
                self.conn.execute(
                    sa.text(
                        "SELECT count(*) FROM (SELECT 1 FROM search_spellings "  # noqa: S608
                        f"WHERE word = :w{limit}) AS rows"
                    ),
                    {"w": word, "cap": self.cap},
                ).scalar_one()
            )
        return self._frequencies[word]

    def with_prefix(self, prefix: str):
        rows = self.conn.execute(
            sa.text(_DISTINCT_WORDS + "SELECT word FROM words WHERE word IS NOT NULL LIMIT 201"),  # noqa: S608
            {"p": prefix, "end": prefix + "\U0010ffff"},
        )
        return list(rows.scalars())

    def within(self, word: str, maxdist: int, prefix: int) -> list[str]:
        params = {"w": word, "p": word[:prefix], "end": word[:prefix] + "\U0010ffff"}
        similar = f' AND word OPERATOR("{self.schema}".%) :w' if self.schema else ""
        # Only the similar distinct words are counted: pg_trgm's index would hold a row per
        # word and listing, and a common word's neighbours cost thousands of rows (120 ms).
        rows = self.conn.execute(
            sa.text(
                _DISTINCT_WORDS + "SELECT word, (SELECT count(*) FROM search_spellings s "  # noqa: S608
                f"WHERE s.word = words.word) FROM words WHERE word IS NOT NULL{similar}"
            ),
            params,
        )
        out = []
        for candidate, n in rows:
            self._frequencies[candidate] = int(n)
            if distance(word, candidate) <= maxdist:
                out.append(candidate)
        return out


class Spellings:
    def __init__(self, backend):
        self.backend = backend
        self._schema: str | None | bool = False  # False: not looked up yet
        self._completer = Completer()

    def _trigram_schema(self, conn) -> str | None:
        if self._schema is False:
            self._schema = trigram_schema(conn)
            if self._schema is None:
                log.warning("search: pg_trgm is not installed; suggestions use prefixes only")
        return self._schema

    def suggest(self, parsed: query.ParsedQuery, total: int) -> str | None:
        out, changed = [], False
        with self.backend.connection() as conn:
            found_little = total < SUGGEST_BELOW
            cap = None if found_little else RARE_WORD
            vocabulary = _Vocabulary(conn, self._trigram_schema(conn), cap)
            for w in parsed.words:
                best = correction(w, found_little, vocabulary)
                changed |= best is not None
                out.append(best or w.text)
        return " ".join(out) if changed else None

    def complete(self, text: str | None) -> list[str]:
        typed = complete.last_word(text)
        if typed is None:
            return []
        owner = self.backend.version(check_drift=False)
        return self._completer.cached(owner, typed, self._words)

    def _words(self, prefix: str) -> tuple[str, ...]:
        with self.backend.connection() as conn:
            frequent = conn.execute(
                sa.text(
                    "SELECT count(*), word FROM search_spellings "
                    "WHERE word >= :p AND word < :end GROUP BY word "
                    "ORDER BY count(*) DESC, length(word) LIMIT :n"
                ),
                {"p": prefix, "end": prefix + "\U0010ffff", "n": complete.SCAN},
            ).all()
            params: dict = {}
            where = filter_clause(compile_filters(SearchFilters()), params)

            def finds(plan) -> bool:
                statement = (
                    f"SELECT 1 {FROM_DOCUMENTS} WHERE {where} "  # noqa: S608
                    "AND l.document @@ CAST(:match AS tsquery) LIMIT 1"
                )
                found = conn.execute(sa.text(statement), {**params, "match": match_query(plan)})
                return found.first() is not None

            return complete.pick_words([tuple(r) for r in frequent], prefix, finds)
