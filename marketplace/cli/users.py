"""`flask --app wsgi user ...`: accounts made by operators (the only way to make coordinators
and admins, besides an admin)."""

from functools import wraps

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_babel import gettext as _

from marketplace.auth.queries import get_user_by_email
from marketplace.auth.services import EmailTaken, set_role
from marketplace.core.errors import ValidationFailed
from marketplace.extensions import db
from marketplace.orgs.models import ORGANISATION_KINDS
from marketplace.orgs.services import create_user

user_cli = AppGroup("user", help="Create accounts and change roles.")

#: CLI option names for the service's field names, so messages point at what was typed.
_OPTIONS = {
    "email": "EMAIL",
    "password": "--password",
    "name": "--name",
    "organisation_name": "--organisation",
    "kind": "--kind",
    "postcode": "--postcode",
    "district": "--district",
    "locale": "--locale",
    "role": "--role",
}


def _in_default_language(command):
    """Messages from the services in the site's default language (there is no request to ask)."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            return command(*args, **kwargs)

    return wrapper


def _fail(problems: dict[str, list[str]]) -> None:
    lines = [
        f"{_OPTIONS.get(field, field)}: {message}"
        for field, ms in problems.items()
        for message in ms
    ]
    raise click.ClickException("\n".join(lines))


@user_cli.command("create")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", required=True, help="The person's name.")
@click.option("--organisation", "organisation_name", required=True, help="Created when missing.")
@click.option("--kind", required=True, help="One of: " + ", ".join(ORGANISATION_KINDS) + ".")
@click.option("--postcode", required=True, help="Five-digit German postcode.")
@click.option("--district", default=None)
@click.option("--role", default="member", show_default=True, help="member, coordinator or admin.")
@click.option("--locale", default="de", show_default=True, help="de or en.")
@_in_default_language
def create(email, password, name, organisation_name, kind, postcode, district, role, locale):
    """Create an account in an organisation (creating the organisation when none has that name)."""
    try:
        user, created = create_user(
            email=email,
            password=password,
            name=name,
            organisation_name=organisation_name,
            kind=kind,
            postcode=postcode,
            district=district,
            role=role,
            locale=locale,
        )
    except ValidationFailed as error:
        db.session.rollback()
        _fail(error.fields)
    except EmailTaken as error:
        db.session.rollback()
        _fail({"email": [error.message]})
    db.session.commit()
    values = {
        "role": user.role,
        "email": user.email,
        "id": user.id,
        "org": user.organisation.name,
        "org_id": user.organisation_id,
    }
    if created:
        message = _(
            "Created %(role)s %(email)s (id %(id)d) in the new organisation «%(org)s» (id %(org_id)d).",
            **values,
        )
    else:
        message = _(
            "Created %(role)s %(email)s (id %(id)d) in the existing organisation «%(org)s» (id %(org_id)d).",
            **values,
        )
    click.echo(message)


@user_cli.command("set-role")
@click.argument("email")
@click.argument("role")
@_in_default_language
def set_role_command(email, role):
    """Give an existing account the ROLE member, coordinator or admin."""
    user = get_user_by_email(email)
    if user is None:
        raise click.ClickException(_("No account with the e-mail address %(email)s.", email=email))
    try:
        set_role(user, role)
    except ValidationFailed as error:
        db.session.rollback()
        _fail(error.fields)
    db.session.commit()
    click.echo(_("%(email)s is now %(role)s.", email=user.email, role=user.role))
