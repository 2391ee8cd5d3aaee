"""Any input gives results or an empty answer, never an exception: whoosh syntax, operators,
wildcards, lone quotes, control characters, umlauts by the hundred, very long strings."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.search import SearchFilters

NASTY = [
    "title:(",
    "AND OR NOT",
    "NOT",
    "*",
    "?",
    '"',
    '""',
    '"Paletten',
    "Paletten\"'",
    "\x00\x01\x1e\x1f\x7f",
    "ä" * 300,
    "Ü" * 5000,
    "Paletten " * 400,
    "(((((",
    "title:Paletten^5 description:[a TO z]",
    "{}[]<>~^!",
    "-",
    "--Paletten",
    "- - -",
    "\ud800",
    "e\u0301",
    "ﬁ ẞ İ",
    "𝔓𝔞𝔩𝔢𝔱𝔱𝔢",
    "<script>alert(1)</script>",
    "%00",
    "\u202e\u200b\u2028",
]


@pytest.fixture
def some_listings(search, listing):
    listing("Europaletten", 'Gut erhalten, "Paletten" & <Kisten>')
    listing("Bürostühle", "Zehn Stück aus der Umzugs-Auflösung")
    listing("Laptops", "Five laptops, working")
    return search


@pytest.mark.parametrize("text", NASTY)
def test_nasty_queries_answer(some_listings, text):
    result = some_listings.search(text, facets=True)
    assert result.total >= 0 and all(isinstance(i, int) for i in result.ids)


@settings(
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
@given(
    text=st.one_of(
        st.text(max_size=200),
        st.text(alphabet=st.sampled_from(list('äöüÄÖÜß"*:()-^~ANDORT \x00\t\n')), max_size=120),
        st.lists(
            st.sampled_from(["Paletten", "AND", "OR", "NOT", '"', "title:", "*", "-", "ä"])
        ).map(" ".join),
    ),
    sort=st.sampled_from([None, "relevance", "newest", "ending_soon"]),
    page=st.integers(min_value=1, max_value=50),
)
def test_generated_queries_never_raise(some_listings, text, sort, page):
    """At least 2,000 generated queries (a few seconds): no exception of any kind escapes."""
    result = some_listings.search(text, SearchFilters(status=None), sort=sort, page=page)
    assert result.total >= 0
    for html in result.highlights.values():
        assert "<" not in str(html).replace("<mark>", "").replace("</mark>", "")
