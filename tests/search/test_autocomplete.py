"""The header search box's completions: GET /search/suggest and the datalist fallback."""

from tests.factories import category


def _suggest(client, q):
    response = client.get("/search/suggest", query_string={"q": q})
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def test_completes_the_last_word_from_listed_titles_most_found_first(client, search, listing):
    for i in range(3):
        listing(f"Paletten {i}")
    listing("Palettenregal")
    listing("Bürostuhl")
    # words of the titles first, then English words of the term list that find listings
    assert _suggest(client, "Pal") == ["Paletten", "Palettenregal", "Pallets"]
    assert _suggest(client, "pal")[0] == "paletten"
    assert _suggest(client, "Holz pal")[:2] == ["Holz paletten", "Holz palettenregal"]
    assert _suggest(client, "P") == [] and _suggest(client, "Pal ") == []


def test_at_most_eight_and_never_a_hidden_listing(client, search, listing, make):
    for i in range(12):
        listing(f"Regal{'abcdefghijkl'[i]}xyz")
    listing("Regalgeheim", status="withdrawn")
    words = _suggest(client, "Regal")
    assert len(words) == 8
    assert "Regalgeheim" not in _suggest(client, "Regalg")


def test_english_words_of_the_term_list_are_offered(client, search, listing):
    listing("Stühle", category=category("tools"))
    assert "chairs" in _suggest(client, "chai")


def test_hostile_input_gives_an_empty_or_escaped_list(client, search, listing):
    listing("Paletten")
    for q in ("<script>", '"', "title:(", "\x00", "ä" * 5000, "*"):
        assert isinstance(_suggest(client, q), list)
    response = client.get("/search/suggest?q=Pal")
    assert response.headers["Cache-Control"].startswith("public")


def test_header_box_has_a_datalist_and_the_script(client, search):
    html = client.get("/", headers={"Accept-Language": "de"}).get_data(True)
    form = html[html.index('class="header-search"') :]
    form = form[: form.index("</form>")]
    assert 'list="site-search-terms"' in form and '<datalist id="site-search-terms">' in form
    assert '<option value="Paletten und Kisten">' in form
    assert "js/search-suggest.js" in form
