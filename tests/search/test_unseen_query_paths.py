"""The first-seen query path reads whoosh's structures its own way (a posting list in one read,
the did-you-mean automaton walked over one merged vocabulary, highlights in one pass): each
must give what whoosh's own readers and the per-call highlight functions give."""

import random

import pytest
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from marketplace.search import highlight
from marketplace.search.schema import TEXT_FIELD, build_schema
from marketplace.search.segments import SegmentArrays, _postings, bitset
from marketplace.search.store import make_codec
from marketplace.search.suggest import Vocabulary

WORDS = [
    "Palette",
    "Paletten",
    "Holz",
    "Regal",
    "Regale",
    "Kiste",
    "Stuhl",
    "Stühle",
    "Tisch",
    "Platte",
    "Lager",
]


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    """A whoosh index of 700 documents in two segments, opened without memory maps as the
    store opens it; long posting lists span several blocks, weights vary by section."""
    path = str(tmp_path_factory.mktemp("index"))
    whoosh_index.create_in(path, build_schema())
    ix = FileStorage(path, supports_mmap=False).open_index()
    rng = random.Random(3)
    for start in (0, 400):
        writer = ix.writer(codec=make_codec())
        for i in range(start, start + 400 if start == 0 else 700):
            words = rng.sample(WORDS, 3)
            text = "\x1e".join((words[0], f"{words[1]} gut erhalten", words[2]))
            writer.add_document(id=str(i), text=text, spell=" ".join(words))
        writer.commit(merge=False)
    r = ix.reader()
    yield r
    r.close()


def _leaves(reader):
    return [leaf for leaf, _ in reader.leaf_readers()]


def test_posting_lists_read_in_one_go_match_whooshs_matcher(reader):
    checked = 0
    for leaf in _leaves(reader):
        for term in [t.decode() for t in leaf.lexicon(TEXT_FIELD)]:
            matcher = leaf.postings(TEXT_FIELD, term)
            ids, weights = [], []
            while matcher.is_active():
                ids.append(matcher.id())
                weights.append(matcher.weight())
                matcher.next()
            docs, found_weights = _postings(leaf, TEXT_FIELD, term)
            assert docs.tolist() == ids and found_weights.tolist() == weights, term
            arrays = SegmentArrays(leaf)
            assert arrays.term(leaf, TEXT_FIELD, term) == bitset(ids, leaf.doc_count_all())
            checked += len(ids) > 128  # several blocks
    assert checked
    assert _postings(_leaves(reader)[0], TEXT_FIELD, "nirgendwo") is None


@pytest.mark.parametrize("word", ["palette", "paletten", "palete", "regle", "stuehle", "kist"])
def test_vocabulary_finds_what_whoosh_terms_within_finds(reader, word):
    whoosh_found = set()
    frequencies: dict[str, int] = {}
    for leaf in _leaves(reader):
        whoosh_found.update(leaf.terms_within("spell", word, 2, prefix=2))
        for text in leaf.lexicon("spell"):
            text = text.decode()
            frequencies[text] = frequencies.get(text, 0) + leaf.doc_frequency("spell", text)
    vocabulary = Vocabulary(frequencies)
    assert set(vocabulary.within(word, 2, 2)) == whoosh_found
    assert vocabulary.doc_frequency("holz") == reader.doc_frequency("spell", "holz")


@pytest.mark.parametrize(
    ("title", "description", "terms", "parts"),
    [
        ("Bürostühle", "Stühle mit Armlehnen, gut erhalten.", {"stuhl"}, set()),
        ("Holzpaletten & <Kisten>", "Abholung in Plagwitz.", {"holzpalett"}, {"holz", "palett"}),
        ("Regal", "", {"regal"}, set()),
        ("Nichts", "Gar nichts " * 40, {"regal"}, {"lager"}),
        ("", "", set(), set()),
    ],
)
def test_page_marks_equal_the_single_functions(title, description, terms, parts):
    found = terms if highlight.occurs(f"{title} {description}", terms) else terms | parts
    expected = (
        highlight.highlight(title, description, found),
        highlight.description_snippet(description, found),
        highlight.mark(title, found),
    )
    assert highlight.PageMarks(terms, parts).card(title, description) == expected
