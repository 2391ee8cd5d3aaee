"""Relevance: a hit in the title ranks above one in the description; words standing together
as a phrase rank above the same words scattered."""

from tests.factories import category


def test_title_above_description(search, listing):
    in_description = listing("Zubehör aus dem Lager", "Dabei sind auch Paletten.")
    in_title = listing("Paletten aus dem Lager", "Gut erhalten.")
    assert search.search("Paletten").ids == [in_title.id, in_description.id]


def test_phrase_above_scattered_words(search, listing):
    scattered = listing("Stühle", "Erhalten haben wir sie gut verpackt, zum Abholen.")
    phrase = listing("Stühle", "Gut erhalten, zum Abholen im Hof verpackt.")
    assert search.search("gut erhalten").ids == [phrase.id, scattered.id]


def test_quoted_phrase_is_required(search, listing):
    listing("Stühle", "Erhalten haben wir sie gut verpackt.")
    phrase = listing("Tische", "Gut erhalten und sauber.")
    assert search.search('"gut erhalten"').ids == [phrase.id]


def test_all_words_must_match_and_any_word_when_none_does(search, listing):
    both = listing("Holz Paletten")
    pallets = listing("Paletten")
    result = search.search("Holz Paletten")
    assert result.ids == [both.id] and not result.relaxed
    result = search.search("Paletten Fahrradanhänger")
    assert result.relaxed and set(result.ids) == {both.id, pallets.id}


def test_excluded_words(search, listing):
    listing("Paletten, defekt")
    good = listing("Paletten, heil")
    assert search.search("Paletten -defekt").ids == [good.id]


def test_category_and_organisation_names_are_searched(search, listing, make):
    org = make.organisation(name="Theater am Auwald")
    hit = listing("Ware aus dem Fundus", category=category("event-equipment"), organisation=org)
    assert search.search("Auwald").ids == [hit.id]
    assert search.search("Bühnentechnik").ids == [hit.id]  # the category's German name
    assert search.search("stage equipment").ids == [hit.id]  # and its English name
