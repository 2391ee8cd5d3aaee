"""Organisations: registration (a person and their organisation in one step), editing the
organisation, inviting colleagues and accepting invitations. Used alike by web, API and CLI.

Services flush only; the caller commits once; mail queued here leaves after that commit."""

import logging
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, update

from marketplace.auth.models import ROLES, User
from marketplace.auth.queries import get_user_by_email
from marketplace.auth.services import (
    LinkExpired,
    absolute_url,
    account_problems,
    build_user,
    clean_line,
    consent_problems,
    email_problems,
    record_consent,
    unique_email,
)
from marketplace.auth.sessions import hash_secret
from marketplace.auth.throttle import normalise_email
from marketplace.core.clock import utcnow
from marketplace.core.errors import NotFound, ValidationFailed
from marketplace.core.geo import postcode_coordinates
from marketplace.core.mail import queue_mail
from marketplace.extensions import db
from marketplace.orgs.models import ORGANISATION_KINDS, Invitation, Organisation
from marketplace.orgs.queries import find_invitation, find_organisation_by_name, is_member

log = logging.getLogger("marketplace.orgs")

ORGANISATION_NAME_MAX = 200
DISTRICT_MAX = 120
DESCRIPTION_MAX = 2000
WEBSITE_MAX = 300
PUBLIC_ADDRESS_MAX = 200


# --- validation -----------------------------------------------------------------------------------


def organisation_problems(
    name: str | None, kind: str | None, postcode: str | None, district: str | None
) -> tuple[dict[str, list[str]], tuple[float, float] | None]:
    """Problems with an organisation's main data by field (`name`, `kind`, `postcode`,
    `district`), and the postcode's coordinates when it exists."""
    problems: dict[str, list[str]] = {}
    name = clean_line(name)
    if not name:
        problems["name"] = [_("Please enter the name of the organisation.")]
    elif len(name) > ORGANISATION_NAME_MAX:
        problems["name"] = [_("Use at most %(n)d characters.", n=ORGANISATION_NAME_MAX)]
    if kind not in ORGANISATION_KINDS:
        problems["kind"] = [_("Please choose what kind of organisation it is.")]
    coordinates = None
    postcode = (postcode or "").strip()
    if not (len(postcode) == 5 and postcode.isascii() and postcode.isdigit()):
        problems["postcode"] = [_("Please enter a German postcode of five digits.")]
    else:
        coordinates = postcode_coordinates(postcode)
        if coordinates is None:
            problems["postcode"] = [_("We do not know this postcode. Please check it.")]
    if len(clean_line(district)) > DISTRICT_MAX:
        problems["district"] = [_("Use at most %(n)d characters.", n=DISTRICT_MAX)]
    return problems, coordinates


def _registration_problems(
    *, email, password, name, organisation_name, kind, postcode, district, locale
) -> tuple[dict[str, list[str]], tuple[float, float] | None]:
    problems = account_problems(email, password, name, locale)
    org_problems, coordinates = organisation_problems(organisation_name, kind, postcode, district)
    if "name" in org_problems:
        org_problems["organisation_name"] = org_problems.pop("name")
    problems.update(org_problems)
    return problems, coordinates


def _new_organisation(name, kind, postcode, district, coordinates) -> Organisation:
    lat, lon = coordinates
    organisation = Organisation(
        name=clean_line(name),
        kind=kind,
        postcode=postcode.strip(),
        district=clean_line(district) or None,
        lat=lat,
        lon=lon,
    )
    db.session.add(organisation)
    return organisation


# --- registration and accounts made on the command line -------------------------------------------


def registration_problems(
    *,
    email: str | None,
    password: str | None,
    name: str | None,
    organisation_name: str | None,
    kind: str | None,
    postcode: str | None,
    district: str | None = None,
    locale: str | None = "de",
    accepted_terms: bool,
) -> dict[str, list[str]]:
    """Everything wrong with a registration at once, by field: a taken e-mail address, a weak
    password and a missing organisation name together, so that one submit shows them all."""
    problems, _coordinates = _registration_problems(
        email=email,
        password=password,
        name=name,
        organisation_name=organisation_name,
        kind=kind,
        postcode=postcode,
        district=district,
        locale=locale,
    )
    if consent_problems(accepted_terms):
        problems["accept_terms"] = consent_problems(accepted_terms)
    if "email" not in problems and get_user_by_email(email) is not None:
        problems["email"] = [_("An account with this e-mail address already exists.")]
    return problems


