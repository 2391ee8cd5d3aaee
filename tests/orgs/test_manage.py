"""Managing one's organisation: the edit page, members, invitations and joining by invitation."""

import re
from datetime import timedelta

from sqlalchemy import select

from marketplace.auth.models import User
from marketplace.core.clock import utcnow
from marketplace.extensions import db
from marketplace.orgs.models import Invitation, Organisation
from tests.auth.conftest import link_in

PASSWORD = "Lastenrad-im-Hof-7"


def edit_form(**changes) -> dict:
    data = {
        "name": "Tischlerei Holzwurm",
        "kind": "social_enterprise",
        "postcode": "80331",
        "district": "Altstadt",
        "description": "Wir geben Reststücke ab.",
        "website": "https://holzwurm.example",
    }
    data.update(changes)
    return data


def fresh_org(org_id) -> Organisation:
    db.session.expire_all()
    return db.session.get(Organisation, org_id)


def _invite(client, org_id, email="nils@example.org"):
    return client.post(f"/orgs/{org_id}/members", data={"email": email})


# --- edit -----------------------------------------------------------------------------------------


def test_members_edit_their_organisation(client, make, login_as):
    user = login_as(make.user())
    org_id = user.organisation_id
    assert client.get(f"/orgs/{org_id}/edit").status_code == 200
    response = client.post(f"/orgs/{org_id}/edit", data=edit_form())
    assert response.status_code == 302 and response.headers["Location"] == f"/orgs/{org_id}"
    org = fresh_org(org_id)
    assert (org.kind, org.postcode, org.description, org.website) == (
        "social_enterprise",
        "80331",
        "Wir geben Reststücke ab.",
        "https://holzwurm.example",
    )


def test_another_organisations_pages_are_not_found(client, make, login_as):
    other = make.organisation(name="Fremde Firma")
    login_as(make.user())
    for path in (f"/orgs/{other.id}/edit", f"/orgs/{other.id}/members"):
        assert client.get(path).status_code == 404
    assert client.post(f"/orgs/{other.id}/edit", data=edit_form()).status_code == 404
    assert _invite(client, other.id).status_code == 404
    assert fresh_org(other.id).name == "Fremde Firma"
    assert db.session.execute(select(Invitation)).first() is None


def test_management_pages_need_sign_in(client, make):
    org = make.organisation()
    response = client.get(f"/orgs/{org.id}/edit")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_edit_shows_problems_on_the_fields(client, make, login_as):
    user = login_as(make.user())
    response = client.post(
        f"/orgs/{user.organisation_id}/edit",
        data=edit_form(website="javascript:alert(1)", postcode="99999", description="x" * 2001),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for field in ("website", "postcode", "description"):
        assert f'id="{field}-error"' in page
    assert fresh_org(user.organisation_id).website is None


# --- members and invitations ----------------------------------------------------------------------


def test_members_page_lists_colleagues(client, make, login_as):
    user = login_as(make.user(name="Greta Holz"))
    make.user(name="Nils Nehmer", organisation=user.organisation)
    make.user(name="Fremd")
    page = client.get(f"/orgs/{user.organisation_id}/members").get_data(as_text=True)
    assert "Greta Holz" in page and "Nils Nehmer" in page and "Fremd" not in page


def test_invitation_flow_from_mail_to_membership(client, make, login_as, outbox):
    inviter = login_as(make.user())
    org_id = inviter.organisation_id
    response = _invite(client, org_id)
    assert response.status_code == 302
    assert "nils@example.org" in client.get(f"/orgs/{org_id}/members").get_data(as_text=True)
    [mail] = outbox
    token = link_in(mail, "/invitations/")

    client.post("/logout")
    page = client.get(f"/invitations/{token}")
    assert page.status_code == 200 and "nils@example.org" in page.get_data(as_text=True)
    response = client.post(
        f"/invitations/{token}",
        data={
            "name": "Nils Nehmer",
            "password": PASSWORD,
            "password_repeat": PASSWORD,
            "locale": "en",
            "accept_terms": "y",
            # A crafted form cannot choose the address, the role or the organisation.
            "email": "boss@example.org",
            "role": "admin",
            "organisation_id": "999",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/profile"
    db.session.expire_all()
    user = db.session.execute(select(User).where(User.name == "Nils Nehmer")).scalar_one()
    assert (user.email, user.role, user.organisation_id) == ("nils@example.org", "member", org_id)
    assert client.get("/profile").status_code == 200

    client.post("/logout")
    used = client.get(f"/invitations/{token}")
    assert used.status_code == 410 and "used already" in used.get_data(as_text=True)


def test_expired_invitation_gives_a_clear_message(client, make, login_as, outbox):
    inviter = login_as(make.user())
    _invite(client, inviter.organisation_id)
    token = link_in(outbox[0], "/invitations/")
    invitation = db.session.execute(select(Invitation)).scalar_one()
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    client.post("/logout")
    response = client.get(f"/invitations/{token}")
    assert response.status_code == 410
    assert "This invitation has expired" in response.get_data(as_text=True)
    assert client.get("/invitations/not-a-token").status_code == 404


def test_signed_in_people_are_asked_to_sign_out_before_accepting(client, make, login_as, outbox):
    inviter = login_as(make.user())
    _invite(client, inviter.organisation_id)
    token = link_in(outbox[0], "/invitations/")
    page = client.get(f"/invitations/{token}").get_data(as_text=True)
    assert "Please sign out first" in page and 'name="password"' not in page


def test_inviting_needs_the_csrf_token_when_enabled(client, make, login_as, outbox, csrf_on):
    inviter = login_as(make.user())
    assert _invite(client, inviter.organisation_id).status_code == 400
    assert outbox == []


def test_an_invitation_answers_the_same_whether_or_not_the_address_has_an_account(
    client, login_as, make, outbox
):
    """Issue 16: "This person already has an account" told any member who uses Stoffwechsel."""

    inviter = login_as(make.user())
    taken = make.user(email="schon-da@example.org").email
    answers = []
    for address in (taken, "neu@example.org"):
        response = client.post(f"/orgs/{inviter.organisation_id}/members", data={"email": address})
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        flash = re.search(r'class="flash[^"]*"[^>]*>(.*?)<', page, re.S).group(1)
        answers.append((response.status_code, flash.replace(address, "ADDRESS").strip()))
    assert answers[0] == answers[1] and answers[0][0] == 302
    to_taken, to_new = (next(m for m in outbox if m.to == [a]) for a in (taken, "neu@example.org"))
    assert "already has a Stoffwechsel account" in to_taken.body
    assert "/invitations/" not in to_taken.body and "/login" in to_taken.body
    assert "/invitations/" in to_new.body
