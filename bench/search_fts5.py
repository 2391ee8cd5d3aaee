"""The SQLite FTS5 baseline of the search bench: the same listings in an FTS5 table (title,
description, context as three columns, unicode61 with diacritics removed, no stemming) and a
side table of what the filters, sorting and facets read.

A search here asks what the search page asks of whoosh, as cheaply as FTS5 can: the top 20 by
bm25 with the same field weights (3.0, 1.0, 0.6) under the same status and date filter, the
marked title and a description snippet (highlight(), snippet()), facet counts per category
(each listing also counted under its parent category), kind and district with one GROUP BY
(whose sum is the total), and, when a query of several words finds nothing, the same again
with any of the words (the page's "relaxed" results). It does no stemming, no compound
splitting, no English-German expansion and no did-you-mean: what whoosh does beyond that is
part of the price measured.
"""

import re
import sqlite3
import time
from collections import Counter
from pathlib import Path


def build_fts(workdir: Path, app) -> tuple[sqlite3.Connection, float]:
    from marketplace.extensions import db
    from marketplace.search import documents

    path = workdir / "fts5.db"
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    started = time.perf_counter()
    con.executescript(
        """
        CREATE VIRTUAL TABLE fts USING fts5(title, description, context,
            tokenize = 'unicode61 remove_diacritics 2');
        CREATE TABLE meta (id INTEGER PRIMARY KEY, kind TEXT, status TEXT, category TEXT,
            parent TEXT, until TEXT, created TEXT, lat REAL, lon REAL, district TEXT);
        """
    )
    with app.app_context(), db.engine.connect() as conn:
        rows = conn.execute(documents.listing_rows_select().order_by(documents.listings.c.id))
        for chunk in iter(lambda: rows.fetchmany(5000), []):
            con.executemany(
                "INSERT INTO fts(rowid, title, description, context) VALUES (?, ?, ?, ?)",
                [(r.id, r.title, r.description, _context(r)) for r in chunk],
            )
            con.executemany(
                "INSERT INTO meta VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        r.id,
                        r.kind,
                        r.status,
                        r.category_slug,
                        r.parent_slug,
                        r.available_until and r.available_until.isoformat(),
                        r.created_at.isoformat(),
                        r.lat,
                        r.lon,
                        r.district,
                    )
                    for r in chunk
                ],
            )
    con.execute("CREATE INDEX meta_created ON meta(created)")
    con.commit()
    return con, time.perf_counter() - started


def _context(r) -> str:
    parts = (
        r.category_name_de,
        r.category_name_en,
        r.parent_name_de,
        r.parent_name_en,
        r.organisation_name,
        r.district,
    )
    return " ".join(x for x in parts if x)


def fts_match(text: str, *, any_word: bool = False) -> str:
    """The same user query as an FTS5 expression: quoted tokens (AND, or OR with any_word),
    quoted phrases."""
    parts = []
    for phrase, word in re.findall(r'"([^"]*)"|(\S+)', text):
        tokens = re.findall(r"[^\W_]+", phrase or word)
        if tokens:
            parts.append('"' + " ".join(tokens) + '"')
    return (" OR " if any_word else " ").join(parts)


def fts_search(
    con: sqlite3.Connection, text, filters, sort, highlight, today: str, *, facets: bool = False
):
    """(ids of the page, total, facet counters or None); relaxed to any word when all the words
    find nothing."""
    ids, total, counted = _search(con, fts_match(text), filters, sort, highlight, today, facets)
    if not total and " " in fts_match(text).strip():
        ids, total, counted = _search(
            con, fts_match(text, any_word=True), filters, sort, highlight, today, facets
        )
    return ids, total, counted


def _search(con, match: str, filters, sort, highlight, today: str, facets: bool):
    if not match:
        return [], 0, None
    where = ["fts MATCH ?", "m.status = 'open'", "(m.until IS NULL OR m.until >= ?)"]
    params: list = [match, today]
    if "kind" in filters:
        where.append("m.kind = ?")
        params.append(filters["kind"])
    if "category" in filters:
        where.append("(m.category = ? OR m.parent = ?)")
        params += [filters["category"]] * 2
    near = filters.get("near")
    if near:
        r = filters.get("radius_km", 25)
        dlat, dlon = r / 111.195, r / (111.195 * 0.6245)
        where.append("m.lat BETWEEN ? AND ? AND m.lon BETWEEN ? AND ?")
        params += [near[0] - dlat, near[0] + dlat, near[1] - dlon, near[1] + dlon]
    base = f"FROM fts JOIN meta m ON m.id = fts.rowid WHERE {' AND '.join(where)}"
    if sort == "newest":
        order = "m.created DESC"
    elif sort == "nearest":
        order = f"(m.lat - {near[0]}) * (m.lat - {near[0]}) + (m.lon - {near[1]}) * (m.lon - {near[1]}) * 0.39"
    else:
        order = "bm25(fts, 3.0, 1.0, 0.6)"
    columns = (
        "fts.rowid, highlight(fts, 0, '<mark>', '</mark>'), "
        "snippet(fts, 1, '<mark>', '</mark>', ' … ', 24)"
        if highlight
        else "fts.rowid"
    )
    ids = con.execute(f"SELECT {columns} {base} ORDER BY {order} LIMIT 20", params).fetchall()  # noqa: S608
    if not facets:
        total = con.execute(f"SELECT count(*) {base}", params).fetchone()[0]  # noqa: S608
        return [row[0] for row in ids], total, None
    counted = {"category": Counter(), "kind": Counter(), "district": Counter()}
    total = 0
    groups = con.execute(
        f"SELECT m.category, m.parent, m.kind, m.district, count(*) {base} GROUP BY 1, 2, 3, 4",  # noqa: S608
        params,
    )
    for category, parent, kind, district, n in groups:
        total += n
        counted["category"][category] += n
        if parent:
            counted["category"][parent] += n
        counted["kind"][kind] += n
        counted["district"][district] += n
    return [row[0] for row in ids], total, counted