def register_organisation(
    *,
    email: str | None,
    password: str | None,
    name: str | None,
    organisation_name: str | None,
    kind: str | None,
    postcode: str | None,
    district: str | None = None,
    locale: str | None = "de",
    accepted_terms: bool,
) -> User:
    """Register a person and their organisation in one step; the person becomes a `member` and
    their consent to the terms and privacy notice is stored with its version.

    Raises ValidationFailed with fields `email, password, name, organisation_name, kind,
    postcode, district, locale, accept_terms`, or EmailTaken (also when a concurrent request wins
    the race)."""
    problems, coordinates = _registration_problems(
        email=email,
        password=password,
        name=name,
        organisation_name=organisation_name,
        kind=kind,
        postcode=postcode,
        district=district,
        locale=locale,
    )
    if consent_problems(accepted_terms):
        problems["accept_terms"] = consent_problems(accepted_terms)
    if problems:
        raise ValidationFailed(problems)
    with unique_email(email):
        organisation = _new_organisation(organisation_name, kind, postcode, district, coordinates)
        user = build_user(organisation, email, password, name, locale, role="member")
        record_consent(user)
    log.info("Registered user %s with organisation %s", user.id, organisation.id)
    return user


def create_user(
    *,
    email: str | None,
    password: str | None,
    name: str | None,
    organisation_name: str | None,
    kind: str | None,
    postcode: str | None,
    role: str = "member",
    locale: str = "de",
    district: str | None = None,
) -> tuple[User, bool]:
    """For the CLI: an account in the organisation of that name, created when there is none yet.
    Returns the user and whether the organisation was created. Validation as for registration."""
    problems, coordinates = _registration_problems(
        email=email,
        password=password,
        name=name,
        organisation_name=organisation_name,
        kind=kind,
        postcode=postcode,
        district=district,
        locale=locale,
    )
    if role not in ROLES:
        problems["role"] = [_("Choose one of: %(roles)s.", roles=", ".join(ROLES))]
    if problems:
        raise ValidationFailed(problems)
    organisation = find_organisation_by_name(organisation_name)
    created = organisation is None
    with unique_email(email):
        if created:
            organisation = _new_organisation(
                organisation_name, kind, postcode, district, coordinates
            )
        user = build_user(organisation, email, password, name, locale, role=role)
    log.info("Created user %s (%s) in organisation %s", user.id, role, organisation.id)
    return user, created


# --- editing an organisation ----------------------------------------------------------------------


def _require_member(organisation: Organisation, actor: User) -> None:
    if not is_member(organisation, actor):
        raise NotFound(_("This page does not exist (any more)."))


def website_problems(website: str) -> list[str]:
    if not website:
        return []
    if len(website) > WEBSITE_MAX:
        return [_("Use at most %(n)d characters.", n=WEBSITE_MAX)]
    parts = urlsplit(website)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or " " in website:
        return [_("Please enter a web address starting with https:// or http://.")]
    return []


def update_organisation(
    organisation: Organisation,
    actor: User,
    *,
    name: str | None,
    kind: str | None,
    postcode: str | None,
    district: str | None,
    description: str | None,
    website: str | None,
    public_address: str | None = None,
) -> None:
    """Change an organisation's profile; only its own members may (others get NotFound). The
    public address is shown only because the organisation entered it here."""
    _require_member(organisation, actor)
    problems, coordinates = organisation_problems(name, kind, postcode, district)
    description = (description or "").strip().replace("\r\n", "\n")
    if len(description) > DESCRIPTION_MAX:
        problems["description"] = [_("Use at most %(n)d characters.", n=DESCRIPTION_MAX)]
    website = (website or "").strip()
    if found := website_problems(website):
        problems["website"] = found
    public_address = clean_line(public_address)
    if len(public_address) > PUBLIC_ADDRESS_MAX:
        problems["public_address"] = [_("Use at most %(n)d characters.", n=PUBLIC_ADDRESS_MAX)]
    if problems:
        raise ValidationFailed(problems)
    organisation.public_address = public_address or None
    organisation.name = clean_line(name)
    organisation.kind = kind
    organisation.postcode = postcode.strip()
    organisation.lat, organisation.lon = coordinates
    organisation.district = clean_line(district) or None
    organisation.description = description or None
    organisation.website = website or None
    db.session.flush()
    log.info("User %s updated organisation %s", actor.id, organisation.id)


