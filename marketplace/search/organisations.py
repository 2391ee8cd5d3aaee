"""Organisations in the search index, for the directory (/orgs).

Organisations live in an index of their own (SEARCH_INDEX_DIR/organisations), analysed like
listings (the same German/English tokenizer: stems of both languages, umlaut folding, compound
parts, word pairs), so that the listing engine, its statistics, its drift check and its caches
never see an organisation document (the `doctype` field marks them all the same). There are few
organisations (hundreds, not 100k), so plain whoosh searching with BM25 is fast enough.

Kept in step like listings: the session events index the organisations a commit created or
changed; a drift check (at most every drift interval, per process, and forced by
`search reindex`/`search check`) compares a signature of each organisation's indexed fields with
the database and re-indexes what differs.
"""

import hashlib
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask import has_app_context
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from whoosh import formats, index, writing
from whoosh import query as wq
from whoosh.fields import ID, FieldType, Schema
from whoosh.scoring import BM25F

from marketplace.orgs.models import ORGANISATION_KINDS, Organisation
from marketplace.search import query
from marketplace.search.analysis import MarketplaceTokenizer, sectioned
from marketplace.search.filters import SearchQueryError, paging

log = logging.getLogger(__name__)

DOCTYPE = "organisation"
SUBDIR = "organisations"
TEXT = "text"
organisations = Organisation.__table__


def build_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        doctype=ID(),
        sig=ID(stored=True),
        kind=ID(),
        district=ID(),
        name_sort=ID(sortable=True),
        **{TEXT: FieldType(formats.Frequency(), MarketplaceTokenizer(), scorable=True)},
    )


@dataclass
class OrganisationResult:
    ids: list[int] = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = 20


def organisation_rows_select() -> sa.Select:
    o = organisations.c
    return sa.select(o.id, o.name, o.kind, o.postcode, o.district, o.description)


def _signature(row) -> str:
    parts = (row.name, row.kind, row.postcode, row.district, row.description)
    text = "\x1f".join(p or "" for p in parts)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def organisation_text(row) -> str:
    """The sectioned text an organisation is found by (both backends index it)."""
    kind = row.kind or ""
    # Both languages' names of the kind, so that "Verein" and "association" find associations.
    kind_names = {kind.replace("_", " ")}
    label = ORGANISATION_KINDS.get(kind)
    if label is not None and has_app_context():
        for locale in ("de", "en"):
            with force_locale(locale):
                kind_names.add(str(label))
    context = " ".join(p for p in (*sorted(kind_names), row.district, row.postcode) if p)
    return sectioned(row.name, row.description, context)


def check_organisation_query(kind: str | None, page, per_page) -> tuple[int, int]:
    """Validated paging for an organisation search; SearchQueryError for an unknown kind."""
    if kind and kind not in ORGANISATION_KINDS:
        raise SearchQueryError("kind", _l("Unknown kind of organisation."))
    return paging(page, per_page)


def _document(row) -> dict:
    return {
        "id": str(row.id),
        "doctype": DOCTYPE,
        "sig": _signature(row),
        "kind": row.kind or "",
        "district": (row.district or "").casefold(),
        "name_sort": (row.name or "").casefold(),
        TEXT: organisation_text(row),
    }


