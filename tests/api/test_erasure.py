"""DELETE /api/v1/me: the person is anonymised (GDPR Art. 17); their token, web session and
password stop working; the organisation and its listings and completed exchanges stay."""

from sqlalchemy import select

from marketplace.auth.models import User
from marketplace.exchanges import services as exchanges
from marketplace.exchanges.models import Exchange
from marketplace.extensions import db
from marketplace.listings.models import Listing
from tests import factories
from tests.exchanges.helpers import parties
from tests.factories import PASSWORD


def _completed_exchange():
    p = parties(quantity="10")
    p.offer.created_by_id = p.provider.id
    exchange = exchanges.propose_exchange(p.receiver, p.offer, quantity="4")
    db.session.commit()
    exchanges.accept_exchange(p.provider, exchange)
    db.session.commit()
    exchanges.complete_exchange(p.receiver, exchange)
    db.session.commit()
    return p, exchange


def test_delete_me_erases_the_person_and_keeps_the_organisations_records(
    api, client, login_as, app_ctx
):
    p, exchange = _completed_exchange()
    email, user_id, org_id = p.provider.email, p.provider.id, p.provider.organisation_id
    headers = api.headers(p.provider)
    login_as(p.provider)
    assert client.get("/profile").status_code == 200

    response = client.delete("/api/v1/me", json={"password": PASSWORD}, headers=headers)
    assert response.status_code == 204 and response.data == b""

    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert client.get("/profile").status_code == 302  # the web session ended too
    login = client.post("/api/v1/tokens", json={"email": email, "password": PASSWORD})
    assert login.status_code == 401
    web_login = client.post("/login", data={"email": email, "password": PASSWORD})
    assert web_login.status_code == 200 and client.get("/profile").status_code == 302

    db.session.expire_all()
    person = db.session.get(User, user_id)
    assert person.name == "Ehemaliges Mitglied" and person.email != email
    assert not person.active and person.erased_at is not None
    listing = db.session.get(Listing, p.offer.id)
    assert listing.organisation_id == org_id and listing.status != "withdrawn"
    assert db.session.get(Exchange, exchange.id).status == "completed"
    page = client.get(f"/listings/{listing.id}").get_data(as_text=True)
    assert "Greta Geber" not in page and "Tischlerei Holzwurm" in page
    body = client.get(f"/api/v1/listings/{listing.id}").get_json()
    assert body["organisation"]["id"] == org_id and "Greta" not in str(body)
    assert db.session.scalar(select(User).where(User.email == email)) is None


def test_delete_me_needs_the_right_password_and_a_token(api, app_ctx):
    person = factories.user()
    db.session.commit()
    wrong = api.delete("/api/v1/me", json={"password": "not-the-password"}, as_=person)
    assert wrong.status_code == 422 and "password" in wrong.get_json()["error"]["fields"]
    missing = api.delete("/api/v1/me", json={}, as_=person)
    assert missing.status_code == 422
    assert api.delete("/api/v1/me", json={"password": PASSWORD}).status_code == 401
    db.session.expire_all()
    assert db.session.get(User, person.id).active


def test_the_last_member_leaving_through_the_api_leaves_the_organisation_as_is(api, app_ctx):
    listing = factories.listing()
    person = factories.user(organisation=listing.organisation)
    db.session.commit()
    assert api.delete("/api/v1/me", json={"password": PASSWORD}, as_=person).status_code == 204
    db.session.expire_all()
    assert db.session.get(Listing, listing.id).status == "open"
