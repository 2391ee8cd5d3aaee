"""A hidden listing leaves browse, search (web and API, on the real index) and the map, and
comes back when a coordinator restores it."""

import re

from marketplace.extensions import db
from marketplace.moderation import services

TITLE = "Europaletten aus dem Wareneingang"


def found(client, api) -> dict[str, bool]:
    browse = client.get("/listings?kind=offer").text
    # Hits carry <mark> around the words found.
    search = re.sub(r"</?mark>", "", client.get("/listings?q=Europaletten").text)
    api_items = api.get("/api/v1/listings?q=Europaletten").json["items"]
    features = client.get("/api/v1/map.geojson?layers=offers").json["features"]
    return {
        "browse": TITLE in browse,
        "search": TITLE in search,
        "api": any(item["title"] == TITLE for item in api_items),
        "map": any(f["properties"]["name"] == TITLE for f in features),
    }


def test_a_hidden_listing_is_not_found_anywhere_until_restored(search, app, client, api, people):
    listing_id = people.listing.id
    assert found(client, api) == {"browse": True, "search": True, "api": True, "map": True}

    services.report_listing(people.reporter, people.listing, "spam")
    services.hide_listing(people.coordinator, people.listing, "Doppelt eingestellt")
    db.session.commit()
    assert found(client, api) == {"browse": False, "search": False, "api": False, "map": False}
    assert api.get(f"/api/v1/listings/{listing_id}").status_code == 404
    # Its own organisation still finds it, with the status it has.
    answer = api.get(f"/api/v1/listings/{listing_id}", as_=people.owner)
    assert answer.status_code == 200 and answer.json["status"] == "hidden"
    assert api.get("/api/v1/listings?status=hidden").status_code in (200, 422)

    services.restore_listing(people.coordinator, people.listing)
    db.session.commit()
    assert found(client, api) == {"browse": True, "search": True, "api": True, "map": True}


def test_a_hidden_offer_is_no_match_for_a_request(search, api, people, make):
    request = make.listing(kind="request", title="Europaletten gesucht", condition=None)
    before = api.get(f"/api/v1/listings/{request.id}/matches").json["items"]
    assert people.listing.id in [item["listing"]["id"] for item in before]
    services.hide_listing(people.coordinator, people.listing, "Doppelt eingestellt")
    db.session.commit()
    after = api.get(f"/api/v1/listings/{request.id}/matches").json["items"]
    assert people.listing.id not in [item["listing"]["id"] for item in after]