# --- invitations ----------------------------------------------------------------------------------


def invite_member(
    organisation: Organisation, actor: User, email: str | None
) -> tuple[Invitation, str]:
    """Invite a colleague by e-mail (any member may; the mail leaves after the commit). Returns the
    invitation and its clear token, which only the mail carries. An earlier pending invitation of
    the same address to the same organisation is replaced."""
    _require_member(organisation, actor)
    if problems := email_problems(email):
        raise ValidationFailed({"email": problems})
    address = normalise_email(email)
    # The inviter gets the same answer whether or not the address has an account (no way to
    # find out who uses Stoffwechsel); the mail tells the invitee what to do in either case.
    has_account = get_user_by_email(address) is not None
    db.session.execute(
        delete(Invitation).where(
            Invitation.organisation_id == organisation.id,
            Invitation.email == address,
            Invitation.accepted_at.is_(None),
        )
    )
    token = secrets.token_urlsafe(32)
    lifetime = timedelta(days=int(current_app.config["INVITATION_LIFETIME_DAYS"]))
    now = utcnow()
    invitation = Invitation(
        organisation_id=organisation.id,
        email=address,
        token_hash=hash_secret(token),
        invited_by_id=actor.id,
        created_at=now,
        expires_at=now + lifetime,
    )
    db.session.add(invitation)
    db.session.flush()
    # The invitee has not chosen a language yet: the inviter's is the best guess.
    with force_locale(actor.locale):
        queue_mail(
            db.session,
            address,
            _("%(name)s invites you to Stoffwechsel", name=organisation.name),
            "email/invitation.txt",
            locale=actor.locale,
            inviter=actor,
            organisation=organisation,
            link=absolute_url("orgs.accept_invitation", token=token),
            login_link=absolute_url("auth.login"),
            has_account=has_account,
            days=lifetime.days,
        )
    log.info("User %s invited someone to organisation %s", actor.id, organisation.id)
    return invitation, token


def usable_invitation(token: str | None) -> Invitation:
    """The invitation while it can still be accepted; NotFound or LinkExpired otherwise."""
    invitation = find_invitation(token)
    if invitation is None:
        raise NotFound(
            _("This invitation link is not valid. Please check that you copied all of it.")
        )
    if invitation.accepted_at is not None:
        raise LinkExpired(
            _("This invitation has been used already. If that was you, please sign in.")
        )
    if invitation.expires_at <= utcnow():
        raise LinkExpired(
            _("This invitation has expired. Please ask your colleague to send you a new one.")
        )
    return invitation


def accept_invitation(
    token: str | None,
    name: str | None,
    password: str | None,
    locale: str | None,
    *,
    accepted_terms: bool,
) -> User:
    """Create the invited person's account (role member, in the inviting organisation, with the
    invited address, with their consent to the terms) and use the invitation up."""
    invitation = usable_invitation(token)
    problems = account_problems(invitation.email, password, name, locale)
    if consent_problems(accepted_terms):
        problems["accept_terms"] = consent_problems(accepted_terms)
    if problems:
        raise ValidationFailed(problems)
    with unique_email(invitation.email):
        claimed = db.session.execute(
            update(Invitation)
            .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None))
            .values(accepted_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:  # a concurrent request used the same link a moment ago
            raise LinkExpired(_("This invitation has been used already."))
        user = build_user(
            invitation.organisation, invitation.email, password, name, locale, role="member"
        )
        record_consent(user)
    log.info("User %s joined organisation %s by invitation", user.id, invitation.organisation_id)
    return user