class OrganisationIndex:
    """One per backend per process; thread-safe. Writers wait for whoosh's lock."""

    def __init__(self, root: str | Path, connection, *, write_timeout_s: float = 10.0):
        """`connection()` gives a context manager yielding a database connection to read with;
        it is closed before the index is written, so no database lock waits for whoosh's."""
        self.path = Path(root) / SUBDIR
        self.connection = connection
        self.write_timeout_s = write_timeout_s
        self.lock = threading.RLock()
        self._ix = None
        self._searcher = None
        self._last_check = 0.0
        self._check_requested = False

    # ---- index --------------------------------------------------------------------------

    def _index(self):
        if self._ix is None:
            self.path.mkdir(parents=True, exist_ok=True)
            try:
                self._ix = index.open_dir(str(self.path))
                if set(self._ix.schema.names()) != set(build_schema().names()):
                    raise index.EmptyIndexError("another schema")
            except index.EmptyIndexError:
                self._ix = index.create_in(str(self.path), build_schema())
                self._check_requested = True
        return self._ix

    def _current_searcher(self):
        with self.lock:
            if self._searcher is None:
                self._searcher = self._index().searcher(weighting=BM25F())
            else:
                self._searcher = self._searcher.refresh()
            return self._searcher

    def close(self) -> None:
        with self.lock:
            if self._searcher is not None:
                self._searcher.close()
            self._searcher = self._ix = None

    def _write(self, apply, *, clear: bool = False) -> None:
        # The process's searcher is dropped first: a whoosh writer opened next to a searcher of
        # the same index object in this process was seen to lose update_document's deletions.
        with self.lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
            writer = self._index().writer(timeout=self.write_timeout_s, delay=0.02)
            try:
                apply(writer)
            except BaseException:
                writer.cancel()
                raise
            writer.commit(mergetype=writing.CLEAR if clear else None)

    # ---- writing ------------------------------------------------------------------------

    def index_ids(self, ids: Iterable[int]) -> None:
        """(Re-)index organisations from the database; ids no longer there are removed."""
        ids = set(ids)
        if not ids:
            return
        with self.connection() as conn:
            stmt = organisation_rows_select().where(organisations.c.id.in_(sorted(ids)))
            rows = conn.execute(stmt).all()
        self.write_rows(rows, ids - {row.id for row in rows})

    def write_rows(self, rows, removed_ids: Iterable[int] = ()) -> None:
        """Index organisations given as rows (attributes id, name, kind, postcode, district,
        description) and remove the documents of `removed_ids`."""
        docs = [_document(row) for row in rows]
        gone = set(removed_ids)
        if not docs and not gone:
            return

        def apply(writer):
            for i in gone:
                writer.delete_by_term("id", str(i))
            for doc in docs:
                writer.update_document(**doc)

        self._write(apply)

    def rebuild(self) -> int:
        """Replace the whole index with the database's organisations (atomically switched)."""
        with self.connection() as conn:
            rows = conn.execute(organisation_rows_select().order_by(organisations.c.id)).all()
        docs = [_document(row) for row in rows]

        def apply(writer):
            for doc in docs:
                writer.add_document(**doc)

        self._write(apply, clear=True)
        return len(docs)

    def clear(self) -> None:
        self._write(lambda writer: None, clear=True)

    # ---- drift --------------------------------------------------------------------------

    def request_check(self) -> None:
        self._check_requested = True

    def check(self, *, interval_s: float, force: bool = False) -> int:
        """Re-index organisations whose indexed fields differ from the database; returns how many
        documents were healed (0 when in step or not due)."""
        now = time.monotonic()
        if not (force or self._check_requested) and now - self._last_check < interval_s:
            return 0
        self._last_check, self._check_requested = now, False
        with self.connection() as conn:
            in_db = {row.id: _signature(row) for row in conn.execute(organisation_rows_select())}
        with self.lock:
            indexed = {
                int(f["id"]): f.get("sig") for f in self._current_searcher().all_stored_fields()
            }
        stale = {i for i, sig in in_db.items() if indexed.get(i) != sig}
        ghosts = indexed.keys() - in_db.keys()
        if stale or ghosts:
            self.index_ids(stale | ghosts)
            log.warning("search: healed organisation drift (%d documents)", len(stale | ghosts))
        return len(stale | ghosts)

    # ---- reading ------------------------------------------------------------------------

    def search(
        self,
        q: str | None,
        *,
        kind: str | None = None,
        district: str | None = None,
        page: int = 1,
        per_page: int = 20,
    ) -> OrganisationResult:
        page, per_page = check_organisation_query(kind, page, per_page)
        parsed = query.parse(q)
        limits = [wq.Term("doctype", DOCTYPE)]
        if kind:
            limits.append(wq.Term("kind", kind))
        if district and district.strip():
            limits.append(wq.Term("district", district.strip().casefold()))
        restrict = wq.And(limits)
        with self.lock:
            searcher = self._current_searcher()
            if parsed.is_empty:
                results = searcher.search_page(
                    restrict, page, pagelen=per_page, sortedby="name_sort"
                )
            else:
                results = searcher.search_page(
                    _text_query(query.plan(parsed)), page, pagelen=per_page, filter=restrict
                )
                if results.total == 0 and len(parsed.words) + len(parsed.phrases) > 1:
                    results = searcher.search_page(
                        _text_query(query.plan(parsed, match_all_words=False)),
                        page,
                        pagelen=per_page,
                        filter=restrict,
                    )
            # search_page clamps a page past the end to the last one: show nothing there.
            ids = [int(hit["id"]) for hit in results] if results.pagenum == page else []
            return OrganisationResult(ids=ids, total=results.total, page=page, per_page=per_page)

    def ids_matching(self, q: str | None, *, limit: int) -> list[int]:
        """Every organisation the words find (at most `limit`), best first; for filters that
        combine the text with what the index does not hold (functions, sites, distance)."""
        parsed = query.parse(q)
        if parsed.is_empty:
            return []
        restrict = wq.Term("doctype", DOCTYPE)
        with self.lock:
            searcher = self._current_searcher()
            for match_all_words in (True, False):
                text = _text_query(query.plan(parsed, match_all_words=match_all_words))
                hits = searcher.search(text, limit=limit, filter=restrict)
                if len(hits) or len(parsed.words) + len(parsed.phrases) <= 1:
                    break
            return [int(hit["id"]) for hit in hits]


def _group_query(group) -> wq.Query:
    return wq.Or([wq.And([wq.Term(TEXT, t) for t in alternative]) for alternative in group])


def _text_query(plan: query.Plan) -> wq.Query:
    groups = [_group_query(g) for g in plan.groups]
    matched = wq.Or(groups) if plan.any_group else wq.And(groups)
    if plan.scoring:  # phrase pairs and compound parts add to the score, never restrict
        matched = wq.AndMaybe(matched, wq.Or([wq.Term(TEXT, t) for t, _ in plan.scoring]))
    for group in plan.excluded:
        matched = wq.AndNot(matched, _group_query(group))
    return matched
