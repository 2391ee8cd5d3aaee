"""Alerts: the right organisation is told once (in-app, instantly or in a digest by its choice),
never twice and never after "not interested"."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.core.clock import utcnow
from marketplace.extensions import db
from marketplace.matching import alerts, notifications, services
from marketplace.matching.models import MatchAlert, MatchAlertSettings
from tests import factories
from tests.matching.helpers import NEUKOELLN, WEDDING, org, request


@pytest.fixture
def scene(make):
    """A youth workshop wants pallets, an office wants chairs; a supermarket will post pallets."""
    workshop = org("Jugendwerkstatt Wedding", WEDDING)
    office = org("Büro im Umzug", NEUKOELLN)
    market = org("Supermarkt am Platz")
    wanted = request(workshop, "Suche Europaletten", quantity=20)
    request(office, "Suche Bürostühle", "office-furniture", quantity=5)
    people = {
        "member": factories.user(organisation=workshop, locale="de"),
        "colleague": factories.user(organisation=workshop, locale="en"),
        "office": factories.user(organisation=office),
        "giver": factories.user(organisation=market),
    }
    db.session.commit()
    return {"workshop": workshop, "office": office, "market": market, "request": wanted, **people}


def _alerts(org_id=None) -> list[MatchAlert]:
    db.session.expire_all()
    statement = select(MatchAlert).order_by(MatchAlert.id)
    if org_id is not None:
        statement = statement.where(MatchAlert.organisation_id == org_id)
    return list(db.session.execute(statement).unique().scalars())


def _post_pallets(api, user, title="Europaletten abzugeben"):
    response = api.post(
        "/api/v1/listings",
        as_=user,
        json={
            "kind": "offer",
            "title": title,
            "category": "pallets",
            "quantity": 40,
            "unit": "piece",
        },
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


def test_a_new_offer_alerts_the_requesting_organisation_once(api, scene, outbox):
    offer_id = _post_pallets(api, scene["giver"])
    found = _alerts()
    assert [(a.organisation_id, a.listing_id) for a in found] == [(scene["workshop"].id, offer_id)]
    assert found[0].own_listing_id == scene["request"].id and found[0].score >= 0.5
    assert outbox == []  # the default is the daily digest


def test_several_matching_listings_and_searches_still_make_one_alert(api, scene, make):
    request(scene["workshop"], "Paletten für Hochbeete gesucht", quantity=10)
    services.save_search(scene["member"], {"q": "Paletten"})
    db.session.commit()
    _post_pallets(api, scene["giver"])
    assert len(_alerts(scene["workshop"].id)) == 1
    # the same listing processed again (a retry): still once
    assert alerts.record_alerts_for([_alerts()[0].listing_id]) == 0
    assert len(_alerts(scene["workshop"].id)) == 1


def test_not_interested_removes_the_alert_and_it_never_comes_back(api, client, login_as, scene):
    offer_id = _post_pallets(api, scene["giver"])
    alert = _alerts(scene["workshop"].id)[0]
    login_as(scene["member"])
    assert client.post(f"/matches/alerts/{alert.id}/dismiss").status_code == 302
    assert "Europaletten abzugeben" not in client.get("/matches").get_data(as_text=True)
    db.session.execute(MatchAlert.__table__.delete())
    db.session.commit()
    assert alerts.record_alerts_for([offer_id]) == 0  # processed again: not after "no"
    html = client.get(f"/listings/{scene['request'].id}").get_data(as_text=True)
    assert f'href="/listings/{offer_id}"' not in html


def test_nobody_dismisses_another_organisations_alert(api, client, login_as, scene):
    _post_pallets(api, scene["giver"])
    alert = _alerts(scene["workshop"].id)[0]
    login_as(scene["office"])
    assert client.post(f"/matches/alerts/{alert.id}/dismiss").status_code == 404
    assert _alerts()[0].dismissed_at is None


def test_instant_mail_goes_to_those_who_chose_it_in_their_language(api, scene, outbox):
    services.set_email_choice(scene["member"], "instant")
    db.session.commit()
    _post_pallets(api, scene["giver"])
    assert [m.to for m in outbox] == [[scene["member"].email]]
    assert "Europaletten abzugeben" in outbox[0].subject
    assert "/listings/" in outbox[0].body and "Guten Tag" in outbox[0].body


def test_the_digest_mails_each_daily_reader_once(api, runner, scene, outbox):
    services.set_email_choice(scene["colleague"], "off")
    db.session.commit()
    _post_pallets(api, scene["giver"])
    result = runner.invoke(args=["matching", "digest"])
    assert result.exit_code == 0, result.output
    assert [m.to for m in outbox] == [[scene["member"].email]]
    assert "Europaletten abzugeben" in outbox[0].body
    assert runner.invoke(args=["matching", "digest"]).exit_code == 0
    assert len(outbox) == 1


def test_the_sweep_sends_only_earlier_days_alerts(app, api, scene, outbox):
    _post_pallets(api, scene["giver"])
    db.session.commit()
    assert notifications.send_digests(due_only=True) == 0
    for alert in _alerts():
        alert.created_at = utcnow() - timedelta(days=1, hours=1)
    for person in ("member", "colleague"):
        scene[person].created_at = utcnow() - timedelta(days=3)
    db.session.commit()
    assert notifications.send_digests(due_only=True) == 2  # member (daily) and colleague (daily)
    db.session.commit()
    assert notifications.send_digests(due_only=True) == 0
    assert len(outbox) == 2


def test_seen_alerts_are_not_mailed(api, client, login_as, scene, outbox):
    _post_pallets(api, scene["giver"])
    login_as(scene["member"])
    client.get("/matches")
    assert notifications.send_digests() == 0


def test_the_matches_page_lists_marks_seen_and_counts(api, client, login_as, scene):
    _post_pallets(api, scene["giver"])
    login_as(scene["member"])
    badge = re.compile(r'href="/matches"[^>]*>[^<]*<span class="count-badge"[^>]*>1</span>')
    assert badge.search(client.get("/").get_data(as_text=True))
    page = client.get("/matches").get_data(as_text=True)
    assert "Europaletten abzugeben" in page and "Suche Europaletten" in page
    assert not badge.search(client.get("/").get_data(as_text=True))


def test_an_import_of_many_listings_alerts_nobody(scene, make):
    market = scene["market"]
    for i in range(alerts.MAX_LISTINGS_PER_COMMIT + 1):
        db.session.add(
            factories.ListingFactory.build(
                organisation=market, title=f"Europaletten {i}", category=factories.category()
            )
        )
    db.session.commit()
    assert _alerts() == []


def test_email_choice_is_saved(client, login_as, scene):
    login_as(scene["member"])
    assert client.post("/matches/settings", data={"email": "instant"}).status_code == 302
    assert db.session.get(MatchAlertSettings, scene["member"].id).email == "instant"
    client.post("/matches/settings", data={"email": "weekly"})
    db.session.expire_all()
    assert db.session.get(MatchAlertSettings, scene["member"].id).email == "instant"


def test_a_failure_never_breaks_the_posting(api, scene, monkeypatch):
    def broken(listing):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "record_alerts", broken)
    assert _post_pallets(api, scene["giver"])
