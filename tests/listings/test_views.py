"""Listing pages: browse with filters and pages, post with photos, edit, withdraw, my listings."""

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from marketplace.core.clock import today
from marketplace.extensions import db
from marketplace.listings.models import Listing, Photo
from tests import factories
from tests.listings import images


def titles(response) -> list[str]:
    """Listing titles in the card grid of a page, in order (without the marks of a search)."""
    found = re.findall(r'class="card-title">\s*<a href="[^"]+">(.*?)</a>', response.data.decode())
    return [re.sub(r"</?mark>", "", title) for title in found]


def form(**changes):
    data = {
        "kind": "offer",
        "title": "Eichenholz-Reste",
        "description": "Bretter, 2 m lang.",
        "category": "wood",
        "quantity": "120",
        "unit": "kg",
        "kg_per_unit": "",
        "condition": "good",
        "price_eur": "0",
        "postcode": "",
        "district": "",
        "available_until": "",
    }
    data.update(changes)
    return data


def fresh(listing_id) -> Listing:
    db.session.expire_all()
    return db.session.get(Listing, listing_id)


# -- browse --------------------------------------------------------------------------------------


def test_browse_shows_open_listings_and_filters_by_kind(client, make):
    make.listing(title="Paletten abzugeben", kind="offer")
    make.listing(title="Suchen Regale", kind="request", condition=None)
    make.listing(title="Schon vergeben", status="closed")
    make.listing(title="Zurückgezogen", status="withdrawn")
    assert sorted(titles(client.get("/listings"))) == ["Paletten abzugeben", "Suchen Regale"]
    assert titles(client.get("/listings?kind=request")) == ["Suchen Regale"]
    assert titles(client.get("/listings?status=closed")) == ["Schon vergeben"]
    assert titles(client.get("/listings?status=withdrawn")) == []


def test_category_filter_includes_children_and_resource_type(client, make):
    make.listing(title="Europaletten", category=factories.category("pallets"))
    make.listing(title="Balken", category=factories.category("wood"))
    make.listing(title="Sofa", category=factories.category("sofas"))
    assert sorted(titles(client.get("/listings?category=wood"))) == ["Balken", "Europaletten"]
    assert titles(client.get("/listings?category=pallets")) == ["Europaletten"]
    assert titles(client.get("/listings?resource_type=equipment")) == ["Sofa"]


def test_near_radius_district_and_organisation_filters(client, make):
    leipzig = make.organisation(postcode="04109", district="Zentrum", name="Werkhof Leipzig")
    make.listing(title="In Mitte", district="Mitte")
    make.listing(title="In Potsdam", postcode="14467", district=None, lat=52.40, lon=13.06)
    make.listing(
        title="In Leipzig",
        organisation=leipzig,
        postcode="04109",
        district="Zentrum",
        lat=51.34,
        lon=12.37,
    )
    assert titles(client.get("/listings?near=10117&radius_km=10")) == ["In Mitte"]
    assert sorted(titles(client.get("/listings?near=10117&radius_km=50"))) == [
        "In Mitte",
        "In Potsdam",
    ]
    # near without sort: nearest first, whatever the age; sort=newest still works
    assert titles(client.get("/listings?near=10117&radius_km=200")) == [
        "In Mitte",
        "In Potsdam",
        "In Leipzig",
    ]
    assert titles(client.get("/listings?near=10117&radius_km=200&sort=newest")) == [
        "In Leipzig",
        "In Potsdam",
        "In Mitte",
    ]
    assert titles(client.get("/listings?district=zentrum")) == ["In Leipzig"]
    assert titles(client.get(f"/listings?organisation_id={leipzig.id}")) == ["In Leipzig"]


def test_q_searches_title_description_category_and_organisation(client, make):
    org = make.organisation(name="Theater am Kiez")
    make.listing(title="Bühnenpodeste", organisation=org, category=factories.category("wood"))
    make.listing(
        title="Stoffreste",
        description="Samt für Kostüme",
        condition=None,
        category=factories.category("textiles"),
    )
    assert titles(client.get("/listings?q=kiez")) == ["Bühnenpodeste"]
    assert titles(client.get("/listings?q=Samt")) == ["Stoffreste"]
    assert titles(client.get("/listings?q=timber")) == ["Bühnenpodeste"]  # category's name
    assert titles(client.get("/listings?q=Textilien")) == ["Stoffreste"]  # and in German
    assert titles(client.get("/listings?q=100%25")) == []  # wildcards are literal


