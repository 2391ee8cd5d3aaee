"""Organisations in the search index (the directory): German/English analysis, filters, kept in
step on commit, rebuilt by reindex, never mixed into listing search."""

import pytest

from marketplace.extensions import db
from marketplace.orgs.models import Organisation
from marketplace.search import SearchQueryError, search_listings, search_organisations


def _ids(q=None, **kw):
    return search_organisations(q, **kw).ids


def test_umlaut_spellings_plurals_and_compounds_find_an_organisation(search, make):
    chairs = make.organisation(name="Bürostühle Kollektiv", kind="initiative")
    pallets = make.organisation(
        name="Lagerhof Nord", kind="business", description="Wir sammeln Europaletten."
    )
    make.organisation(name="Tischlerei Span", kind="business")
    assert _ids("Buerostuhl") == [chairs.id]
    assert _ids("Bürostuhl") == [chairs.id]
    assert _ids("Palette") == [pallets.id]
    assert search_organisations("Palette").total == 1


def test_kind_in_either_language_and_district_filter(search, make):
    verein = make.organisation(name="Laden im Kiez", kind="association", district="Neukölln")
    make.organisation(name="Werk im Kiez", kind="business", district="Neukölln")
    other = make.organisation(name="Rad im Kiez", kind="association", district="Pankow")
    assert set(_ids("Kiez", kind="association")) == {verein.id, other.id}
    assert _ids("Kiez", kind="association", district="neukölln") == [verein.id]
    assert set(_ids("Verein")) == {verein.id, other.id}
    assert set(_ids("association")) == {verein.id, other.id}
    with pytest.raises(SearchQueryError):
        search_organisations("Kiez", kind="castle")


def test_without_a_query_organisations_come_by_name_and_page_by_page(search, make):
    for name in ("Zeltverleih", "anker e.V.", "Mosaik", "Bauhütte"):
        make.organisation(name=name)
    first = search_organisations(None, per_page=3)
    assert first.total == 4
    names = [db.session.get(Organisation, i).name for i in first.ids]
    assert names == ["anker e.V.", "Bauhütte", "Mosaik"]
    assert len(search_organisations(None, page=2, per_page=3).ids) == 1


def test_creating_and_editing_an_organisation_is_searchable_after_commit(search, make):
    org = make.organisation(name="Materialinsel")
    assert _ids("Materialinsel") == [org.id]
    org.name = "Restekiste"
    org.description = "Stoffreste und Garne"
    db.session.commit()
    assert _ids("Materialinsel") == []
    assert _ids("Restekiste") == [org.id]
    assert _ids("Garn") == [org.id]
    db.session.delete(org)
    db.session.commit()
    assert _ids("Restekiste") == []


def test_listing_search_never_returns_organisations(search, make, listing):
    make.organisation(name="Zauberkiste Kollektiv")
    result = search_listings("Zauberkiste")
    assert result.total == 0 and result.ids == []
    owner = make.organisation(name="Werkhof")
    offer = listing("Holzpaletten", organisation=owner)
    assert search_listings("Werkhof").ids == [offer.id]
    assert _ids("Werkhof") == [owner.id]


@pytest.mark.whoosh_only  # clears the organisation index folder
def test_reindex_and_drift_check_restore_organisations_left_out(search, make, runner):
    org = make.organisation(name="Bautauschbörse")
    search.organisations.clear()  # a lost index: behind the database's back
    assert _ids("Bautauschbörse") == []
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert _ids("Bautauschbörse") == [org.id]
    search.organisations.clear()
    search.check_drift(force=True)
    assert _ids("Bautauschbörse") == [org.id]
