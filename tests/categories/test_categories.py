"""The public categories page: taxonomy grouped by resource type with factors and sources."""

import re


def row(page: str, slug: str) -> str:
    match = re.search(rf'<tr id="category-{slug}"(.*?)</tr>', page, re.S)
    assert match, slug
    return match.group(0)


def test_categories_page_groups_by_resource_type_in_german(client, german_by_default):
    page = client.get("/categories").data.decode()
    page = page[page.index("<main") :]  # the header's search box lists category names too
    materials, equipment, space = (
        page.index('id="type-material"'),
        page.index('id="type-equipment"'),
        page.index('id="type-space"'),
    )
    assert materials < equipment < space
    assert page.index("Paletten und Kisten") < equipment  # a material
    assert equipment < page.index("Büromöbel") < space
    assert "Version 2026.1" in page or "2026.1" in page


def test_child_rows_follow_their_parent(client):
    page = client.get("/categories").data.decode()
    assert page.index('id="category-wood"') < page.index('id="category-pallets"')
    assert "category-child" in row(page, "pallets")


def test_rows_show_unit_weight_factor_basis_and_source(client):
    page = client.get("/categories", headers={"Accept-Language": "en"}).data.decode()
    pallets = row(page, "pallets")
    assert "Pallets and crates" in pallets
    assert "25" in pallets and "EPAL" in pallets  # typical weight and its source
    assert "0.231" in pallets and "Construction - Wood" in pallets
    aluminium = row(page, "aluminium")
    assert "factor-upper-bound" in aluminium and "upper bound" in aluminium
    assert "product study" in row(page, "office-furniture")
    assert "0.0056" in row(page, "aggregates")  # small factors keep their digits
    assert "no sourced factor" in row(page, "tools")
    # the terms are explained on the page
    assert "ceiling" in page and "study of reusing" in page


def test_category_names_link_to_filtered_listings(client):
    page = client.get("/categories").data.decode()
    assert 'href="/listings?category=pallets"' in page
