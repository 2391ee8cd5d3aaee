"""GET /api/v1/categories, as the contract describes it."""


def by_slug(response) -> dict:
    return {item["slug"]: item for item in response.json["items"]}


def test_categories_with_numbers_and_sources(api):
    response = api.get("/api/v1/categories", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert response.content_type == "application/json"
    items = by_slug(response)
    pallets = items["pallets"]
    assert set(pallets) == {
        "slug",
        "name",
        "resource_type",
        "default_unit",
        "kg_per_unit",
        "co2e_factor",
        "factor_source",
    }
    assert pallets["name"] == "Pallets and crates"
    assert pallets["resource_type"] == "material" and pallets["default_unit"] == "piece"
    assert pallets["kg_per_unit"] == 25 and isinstance(pallets["kg_per_unit"], int | float)
    assert pallets["co2e_factor"] == 0.231
    assert "DEFRA" in pallets["factor_source"]
    assert items["tools"]["co2e_factor"] is None and items["tools"]["factor_source"] is None
    assert items["aggregates"]["co2e_factor"] == 0.0056
    assert {item["resource_type"] for item in items.values()} == {"material", "equipment", "space"}


def test_names_follow_the_callers_language(api, make):
    assert (
        by_slug(api.get("/api/v1/categories", headers={"Accept-Language": "de"}))["pallets"]["name"]
        == "Paletten und Kisten"
    )
    english_user = make.user(locale="en")
    answer = api.get("/api/v1/categories", as_=english_user, headers={"Accept-Language": "de"})
    assert by_slug(answer)["pallets"]["name"] == "Pallets and crates"


def test_openapi_documents_categories(api):
    spec = api.get("/api/v1/openapi.json").json
    assert "get" in spec["paths"]["/api/v1/categories"]
