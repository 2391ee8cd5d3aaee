"""The moderation pages: forms with CSRF, 403 for people who are not coordinators, 404 for what
the caller may not see, and what the listing page offers."""

import re

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.moderation import services
from marketplace.moderation.models import Favourite, ListingHiding, ListingReport


def hidden(people, reason="Verbotene Ware"):
    services.report_listing(people.reporter, people.listing, "prohibited")
    services.hide_listing(people.coordinator, people.listing, reason)
    db.session.commit()


def test_the_listing_page_offers_save_share_and_report(client, login_as, people):
    login_as(people.reporter)
    page = client.get(f"/listings/{people.listing.id}").text
    assert f'action="/listings/{people.listing.id}/favourite"' in page
    assert f'value="http://localhost/listings/{people.listing.id}"' in page  # absolute, readonly
    assert re.search(r"<input[^>]+readonly[^>]+data-share-url", page)
    assert "mailto:?subject=Europaletten" in page
    assert f'href="/listings/{people.listing.id}/report"' in page


def test_visitors_and_owners_are_not_offered_a_report(client, login_as, people):
    page = client.get(f"/listings/{people.listing.id}").text
    assert "/report" not in page and "/favourite" not in page
    assert "data-share-url" in page  # anyone may share
    login_as(people.owner)
    assert "/report" not in client.get(f"/listings/{people.listing.id}").text
    assert client.get(f"/listings/{people.listing.id}/report").status_code == 403


def test_save_and_unsave_from_the_listing_page_and_the_saved_page(client, login_as, people):
    login_as(people.reporter)
    response = client.post(f"/listings/{people.listing.id}/favourite", follow_redirects=True)
    assert "Saved ✓" in response.text
    saved = client.get("/favourites").text
    assert "Europaletten aus dem Wareneingang" in saved
    response = client.post(
        f"/listings/{people.listing.id}/unfavourite",
        data={"back": "favourites"},
        follow_redirects=True,
    )
    assert response.request.path == "/favourites"
    assert db.session.execute(select(Favourite)).first() is None


def test_the_saved_page_says_when_a_listing_is_gone(client, login_as, people):
    login_as(people.reporter)
    client.post(f"/listings/{people.listing.id}/favourite")
    hidden(people)
    page = client.get("/favourites").text
    assert "This listing is no longer available." in page
    assert "Europaletten aus dem Wareneingang" not in page


def test_forms_refuse_a_post_without_csrf_token(client, login_as, people, csrf_on):
    login_as(people.reporter)
    assert client.post(f"/listings/{people.listing.id}/favourite").status_code == 400
    response = client.post(f"/listings/{people.listing.id}/report", data={"reason": "spam"})
    assert response.status_code == 400
    login_as(people.coordinator)
    response = client.post(
        f"/moderation/listings/{people.listing.id}/hide", data={"hide-reason": "Spam"}
    )
    assert response.status_code == 400
    assert db.session.execute(select(ListingReport)).first() is None
    assert db.session.execute(select(ListingHiding)).first() is None


def test_a_report_with_a_token_goes_through(client, login_as, people, csrf_on):
    login_as(people.reporter)
    form = client.get(f"/listings/{people.listing.id}/report").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    response = client.post(
        f"/listings/{people.listing.id}/report",
        data={"csrf_token": token, "reason": "spam", "details": "Nur Werbung"},
    )
    assert response.status_code == 302
    assert db.session.execute(select(ListingReport.reason)).scalar_one() == "spam"


def test_bad_report_input_is_a_form_error(client, login_as, people):
    login_as(people.reporter)
    response = client.post(f"/listings/{people.listing.id}/report", data={"reason": "other"})
    assert response.status_code == 422
    assert "Please say briefly what is wrong." in response.text
    response = client.post(
        f"/listings/{people.listing.id}/report", data={"reason": "spam", "details": "x" * 1001}
    )
    assert response.status_code == 422
    response = client.post(f"/listings/{people.listing.id}/report", data={"reason": "nonsense"})
    assert response.status_code == 422


def test_moderation_pages_are_for_coordinators_only(client, login_as, people):
    assert client.get("/moderation").status_code == 302  # to the login
    login_as(people.reporter)
    for path in ("/moderation", "/moderation/log", f"/moderation/listings/{people.listing.id}"):
        assert client.get(path).status_code == 403, path
    for action in ("hide", "dismiss", "restore", "uphold"):
        response = client.post(
            f"/moderation/listings/{people.listing.id}/{action}", data={"hide-reason": "Spam!"}
        )
        assert response.status_code == 403, action
    assert people.listing.status == "open"


def test_unknown_listings_and_actions_are_404(client, login_as, people):
    login_as(people.coordinator)
    assert client.get("/moderation/listings/999999").status_code == 404
    assert client.post("/moderation/listings/999999/hide").status_code == 404
    assert client.post(f"/moderation/listings/{people.listing.id}/erase").status_code == 404
    assert client.get("/moderation/log?listing=99999999999999999999999").status_code == 200


def test_a_hidden_listing_is_404_for_others_and_explained_to_its_organisation(
    client, login_as, people
):
    hidden(people, reason="Lebende Tiere sind verboten")
    assert client.get(f"/listings/{people.listing.id}").status_code == 404
    login_as(people.reporter)
    assert client.get(f"/listings/{people.listing.id}").status_code == 404
    assert client.post(f"/listings/{people.listing.id}/favourite").status_code == 404
    assert client.get(f"/listings/{people.listing.id}/report").status_code == 404
    login_as(people.owner)
    page = client.get(f"/listings/{people.listing.id}").text
    assert "This listing has been hidden by the coordinators" in page
    assert "Lebende Tiere sind verboten" in page
    assert f'href="/listings/{people.listing.id}/appeal"' in page


def test_the_coordinator_works_through_the_queue(client, login_as, people, outbox):
    services.report_listing(people.reporter, people.listing, "misleading", "Sind nur zehn")
    db.session.commit()
    login_as(people.coordinator)
    queue = client.get("/moderation").text
    assert "Europaletten aus dem Wareneingang" in queue
    assert "Wrong or misleading × 1" in queue and "Sind nur zehn" in queue
    response = client.post(
        f"/moderation/listings/{people.listing.id}/hide", data={"hide-reason": ""}
    )
    assert response.status_code == 422
    response = client.post(
        f"/moderation/listings/{people.listing.id}/hide",
        data={"hide-reason": "Irreführende Mengenangabe"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert people.listing.status == "hidden"
    assert len(outbox) == 2
    log = client.get(f"/moderation/log?listing={people.listing.id}").text
    assert "Listing hidden" in log and "Irreführende Mengenangabe" in log


def test_appeal_and_restore_through_the_pages(client, login_as, people):
    hidden(people)
    login_as(people.owner)
    response = client.post(f"/listings/{people.listing.id}/appeal", data={"text": "zu kurz"})
    assert response.status_code == 422
    response = client.post(
        f"/listings/{people.listing.id}/appeal",
        data={"text": "Es sind Holzpaletten, bitte noch einmal ansehen."},
    )
    assert response.status_code == 302
    assert client.get(f"/listings/{people.listing.id}/appeal").status_code == 409
    login_as(people.coordinator)
    assert "Es sind Holzpaletten" in client.get("/moderation").text
    response = client.post(
        f"/moderation/listings/{people.listing.id}/restore", data={"decide-note": "Passt."}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert people.listing.status == "open"
    assert client.get(f"/listings/{people.listing.id}").status_code == 200
