"""German and English analysis: umlauts and their spellings, plurals in both languages, and
compounds found by their head without drowning results in noise."""

import pytest

from marketplace.search.analysis import analyse_word, fold, split_compound


def ids(result):
    return set(result.ids)


@pytest.mark.parametrize("query", ["Bürostuhl", "Buerostuhl", "Burostuhl", "bürostühle"])
def test_office_chairs_are_found_with_every_spelling(search, listing, query):
    chairs = listing("Bürostühle mit Armlehnen")
    listing("Schreibtisch aus Buche")
    assert ids(search.search(query)) == {chairs.id}


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("Palette", ["Paletten, 40 Stück", "Europaletten aus dem Lager"]),
        ("Paletten", ["Eine Palette", "Europaletten aus dem Lager"]),
        ("pallet", ["Pallets to give away"]),
        ("pallets", ["One pallet left"]),
        ("laptop", ["Five laptops, working"]),
        ("laptops", ["Old laptop"]),
        ("Regal", ["Schwerlastregale aus Lagerauflösung", "Regale für den Keller"]),
        ("Platte", ["Dämmplatten, Reste vom Umbau", "Spanplatten"]),
        ("Kantholz", ["Kanthölzer 8x8 aus Fichte"]),
        ("Holz", ["Kanthölzer 8x8", "Brennholz", "Holzpaletten"]),
    ],
)
def test_plurals_and_compounds_are_found(search, listing, query, titles):
    wanted = {listing(t).id for t in titles}
    listing("Kühlschrank, funktioniert")
    assert ids(search.search(query)) == wanted


def test_compound_modifiers_are_not_heads(search, listing):
    """A Palettenregal is a shelf: searching pallets does not list it (precision)."""
    rack = listing("Palettenregal, 3 m hoch")
    pallets = listing("Europaletten")
    assert ids(search.search("Palette")) == {pallets.id}
    assert ids(search.search("Regal")) == {rack.id}


def test_suffix_matching_alone_does_not_split_words(search, listing):
    listing("Ein praktisch neuer Wasserkocher")
    desk = listing("Schreibtische")
    assert ids(search.search("Tisch")) == {desk.id}


def test_exact_word_ranks_above_compound(search, listing):
    compound = listing("Europaletten")
    plain = listing("Paletten")
    assert search.search("Palette").ids == [plain.id, compound.id]


def test_folding_and_splitting_rules():
    assert fold("Bürostühle") == fold("Buerostuehle") == "burostuhle"
    assert fold("Straße") == "strasse"
    assert fold("Quelle") == "quelle"  # u after q is no umlaut
    assert split_compound(fold("Schwerlastregale")) == ("schwer", "last", "regale")
    assert split_compound(fold("praktisch")) is None
    terms = dict(analyse_word("holzpaletten"))
    assert terms["palett"] > terms["holz"] > 0  # head above material modifier
    assert analyse_word("und") == ()  # stop word
