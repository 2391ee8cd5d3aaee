"""Organisation services: registration, the CLI's account creation, editing, invitations."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.auth import services as auth_services
from marketplace.auth.models import User
from marketplace.auth.passwords import verify_password
from marketplace.auth.services import EmailTaken
from marketplace.auth.sessions import hash_secret
from marketplace.core.clock import utcnow
from marketplace.core.errors import NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.orgs import services
from marketplace.orgs.models import Invitation, Organisation
from tests.auth.conftest import link_in

pytestmark = pytest.mark.usefixtures("in_request")

NEW_PASSWORD = "Lastenrad-im-Hof-7"


@pytest.fixture
def in_request(app_ctx):
    with app_ctx.test_request_context("/", method="POST"):
        yield


def registration(**changes) -> dict:
    data = {
        "email": "Greta@Holzwerkstatt.example",
        "password": NEW_PASSWORD,
        "name": "Greta Holz",
        "organisation_name": "Holzwerkstatt Kreuzberg",
        "kind": "business",
        "postcode": "10115",
        "district": "Mitte",
        "locale": "de",
    }
    data.update(changes)
    return data


def _users() -> int:
    return db.session.execute(select(func.count()).select_from(User)).scalar_one()


# --- registration ---------------------------------------------------------------------------------


def test_registration_creates_a_member_and_the_organisation(app_ctx):
    user = services.register_organisation(accepted_terms=True, **registration())
    db.session.commit()
    assert user.email == "greta@holzwerkstatt.example"
    assert (user.role, user.name, user.locale) == ("member", "Greta Holz", "de")
    assert verify_password(user.password_hash, NEW_PASSWORD)
    org = user.organisation
    assert (org.name, org.kind, org.postcode, org.district) == (
        "Holzwerkstatt Kreuzberg",
        "business",
        "10115",
        "Mitte",
    )
    assert org.lat == pytest.approx(52.532, abs=0.01) and org.lon == pytest.approx(13.385, abs=0.01)


def test_registration_lists_every_problem_by_field(app_ctx):
    with pytest.raises(ValidationFailed) as excinfo:
        services.register_organisation(
            accepted_terms=False,
            **registration(
                email="not-an-address",
                password="passwort123",
                name=" ",
                organisation_name="",
                kind="company",
                postcode="1011",
                district="x" * 121,
                locale="fr",
            ),
        )
    assert set(excinfo.value.fields) == {
        "email",
        "password",
        "name",
        "organisation_name",
        "kind",
        "postcode",
        "district",
        "locale",
        "accept_terms",
    }
    assert _users() == 0


def test_unknown_postcode_is_a_clear_field_error(app_ctx):
    with pytest.raises(ValidationFailed) as excinfo:
        services.register_organisation(accepted_terms=True, **registration(postcode="00000"))
    assert excinfo.value.fields == {"postcode": ["We do not know this postcode. Please check it."]}


def test_taken_address_is_refused_whatever_its_case(app_ctx, make):
    make.user(email="greta@holzwerkstatt.example")
    with pytest.raises(auth_services.EmailTaken) as excinfo:
        services.register_organisation(
            accepted_terms=True, **registration(email="GRETA@holzwerkstatt.EXAMPLE ")
        )
    assert excinfo.value.status == 409 and excinfo.value.code == "email_taken"
    assert db.session.execute(select(func.count()).select_from(Organisation)).scalar_one() == 1


def test_address_taken_between_check_and_insert_gives_the_same_error(app_ctx, make, monkeypatch):
    """The unique index decides when a concurrent registration wins after our check."""
    make.user(email="greta@holzwerkstatt.example")
    real = auth_services.get_user_by_email
    calls = []

    def check_misses_the_concurrent_insert(email):
        calls.append(email)
        return None if len(calls) == 1 else real(email)

    monkeypatch.setattr(auth_services, "get_user_by_email", check_misses_the_concurrent_insert)
    with pytest.raises(auth_services.EmailTaken):
        services.register_organisation(accepted_terms=True, **registration())
    db.session.commit()  # the session is still usable; nothing half-made was kept
    assert _users() == 1
    assert db.session.execute(select(func.count()).select_from(Organisation)).scalar_one() == 1


def test_concurrent_registrations_with_one_address_make_one_account(app):
    barrier = threading.Barrier(4)
    outcomes = []

    def register(n):
        with app.test_request_context("/", method="POST"):
            barrier.wait()
            try:
                services.register_organisation(
                    accepted_terms=True, **registration(organisation_name=f"Verein {n}")
                )
                db.session.commit()
                outcomes.append("created")
            except auth_services.EmailTaken:
                db.session.rollback()
                outcomes.append("taken")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=register, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["created", "taken", "taken", "taken"]
    db.session.expire_all()
    assert _users() == 1


# --- accounts made on the command line ------------------------------------------------------------


def test_create_user_joins_an_existing_organisation_of_that_name(app_ctx, make):
    org = make.organisation(name="Repair-Café Nord")
    user, created = services.create_user(
        **registration(organisation_name="repair-café nord"),
        role="coordinator",
    )
    assert not created and user.organisation_id == org.id and user.role == "coordinator"


def test_create_user_refuses_unknown_roles(app_ctx):
    with pytest.raises(ValidationFailed) as excinfo:
        services.create_user(**registration(), role="root")
    assert "role" in excinfo.value.fields


# --- editing --------------------------------------------------------------------------------------


def organisation_data(**changes) -> dict:
    data = {
        "name": "Tischlerei Holzwurm",
        "kind": "social_enterprise",
        "postcode": "80331",
        "district": "Altstadt",
        "description": "Wir geben Reststücke ab.",
        "website": "https://holzwurm.example/werkstatt",
    }
    data.update(changes)
    return data


def test_members_edit_their_organisation_and_coordinates_follow_the_postcode(app_ctx, make):
    user = make.user()
    org = user.organisation
    services.update_organisation(org, user, **organisation_data())
    assert (org.kind, org.postcode, org.website) == (
        "social_enterprise",
        "80331",
        "https://holzwurm.example/werkstatt",
    )
    assert org.lat == pytest.approx(48.136, abs=0.01)


def test_others_cannot_edit_an_organisation(app_ctx, make):
    org = make.organisation()
    outsider = make.user()
    with pytest.raises(NotFound):
        services.update_organisation(org, outsider, **organisation_data())


@pytest.mark.parametrize(
    "website",
    ["javascript:alert(1)", "ftp://holzwurm.example", "holzwurm.example", "https://", "data:x"],
)
def test_website_must_be_http_or_https(app_ctx, make, website):
    user = make.user()
    with pytest.raises(ValidationFailed) as excinfo:
        services.update_organisation(user.organisation, user, **organisation_data(website=website))
    assert "website" in excinfo.value.fields


def test_description_is_limited_and_optional_fields_may_be_empty(app_ctx, make):
    user = make.user()
    with pytest.raises(ValidationFailed) as excinfo:
        services.update_organisation(
            user.organisation, user, **organisation_data(description="x" * 2001)
        )
    assert set(excinfo.value.fields) == {"description"}
    services.update_organisation(
        user.organisation, user, **organisation_data(description="", website="", district="")
    )
    org = user.organisation
    assert (org.description, org.website, org.district) == (None, None, None)


# --- invitations ----------------------------------------------------------------------------------


def test_invitation_is_mailed_after_the_commit_with_a_hashed_token(app_ctx, make, outbox):
    user = make.user(name="Greta")
    invitation, token = services.invite_member(user.organisation, user, " Nils@Example.org ")
    assert outbox == []
    db.session.commit()
    assert [m.to for m in outbox] == [["nils@example.org"]]
    assert link_in(outbox[0], "/invitations/") == token
    assert invitation.token_hash == hash_secret(token) and token not in invitation.token_hash
    assert invitation.expires_at - invitation.created_at == timedelta(days=14)
    assert "Greta" in outbox[0].body and user.organisation.name in outbox[0].body


def test_inviting_someone_with_an_account_cannot_be_accepted_with_it(app_ctx, make, outbox):
    user = make.user()
    other = make.user()
    _, token = services.invite_member(user.organisation, user, other.email)
    db.session.commit()
    with pytest.raises(EmailTaken):
        services.accept_invitation(token, "Nils", "Lastenrad-Kiez-2026", "de", accepted_terms=True)


def test_only_members_may_invite(app_ctx, make):
    org = make.organisation()
    with pytest.raises(NotFound):
        services.invite_member(org, make.user(), "nils@example.org")


def test_a_new_invitation_replaces_the_pending_one(app_ctx, make, outbox):
    user = make.user()
    _, first = services.invite_member(user.organisation, user, "nils@example.org")
    _, second = services.invite_member(user.organisation, user, "nils@example.org")
    db.session.commit()
    with pytest.raises(NotFound):
        services.usable_invitation(first)
    assert services.usable_invitation(second).email == "nils@example.org"


def test_accepting_makes_a_member_with_the_invited_address_once(app_ctx, make, outbox):
    inviter = make.user()
    _, token = services.invite_member(inviter.organisation, inviter, "nils@example.org")
    db.session.commit()
    user = services.accept_invitation(token, "Nils Nehmer", NEW_PASSWORD, "en", accepted_terms=True)
    db.session.commit()
    assert (user.email, user.role, user.organisation_id, user.locale) == (
        "nils@example.org",
        "member",
        inviter.organisation_id,
        "en",
    )
    with pytest.raises(auth_services.LinkExpired):
        services.accept_invitation(token, "Nils Nehmer", NEW_PASSWORD, "en", accepted_terms=True)


def test_expired_invitation_is_refused(app_ctx, make, outbox):
    inviter = make.user()
    invitation, token = services.invite_member(inviter.organisation, inviter, "nils@example.org")
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(auth_services.LinkExpired) as excinfo:
        services.accept_invitation(token, "Nils Nehmer", NEW_PASSWORD, "de", accepted_terms=True)
    assert "expired" in excinfo.value.message


def test_accepting_checks_name_and_password(app_ctx, make, outbox):
    inviter = make.user()
    _, token = services.invite_member(inviter.organisation, inviter, "nils@example.org")
    db.session.commit()
    with pytest.raises(ValidationFailed) as excinfo:
        services.accept_invitation(token, "", "kurz", "de", accepted_terms=True)
    assert set(excinfo.value.fields) == {"name", "password"}
    assert services.usable_invitation(token).accepted_at is None


def test_invitation_address_registered_meanwhile_is_refused(app_ctx, make, outbox):
    inviter = make.user()
    _, token = services.invite_member(inviter.organisation, inviter, "nils@example.org")
    db.session.commit()
    make.user(email="nils@example.org")
    with pytest.raises(auth_services.EmailTaken):
        services.accept_invitation(token, "Nils Nehmer", NEW_PASSWORD, "de", accepted_terms=True)
    db.session.commit()
    assert db.session.execute(select(Invitation.accepted_at)).scalar_one() is None
