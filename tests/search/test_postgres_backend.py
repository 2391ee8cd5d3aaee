"""What only the PostgreSQL backend promises: documents written in the rows' transaction (no
drift possible), the application's analyzer as the tsvector's source, refusal on SQLite, and a
reindex of the configured backend. The search contract itself is the rest of tests/search, run
against both backends."""

import pytest
import sqlalchemy as sa

from marketplace import create_app
from marketplace.extensions import db
from marketplace.listings.models import Listing
from marketplace.search.postgres.documents import match_query, vector
from marketplace.search.query import parse, plan
from tests import factories

postgres_only = pytest.mark.postgres_only


@pytest.mark.parametrize("name", ["postgres", "elastic"])
def test_postgres_search_on_sqlite_and_unknown_backends_are_refused_at_start(tmp_path, name):
    config = {
        "INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": "tests-" + "k" * 40,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
        "SEARCH_BACKEND": name,
    }
    with pytest.raises(RuntimeError, match="SEARCH_BACKEND"):
        create_app(config)


def test_the_tsvector_holds_the_analyzers_terms_weighted_by_section():
    text = "\x1e".join(["Schwerlastregale", "gut erhalten", "Lager"])
    lexemes = dict(item.split(":", 1) for item in vector(text).split(" ") if ":" in item)
    assert lexemes["'regal'"].endswith("B")  # the compound's head, in the title
    assert lexemes["'schwerlastregal'"].endswith("A")
    assert lexemes["'lag'"].endswith("D")  # context section
    assert "'gut'" in lexemes and "'erhalt'" in lexemes and "C" in lexemes["'erhalt'"]


def test_query_plans_compile_to_tsquery_with_variants_phrases_and_exclusions():
    text = match_query(plan(parse('Bürostühle "gut erhalten" -defekt')))
    assert "'burostuhl'" in text and "('buro' & 'stuhl')" in text
    assert "'gut erhalt'" in text
    assert "& !(" in text and "'defekt'" in text


def _unsaved(title, organisation):
    return factories.ListingFactory.build(
        title=title, organisation=organisation, category=factories.category("tools")
    )


@postgres_only
def test_documents_commit_and_roll_back_with_their_rows(search, listing):
    kept = listing("Hobelbank aus Buche")
    savepoint = db.session.begin_nested()
    db.session.add(_unsaved("Werkbank aus Eiche", kept.organisation))
    db.session.flush()
    savepoint.rollback()
    pending = _unsaved("Drechselbank", kept.organisation)
    db.session.add(pending)
    db.session.flush()
    count = sa.text(
        "SELECT count(*) FROM search_listing_documents WHERE listing_id = :i"
    ).bindparams(i=pending.id)
    assert db.session.execute(count).scalar_one() == 1  # in the row's own transaction
    with db.engine.connect() as other:
        assert other.execute(count).scalar_one() == 0  # not before it commits
        db.session.commit()
        assert other.execute(count).scalar_one() == 1
    assert search.search("Hobelbank").ids == [kept.id]
    assert search.search("Werkbank").ids == []
    assert search.check_drift(heal=False, force=True).in_step


@postgres_only
def test_changes_behind_the_sessions_back_are_healed_by_search_check(search, listing, runner):
    changed = listing("Kisten zwei").id
    db.session.commit()
    table = Listing.__table__
    with db.engine.begin() as conn:  # raw SQL, no session: the one way to leave a document behind
        conn.execute(
            sa.update(table)
            .where(table.c.id == changed)
            .values(title="Regale", updated_at=sa.func.now())
        )
    assert search.search("Regal").ids == []
    result = runner.invoke(args=["search", "check"])
    assert "1 healed" in result.output
    assert search.search("Regal").ids == [changed]
    assert search.search("Kisten").ids == []


@postgres_only
def test_a_document_keeps_the_filter_columns_of_its_row(search, listing, runner):
    """Text searches filter on the documents' copies of the listing columns: a status change in
    the session follows in its transaction; raw SQL that left updated_at alone is healed by
    search check like a stale text."""
    kept, closed = listing("Kisten eins").id, listing("Kisten zwei")
    closed.status = "closed"
    db.session.commit()
    assert search.search("Kisten").ids == [kept]
    table = Listing.__table__
    with db.engine.begin() as conn:
        conn.execute(sa.update(table).where(table.c.id == kept).values(status="withdrawn"))
    result = runner.invoke(args=["search", "check"])
    assert "1 healed" in result.output
    assert search.search("Kisten").ids == []


@postgres_only
def test_reindex_rebuilds_the_configured_backend_with_a_progress_bar(search, listing, runner):
    org_listing = listing("Europaletten")
    db.session.commit()
    with db.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM search_listing_documents"))
        conn.execute(sa.text("DELETE FROM search_organisation_documents"))
    assert search.search("Palette").ids == []
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexing listings (postgres)" in result.output
    assert search.search("Palette").ids == [org_listing.id]
    name = org_listing.organisation.name
    assert search.search_organisations(name).ids == [org_listing.organisation_id]


def test_matching_candidates_come_through_the_interface(search, listing, make):
    """Matching's candidate search (search.find_related_listings, term_frequencies) on either
    backend: another organisation's open request sharing words, or filed in the category."""
    from marketplace.search import RelatedQuery, find_related_listings, term_frequencies

    offer = listing("Europaletten gebraucht")
    wanted = listing("Suche Europaletten", kind="request", organisation=make.organisation())
    listing("Suche Europaletten", kind="request", organisation=offer.organisation)  # own: never
    db.session.commit()
    found = find_related_listings(
        RelatedQuery(
            terms=[("europalett", 1.0), ("palett", 0.8)],
            kind="request",
            categories=("tools",),
            exclude_organisation_id=offer.organisation_id,
        )
    )
    assert set(found.scores) == {wanted.id}
    assert found.scores[wanted.id] > 0 and found.ideal >= found.scores[wanted.id]
    total, frequencies = term_frequencies(["palett", "nirgends"])
    assert total == 3 and frequencies == {"palett": 3, "nirgends": 0}
