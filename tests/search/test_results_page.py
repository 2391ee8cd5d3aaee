"""What the results page shows besides the listings: facet counts, "did you mean", and
highlights that are escaped text with <mark> only."""

from tests.factories import category


def test_facet_counts_over_all_results(search, listing):
    listing("Holzpaletten", category=category("pallets"), district="Plagwitz")
    listing("Holzpaletten", category=category("pallets"), district="Gohlis", kind="request")
    listing("Holzbretter", category=category("wood"), district="Plagwitz")
    listing("Holzregal", category=category("shelving"), district="Plagwitz")
    result = search.search("Holz", per_page=1, facets=True, language="en")
    assert result.total == 4 and len(result.ids) == 1
    counts = {name: {f.value: f.count for f in items} for name, items in result.facets.items()}
    assert counts["category"] == {"pallets": 2, "wood": 3, "shelving": 1, "furniture": 1}
    assert counts["kind"] == {"offer": 3, "request": 1}
    assert counts["district"] == {"Plagwitz": 3, "Gohlis": 1}
    labels = {f.value: f.label for f in result.facets["category"]}
    assert labels["pallets"] == "Pallets and crates"
    assert search.facets("Holz", language="de")["category"][0].label == "Holz und Holzwerkstoffe"


def test_did_you_mean(search, listing):
    for i in range(4):
        listing(f"Paletten aus Halle {i}")
    listing("Pallets to give away")
    result = search.search("Palleten")
    assert result.suggestion == "Paletten"
    assert search.search("Paletten").suggestion is None
    assert search.search("Bürostuhl").suggestion is None  # nothing close
    assert search.suggest("zu verschenken Palleten") == "verschenken Paletten"


def test_highlights_are_escaped_with_mark_only(search, listing):
    evil = listing(
        "Stuhl <script>alert('x')</script>",
        'Ein "Stuhl" mit <b onmouseover="x">Fett</b> & Co.',
    )
    result = search.search("Stuhl")
    snippet = str(result.highlights[evil.id])
    title = str(result.title_highlights[evil.id])
    assert snippet == (
        "Ein &#34;<mark>Stuhl</mark>&#34; mit &lt;b onmouseover=&#34;x&#34;&gt;Fett&lt;/b&gt; "
        "&amp; Co."
    )
    assert title == "<mark>Stuhl</mark> &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
    for html in (snippet, title):
        assert "<" not in html.replace("<mark>", "").replace("</mark>", "")
        assert '"' not in html and "'" not in html


def test_highlight_marks_inflections_and_compound_heads(search, listing):
    hit = listing("Europaletten", "Zwanzig Paletten und eine Palette, dazu Bürostühle.")
    html = str(search.search("Palette Bürostuhl").highlights[hit.id])
    assert html.count("<mark>") == 3 and "<mark>Bürostühle</mark>" in html
    title = str(search.search("Palette").title_highlights[hit.id])
    assert title == "<mark>Europaletten</mark>"


def test_parts_of_a_compound_query_are_marked_only_without_the_word(search, listing):
    chairs = listing("Bürostühle", "Nach dem Umzug unseres Büros übrig.")
    apart = listing("Stuhl", "Stand in einem Büro.")
    result = search.search("Bürostuhl")
    assert result.ids == [chairs.id, apart.id]
    # "Büros" in the description is not marked: the word itself is in the title
    assert str(result.highlights[chairs.id]) == "<mark>Bürostühle</mark>"
    assert "<mark>Büro</mark>" in str(result.highlights[apart.id])
