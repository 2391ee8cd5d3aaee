"""What counts as a meaningful word in common (the search analyser's terms, minus noise)."""

import pytest

from marketplace.matching.relevance import share_matrix, shared_word, wording_of


@pytest.mark.parametrize(
    ("a", "b", "word"),
    [
        ("Schwerlastregal verzinkt", "Suche Regal", "Regal"),  # compound head
        ("Buerostuehle", "Bürostühle gesucht", "Bürostühle"),  # umlaut spelling, plural
        ("Office chairs wanted", "Bürostühle, gepolstert", "chairs"),  # shipped substitutes
        ("Tables for our workshop", "Tische, Buche", "Tables"),  # taxonomy names de/en
        ("Fahrrad", "Fahrräder, 28 Zoll", "Fahrrad"),
    ],
)
def test_pairs_sharing_a_meaningful_word(a, b, word):
    assert shared_word(wording_of(a), wording_of(b)) == word


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Rollcontainer für Büro", "Klappstühle, 30 Stück"),
        ("Suche Europaletten", "Holzgestelle für Transport"),
        ("Holz für Hochbeete", "Obstkisten aus Holz"),  # what it is made of
        ("Regal für die Werkstatt", "Bürostuhl für die Werkstatt"),  # what it is for
        ("Holzpaletten, gut erhalten", "Holzstühle, gut erhalten"),  # material and condition
        ("Fahrrad gesucht", "Fahrradhelme"),
        ("Kunststoffe", "Stoffreste"),
    ],
)
def test_pairs_without_a_meaningful_word(a, b):
    assert shared_word(wording_of(a), wording_of(b)) is None


def test_a_description_word_counts_against_the_other_title():
    assert shared_word(wording_of("Regal"), wording_of("Lagerausstattung", "Ein Steckregal.")) == (
        "Regal"
    )


def test_the_share_matrix_agrees_with_pairwise_checks():
    rows = [wording_of(t) for t in ("Suche Regal", "Suche Rollcontainer")]
    columns = [wording_of(t) for t in ("Steckregal", "Klappstühle", "Rollcontainer grau")]
    assert share_matrix(rows, columns).tolist() == [[True, False, False], [False, False, True]]
