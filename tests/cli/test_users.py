"""`flask user create` and `flask user set-role`."""

import pytest
from sqlalchemy import func, select

from marketplace.auth.models import User
from marketplace.auth.passwords import verify_password
from marketplace.extensions import db
from marketplace.orgs.models import Organisation

PASSWORD = "Lastenrad-im-Hof-7"


def create_args(email="greta@example.org", **changes) -> list[str]:
    options = {
        "--password": PASSWORD,
        "--name": "Greta Holz",
        "--organisation": "Wirtschaftsförderung Musterstadt",
        "--kind": "public_body",
        "--postcode": "10115",
    }
    options.update(changes)
    args = ["user", "create", email]
    for option, value in options.items():
        if value is not None:
            args += [option, value]
    return args


@pytest.fixture
def users(app_ctx):
    def _users() -> list[User]:
        db.session.expire_all()
        return list(db.session.execute(select(User).order_by(User.id)).scalars())

    return _users


def _organisations() -> int:
    return db.session.execute(select(func.count()).select_from(Organisation)).scalar_one()


def test_create_makes_the_organisation_and_a_coordinator(runner, users):
    result = runner.invoke(args=create_args("Greta@Example.org", **{"--role": "coordinator"}))
    assert result.exit_code == 0, result.output
    assert "new organisation" in result.output
    [user] = users()
    assert (user.email, user.role, user.name) == ("greta@example.org", "coordinator", "Greta Holz")
    assert verify_password(user.password_hash, PASSWORD)
    org = user.organisation
    assert (org.name, org.kind, org.postcode) == (
        "Wirtschaftsförderung Musterstadt",
        "public_body",
        "10115",
    )
    assert org.lat is not None


def test_create_adds_to_an_existing_organisation_of_that_name(runner, users, make):
    org = make.organisation(name="Wirtschaftsförderung Musterstadt")
    result = runner.invoke(
        args=create_args(**{"--organisation": "wirtschaftsförderung musterstadt"})
    )
    assert result.exit_code == 0, result.output
    assert "existing organisation" in result.output
    [user] = users()
    assert user.organisation_id == org.id and user.role == "member"
    assert _organisations() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"--postcode": "00000"}, "--postcode: We do not know this postcode"),
        ({"--password": "kurz"}, "--password: Use at least 10 characters"),
        ({"--password": "passwort123"}, "--password: This password is among the most common"),
        ({"--kind": "company"}, "--kind:"),
        ({"--role": "superuser"}, "--role: Choose one of: member, coordinator, admin"),
        ({"--name": " "}, "--name:"),
    ],
)
def test_create_refuses_bad_input_with_a_clear_message(runner, users, changes, message):
    result = runner.invoke(args=create_args(**changes))
    assert result.exit_code == 1
    assert message in result.output
    assert users() == []


def test_create_refuses_an_invalid_or_taken_address(runner, users, make):
    result = runner.invoke(args=create_args("not-an-address"))
    assert result.exit_code == 1 and "EMAIL: This is not a valid e-mail address." in result.output
    make.user(email="greta@example.org")
    result = runner.invoke(args=create_args("GRETA@example.org"))
    assert result.exit_code == 1 and "already exists" in result.output
    assert len(users()) == 1


def test_create_asks_for_the_password_when_not_given(runner, users):
    result = runner.invoke(
        args=create_args(**{"--password": None}), input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert verify_password(users()[0].password_hash, PASSWORD)


def test_set_role(runner, users, make):
    make.user(email="greta@example.org")
    result = runner.invoke(args=["user", "set-role", "Greta@Example.org", "admin"])
    assert result.exit_code == 0, result.output
    assert users()[0].role == "admin"


def test_set_role_refuses_unknown_people_and_roles(runner, users, make):
    result = runner.invoke(args=["user", "set-role", "niemand@example.org", "admin"])
    assert result.exit_code == 1 and "No account" in result.output
    make.user(email="greta@example.org")
    result = runner.invoke(args=["user", "set-role", "greta@example.org", "king"])
    assert result.exit_code == 1 and "Choose one of" in result.output
    assert users()[0].role == "member"