def test_browse_paginates_twenty_per_page(client, make):
    for number in range(25):
        make.listing(title=f"Kiste {number:02d}")
    first = client.get("/listings")
    second = client.get("/listings?page=2")
    assert len(titles(first)) == 20 and len(titles(second)) == 5
    assert titles(first)[0] == "Kiste 24"  # newest first
    assert set(titles(first)).isdisjoint(titles(second))
    assert b'rel="next"' in first.data and b'rel="prev"' in second.data


def test_nonsense_filters_are_explained_not_a_crash(client, make):
    make.listing(title="Paletten")
    response = client.get("/listings?kind=gift&near=00000&radius_km=abc&sort=drop+table&page=x")
    assert response.status_code == 200
    assert titles(response) == ["Paletten"]
    assert b"form-summary" in response.data


def test_card_shows_price_quantity_and_thumbnail_placeholder(client, make):
    make.listing(
        title="Tische",
        category=factories.category("tables"),
        quantity=Decimal("3"),
        quantity_remaining=Decimal("3"),
        price_eur=Decimal("15"),
    )
    page = client.get("/listings", headers={"Accept-Language": "en"}).data.decode()
    assert "€15.00" in page and "3 pieces" in page
    assert "card-thumb-placeholder" in page


# -- login required ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/listings/new"), ("get", "/listings/mine"), ("post", "/listings/new")],
)
def test_pages_that_need_a_login_redirect_to_it(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert "next=%2Flistings%2F" in response.headers["Location"]


def test_edit_and_withdraw_need_a_login(client, make):
    listing = make.listing()
    for response in (
        client.get(f"/listings/{listing.id}/edit"),
        client.post(f"/listings/{listing.id}/withdraw"),
    ):
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert fresh(listing.id).status == "open"


# -- create --------------------------------------------------------------------------------------


def test_new_form_offers_grouped_categories(client, make, login_as):
    login_as(make.user())
    page = client.get("/listings/new").data.decode()
    assert "<optgroup" in page and 'value="pallets"' in page
    assert 'type="date"' in page and 'type="file"' in page and "multiple" in page


def test_create_listing_with_photo(app, client, make, login_as):
    user = login_as(make.user())
    data = form(photos=[(io.BytesIO(images.jpeg(gps=True)), "hof.jpg")])
    response = client.post("/listings/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    listing = db.session.execute(select(Listing)).scalar_one()
    assert response.headers["Location"].endswith(f"/listings/{listing.id}")
    assert listing.organisation_id == user.organisation_id and listing.status == "open"
    assert listing.quantity == 120 and listing.district == user.organisation.district
    photo = listing.photos[0]

    served = client.get(f"/photos/{photo.filename}")
    assert served.status_code == 200
    assert served.mimetype == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.cache_control.max_age >= 86400 * 30
    assert b"SecretCam" not in served.data
    thumb_name = photo.filename.replace(".jpg", "-t.jpg")
    assert client.get(f"/photos/{thumb_name}").status_code == 200
    detail = client.get(f"/listings/{listing.id}").data.decode()
    assert thumb_name in detail and "Eichenholz-Reste" in detail


def test_invalid_form_shows_errors_and_saves_nothing(client, make, login_as):
    login_as(make.user())
    response = client.post(
        "/listings/new",
        data=form(quantity="-2", postcode="99999", available_until="2001-01-01"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    page = response.data.decode()
    assert page.count('class="error"') >= 3 and "form-summary" in page
    assert db.session.execute(select(Listing)).first() is None


def test_bad_photo_is_a_form_error_and_the_listing_is_not_saved(app, client, make, login_as):
    login_as(make.user())
    data = form(photos=[(io.BytesIO(b"just text, not a picture"), "virus.jpg")])
    response = client.post("/listings/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "virus.jpg" in response.data.decode()
    assert db.session.execute(select(Listing)).first() is None
    assert db.session.execute(select(Photo)).first() is None


def test_form_cannot_set_status_or_organisation(client, make, login_as):
    user = login_as(make.user())
    other = make.organisation()
    client.post(
        "/listings/new",
        data=form(status="closed", organisation_id=str(other.id), quantity_remaining="1"),
        content_type="multipart/form-data",
    )
    listing = db.session.execute(select(Listing)).scalar_one()
    assert listing.status == "open" and listing.organisation_id == user.organisation_id
    assert listing.quantity_remaining == 120


def test_csrf_token_is_required(app, client, make, login_as):
    login_as(make.user())
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/listings/new", data=form())
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code in (200, 400)
    assert db.session.execute(select(Listing)).first() is None


# -- edit ----------------------------------------------------------------------------------------


def test_edit_changes_fields_and_removes_photos(client, make, login_as):
    user = login_as(make.user())
    client.post(
        "/listings/new",
        data=form(
            photos=[(io.BytesIO(images.jpeg()), "a.jpg"), (io.BytesIO(images.png()), "b.png")]
        ),
        content_type="multipart/form-data",
    )
    listing = db.session.execute(select(Listing)).scalar_one()
    first, second = listing.photos
    page = client.get(f"/listings/{listing.id}/edit").data.decode()
    assert 'value="Eichenholz-Reste"' in page and 'name="kind"' not in page

    response = client.post(
        f"/listings/{listing.id}/edit",
        data={
            **form(title="Eichenbretter", quantity="80", kind="request"),
            "remove_photos": [str(first.id)],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    listing = fresh(listing.id)
    assert listing.title == "Eichenbretter" and listing.quantity == 80
    assert listing.kind == "offer"  # the edit form has no kind
    assert [p.id for p in listing.photos] == [second.id]
    assert listing.organisation_id == user.organisation_id


def test_others_cannot_edit_or_withdraw(client, make, login_as):
    listing = make.listing(title="Nicht deins")
    login_as(make.user())
    assert client.get(f"/listings/{listing.id}/edit").status_code == 403
    assert client.post(f"/listings/{listing.id}/edit", data=form()).status_code == 403
    assert client.post(f"/listings/{listing.id}/withdraw").status_code == 403
    listing = fresh(listing.id)
    assert listing.title == "Nicht deins" and listing.status == "open"


def test_closed_listing_cannot_be_edited(client, make, login_as):
    user = login_as(make.user())
    listing = make.listing(organisation=user.organisation, status="closed")
    response = client.get(f"/listings/{listing.id}/edit")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/listings/{listing.id}")


# -- withdraw and visibility ---------------------------------------------------------------------


def test_withdraw_hides_the_listing_and_its_photos_from_others(app, client, make, login_as):
    owner = login_as(make.user())
    client.post(
        "/listings/new",
        data=form(photos=[(io.BytesIO(images.jpeg()), "a.jpg")]),
        content_type="multipart/form-data",
    )
    listing = db.session.execute(select(Listing)).scalar_one()
    photo_name = listing.photos[0].filename
    detail = client.get(f"/listings/{listing.id}").data.decode()
    assert "withdraw" in detail and "Yes, withdraw it" in detail

    response = client.post(f"/listings/{listing.id}/withdraw")
    assert response.status_code == 302
    listing = fresh(listing.id)
    assert listing.status == "withdrawn" and listing.ended_at is not None
    assert client.get(f"/listings/{listing.id}").status_code == 200  # the owner still sees it
    own_photo = client.get(f"/photos/{photo_name}")
    assert own_photo.status_code == 200 and own_photo.cache_control.private

    stranger = app.test_client()
    assert stranger.get(f"/listings/{listing.id}").status_code == 404
    assert stranger.get(f"/photos/{photo_name}").status_code == 404
    assert "Eichenholz" not in stranger.get("/listings?status=withdrawn").data.decode()
    assert owner.organisation_id == listing.organisation_id


def test_photo_route_serves_only_generated_names(client, make):
    for name in ("../secret_key", "..%2Fsecret_key", "x.svg", "a" * 32 + ".png", "0" * 32 + ".jpg"):
        assert client.get(f"/photos/{name}").status_code == 404


def test_detail_of_unknown_listing_is_404(client):
    assert client.get("/listings/999999").status_code == 404


def test_detail_shows_owner_actions_only_to_the_owner(client, make, login_as, german_by_default):
    listing = make.listing(title="Paletten")
    page = client.get(f"/listings/{listing.id}").data.decode()
    assert "Paletten" in page and "/edit" not in page and "badge-open" in page
    assert "0,231" in page  # the category's CO2e factor hint (German by default)


# -- my listings ---------------------------------------------------------------------------------


def test_my_listings_grouped_by_status(client, make, login_as):
    user = login_as(make.user())
    org = user.organisation
    make.listing(organisation=org, title="Offen")
    make.listing(organisation=org, title="Zurückgezogen", status="withdrawn")
    make.listing(organisation=org, title="Abgelaufen", available_until=today() - timedelta(days=2))
    make.listing(title="Fremd")
    assert titles(client.get("/listings/mine")) == ["Offen"]
    assert titles(client.get("/listings/mine?status=withdrawn")) == ["Zurückgezogen"]
    expired = client.get("/listings/mine?status=expired")
    assert titles(expired) == ["Abgelaufen"]
    assert 'aria-current="page"' in expired.data.decode()
