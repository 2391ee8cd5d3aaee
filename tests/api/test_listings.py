"""/api/v1/listings as the contract describes it: shapes, filters, rights and every error code."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from marketplace.core.clock import today
from marketplace.extensions import db
from marketplace.listings.models import Listing
from tests import factories

LISTING_FIELDS = {
    "id",
    "kind",
    "title",
    "description",
    "category",
    "quantity",
    "quantity_remaining",
    "unit",
    "kg_per_unit",
    "condition",
    "price_eur",
    "postcode",
    "district",
    "lat",
    "lon",
    "available_until",
    "status",
    "organisation",
    "created_at",
    "url",
    "mode",
    "capacity",
}


def body(**changes):
    data = {
        "kind": "offer",
        "title": "Bürostühle, gepolstert",
        "description": "12 Stück, Stoffbezug grau.",
        "category": "office-furniture",
        "quantity": 12,
        "unit": "piece",
    }
    data.update(changes)
    return data


def fresh(listing_id) -> Listing:
    db.session.expire_all()
    return db.session.get(Listing, listing_id)


def error_fields(response) -> dict:
    assert response.status_code == 422, response.json
    assert response.json["error"]["code"]
    return response.json["error"]["fields"]


# -- POST ----------------------------------------------------------------------------------------


def test_post_creates_a_listing_with_the_contract_shape(api, make):
    user = make.user()
    until = (today() + timedelta(days=10)).isoformat()
    response = api.post(
        "/api/v1/listings",
        as_=user,
        json=body(kg_per_unit=11.9, condition="good", price_eur=2.5, available_until=until),
    )
    assert response.status_code == 201, response.json
    item = response.json
    assert set(item) == LISTING_FIELDS
    assert item["status"] == "open" and item["kind"] == "offer"
    assert item["category"] == "office-furniture"
    assert item["quantity"] == 12 and item["quantity_remaining"] == 12
    assert item["kg_per_unit"] == 11.9 and item["price_eur"] == 2.5
    assert item["available_until"] == until
    assert item["postcode"] == user.organisation.postcode
    assert isinstance(item["lat"], float) and isinstance(item["lon"], float)
    assert item["organisation"] == {"id": user.organisation_id, "name": user.organisation.name}
    assert item["created_at"].endswith("+00:00")
    assert item["url"] == f"http://localhost/listings/{item['id']}"
    assert fresh(item["id"]).created_by_id == user.id


def test_post_refuses_status_organisation_and_other_read_only_fields(api, make):
    """Issue 16: sent fields the application sets are a 422 naming them, never ignored."""
    from marketplace.listings.models import Listing

    user = make.user()
    other = make.organisation()
    protected = {
        "status": "closed",
        "organisation": {"id": other.id, "name": other.name},
        "organisation_id": other.id,
        "quantity_remaining": 1,
        "id": 777,
        "created_at": "2001-01-01T00:00:00+00:00",
        "colour": "red",
    }
    response = api.post("/api/v1/listings", as_=user, json=body(**protected))
    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_failed"
    assert set(response.json["error"]["fields"]) == set(protected)
    assert db.session.execute(select(Listing)).first() is None
    assert api.post("/api/v1/listings", as_=user, json=body()).status_code == 201


def test_post_without_token_is_401(api):
    response = api.post("/api/v1/listings", json=body())
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    bad = api.post("/api/v1/listings", json=body(), headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401


def test_post_with_a_body_that_is_not_json_is_415(api, make):
    response = api.post(
        "/api/v1/listings",
        as_=make.user(),
        data="kind=offer&title=Stühle",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 415
    assert response.json["error"]["code"] == "unsupported_media_type"


def test_post_with_malformed_json_is_400(api, make):
    response = api.post(
        "/api/v1/listings",
        as_=make.user(),
        data='{"kind": "offer", "title": ',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "error" in response.json


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "gift"}, "kind"),
        ({"title": "ab"}, "title"),
        ({"title": "   ab   "}, "title"),
        ({"description": "x" * 5001}, "description"),
        ({"category": "unobtainium"}, "category"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": -1}, "quantity"),
        ({"quantity": "lots"}, "quantity"),
        ({"quantity": 1.2345}, "quantity"),
        ({"quantity": 1e10}, "quantity"),
        ({"unit": "bushel"}, "unit"),
        ({"kg_per_unit": -2}, "kg_per_unit"),
        ({"condition": "mint"}, "condition"),
        ({"price_eur": -1}, "price_eur"),
        ({"price_eur": 0.001}, "price_eur"),
        ({"postcode": "00000"}, "postcode"),
        ({"available_until": "2001-01-01"}, "available_until"),
        ({"available_until": "31.12.2030"}, "available_until"),
        ({"quantity": None}, "quantity"),
    ],
)
def test_post_invalid_fields_are_422_with_fields(api, make, changes, field):
    response = api.post("/api/v1/listings", as_=make.user(), json=body(**changes))
    assert field in error_fields(response)
    assert db.session.query(Listing).count() == 0


def test_post_missing_required_fields_is_422(api, make):
    fields = error_fields(api.post("/api/v1/listings", as_=make.user(), json={}))
    assert {"kind", "title", "category", "quantity", "unit"} <= set(fields)
    assert error_fields(api.post("/api/v1/listings", as_=make.user(), json=[1, 2]))


def test_request_without_optional_fields(api, make):
    response = api.post(
        "/api/v1/listings",
        as_=make.user(),
        json={
            "kind": "request",
            "title": "Suchen Besprechungsraum",
            "category": "meeting-rooms",
            "quantity": 3,
            "unit": "hour",
            "condition": None,
            "price_eur": None,
            "postcode": None,
            "available_until": None,
        },
    )
    assert response.status_code == 201, response.json
    assert response.json["condition"] is None and response.json["price_eur"] == 0
    assert response.json["available_until"] is None and response.json["description"] == ""


# -- GET list ------------------------------------------------------------------------------------


def test_list_shape_default_open_and_filters(api, make):
    org = make.organisation(name="Repair Café Nord")
    make.listing(title="Paletten", organisation=org)
    make.listing(title="Suche Sofa", kind="request", category=factories.category("sofas"))
    make.listing(title="Weg", status="closed")
    response = api.get("/api/v1/listings")
    assert response.status_code == 200
    assert set(response.json) >= {"items", "total", "page", "per_page"}
    assert response.json["total"] == 2 and response.json["page"] == 1
    assert response.json["per_page"] == 20
    assert {i["title"] for i in response.json["items"]} == {"Paletten", "Suche Sofa"}
    assert "highlight" not in response.json["items"][0]

    def titles(query):
        return [i["title"] for i in api.get(f"/api/v1/listings?{query}").json["items"]]

    assert titles("kind=request") == ["Suche Sofa"]
    assert titles("category=wood") == ["Paletten"]  # parent includes pallets
    assert titles("status=closed") == ["Weg"]
    assert titles(f"organisation_id={org.id}") == ["Paletten"]
    assert titles("near=10117&radius_km=20") == ["Suche Sofa", "Paletten"]
    assert titles("near=80331&radius_km=20") == []
    assert titles("q=repair") == ["Paletten"]


def test_list_pagination(api, make):
    for number in range(7):
        make.listing(title=f"Kiste {number}")
    first = api.get("/api/v1/listings?per_page=5").json
    second = api.get("/api/v1/listings?per_page=5&page=2").json
    assert first["total"] == 7 and len(first["items"]) == 5 and len(second["items"]) == 2
    assert first["items"][0]["title"] == "Kiste 6"
    assert (second["page"], second["per_page"]) == (2, 5)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("per_page=101", "per_page"),
        ("per_page=0", "per_page"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("kind=gift", "kind"),
        ("status=deleted", "status"),
        ("sort=price;drop", "sort"),
        ("sort=nearest", "sort"),
        ("category=unobtainium", "category"),
        ("near=00000", "near"),
        ("near=10115&radius_km=-4", "radius_km"),
        ("near=10115&radius_km=nan", "radius_km"),
        ("organisation_id=x", "organisation_id"),
        ("q=" + "x" * 201, "q"),
    ],
)
def test_list_invalid_query_values_are_422(api, query, field):
    assert field in error_fields(api.get(f"/api/v1/listings?{query}"))


def test_q_adds_an_escaped_highlight(api, make):
    make.listing(title='Regal <script>alert("x")</script> aus Eiche')
    item = api.get("/api/v1/listings?q=eiche").json["items"][0]
    assert item["title"] == 'Regal <script>alert("x")</script> aus Eiche'
    assert "<script>" not in item["highlight"]
    assert "&lt;script&gt;" in item["highlight"]
    assert "<mark>Eiche</mark>" in item["highlight"]


def test_withdrawn_listings_are_listed_only_for_their_organisation(api, make):
    owner = make.user()
    make.listing(title="Zurückgezogen", status="withdrawn", organisation=owner.organisation)
    assert api.get("/api/v1/listings?status=withdrawn").json["total"] == 0
    assert api.get("/api/v1/listings?status=withdrawn", as_=make.user()).json["total"] == 0
    assert api.get("/api/v1/listings?status=withdrawn", as_=owner).json["total"] == 1


# -- GET one -------------------------------------------------------------------------------------


def test_get_one_and_404s(api, make):
    owner = make.user()
    listing_id = make.listing(organisation=owner.organisation).id
    withdrawn_id = make.listing(organisation=owner.organisation, status="withdrawn").id
    response = api.get(f"/api/v1/listings/{listing_id}")
    assert response.status_code == 200 and set(response.json) == LISTING_FIELDS
    assert date.fromisoformat(response.json["available_until"])
    assert api.get("/api/v1/listings/987654").status_code == 404
    assert api.get("/api/v1/listings/987654").json["error"]["code"] == "not_found"
    assert api.get(f"/api/v1/listings/{withdrawn_id}").status_code == 404
    assert api.get(f"/api/v1/listings/{withdrawn_id}", as_=make.user()).status_code == 404
    mine = api.get(f"/api/v1/listings/{withdrawn_id}", as_=owner)
    assert mine.status_code == 200 and mine.json["status"] == "withdrawn"


# -- PATCH ---------------------------------------------------------------------------------------


def test_patch_changes_writable_fields_only(api, make):
    owner = make.user()
    listing_id = make.listing(organisation=owner.organisation).id
    refused = api.patch(
        f"/api/v1/listings/{listing_id}",
        as_=owner,
        json={"title": "Nur noch 30 Paletten", "quantity": 30, "status": "closed", "id": 5},
    )
    assert refused.status_code == 422
    assert set(refused.json["error"]["fields"]) == {"status", "id"}
    assert api.get(f"/api/v1/listings/{listing_id}").json["title"] != "Nur noch 30 Paletten"
    response = api.patch(
        f"/api/v1/listings/{listing_id}",
        as_=owner,
        json={"title": "Nur noch 30 Paletten", "quantity": 30},
    )
    assert response.status_code == 200, response.json
    assert response.json["title"] == "Nur noch 30 Paletten"
    assert response.json["quantity"] == 30 and response.json["quantity_remaining"] == 30
    assert response.json["status"] == "open" and response.json["id"] == listing_id


def test_patch_keeps_what_exchanges_took(api, make):
    owner = make.user()
    listing_id = make.listing(
        organisation=owner.organisation, quantity=Decimal(40), quantity_remaining=Decimal(30)
    ).id
    assert (
        api.patch(f"/api/v1/listings/{listing_id}", as_=owner, json={"quantity": 15}).json[
            "quantity_remaining"
        ]
        == 5
    )
    fields = error_fields(
        api.patch(f"/api/v1/listings/{listing_id}", as_=owner, json={"quantity": 9})
    )
    assert "quantity" in fields
    assert fresh(listing_id).quantity == 15


def test_patch_rights_and_errors(api, make):
    owner = make.user()
    listing_id = make.listing(organisation=owner.organisation, title="Paletten").id
    url = f"/api/v1/listings/{listing_id}"
    assert api.patch(url, json={"title": "Gekapert"}).status_code == 401
    forbidden = api.patch(url, as_=make.user(), json={"title": "Gekapert"})
    assert forbidden.status_code == 403 and forbidden.json["error"]["code"] == "forbidden"
    assert (
        api.patch("/api/v1/listings/987654", as_=owner, json={"title": "x" * 5}).status_code == 404
    )
    assert "kind" in error_fields(api.patch(url, as_=owner, json={"kind": "request"}))
    assert "title" in error_fields(api.patch(url, as_=owner, json={"title": ""}))
    not_json = api.patch(url, as_=owner, data="title=x", headers={"Content-Type": "text/plain"})
    assert not_json.status_code == 415
    assert fresh(listing_id).title == "Paletten"


def test_patch_of_a_closed_listing_is_409_and_of_anothers_withdrawn_one_404(api, make):
    owner = make.user()
    closed_id = make.listing(organisation=owner.organisation, status="closed").id
    withdrawn_id = make.listing(status="withdrawn").id
    response = api.patch(f"/api/v1/listings/{closed_id}", as_=owner, json={"title": "Neu!"})
    assert response.status_code == 409
    other = api.patch(f"/api/v1/listings/{withdrawn_id}", as_=owner, json={"title": "Neu!"})
    assert other.status_code == 404


# -- DELETE --------------------------------------------------------------------------------------


def test_delete_withdraws_without_erasing(api, make):
    owner = make.user()
    listing_id = make.listing(organisation=owner.organisation).id
    url = f"/api/v1/listings/{listing_id}"
    assert api.delete(url).status_code == 401
    assert api.delete(url, as_=make.user()).status_code == 403
    assert api.delete("/api/v1/listings/987654", as_=owner).status_code == 404
    response = api.delete(url, as_=owner)
    assert response.status_code == 204 and response.data == b""
    listing = fresh(listing_id)
    assert listing.status == "withdrawn" and listing.ended_at is not None
    assert api.get(url).status_code == 404
    assert api.get(url, as_=owner).json["status"] == "withdrawn"


def test_errors_under_api_are_json_never_html(api, make):
    for response in (
        api.get("/api/v1/listings/abc"),
        api.get("/api/v1/listings?per_page=1000"),
        api.delete("/api/v1/listings/1"),
    ):
        assert response.content_type == "application/json"
        assert "error" in response.json


def test_openapi_documents_the_listing_endpoints(api):
    spec = api.get("/api/v1/openapi.json").json
    paths = spec["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/listings"])
    assert {"get", "patch", "delete"} <= set(paths["/api/v1/listings/{listing_id}"])
    listing_schema = spec["components"]["schemas"]["Listing"]
    assert set(listing_schema["properties"]) >= LISTING_FIELDS
    assert listing_schema["properties"]["quantity"]["type"] == "number"
    assert "401" in paths["/api/v1/listings"]["post"]["responses"]
    assert "403" in paths["/api/v1/listings/{listing_id}"]["patch"]["responses"]
