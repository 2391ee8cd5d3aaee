"""Reads for organisations: membership-checked lookups, members and pending invitations."""

import logging

from flask_babel import gettext as _
from sqlalchemy import func, select

from marketplace.auth.models import User
from marketplace.auth.sessions import hash_secret
from marketplace.core.clock import utcnow
from marketplace.core.errors import NotFound
from marketplace.extensions import db
from marketplace.orgs.models import Invitation, Organisation

log = logging.getLogger("marketplace.orgs")


def is_member(organisation: Organisation, user: User | None) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.organisation_id == organisation.id
    )


def get_organisation_for_member(org_id: int, user: User | None) -> Organisation:
    """The organisation when the user belongs to it; NotFound for everyone else (no hint that it exists)."""
    organisation = db.session.get(Organisation, org_id)
    if organisation is None or not is_member(organisation, user):
        if organisation is not None:
            log.info("User %s denied access to organisation %s", getattr(user, "id", None), org_id)
        raise NotFound(_("This page does not exist (any more)."))
    return organisation


def find_organisation_by_name(name: str) -> Organisation | None:
    """The oldest organisation of that name, compared case-insensitively."""
    name = " ".join((name or "").split())
    return (
        db.session.execute(
            select(Organisation)
            .where(func.lower(Organisation.name) == name.lower())
            .order_by(Organisation.id)
            .limit(1)
        )
        .scalars()
        .first()
    )


def list_members(organisation: Organisation) -> list[User]:
    return list(
        db.session.execute(
            select(User)
            .where(User.organisation_id == organisation.id)
            .order_by(func.lower(User.name), User.id)
        ).scalars()
    )


def list_pending_invitations(organisation: Organisation) -> list[Invitation]:
    """Invitations not yet accepted and still valid, newest first."""
    return list(
        db.session.execute(
            select(Invitation)
            .where(
                Invitation.organisation_id == organisation.id,
                Invitation.accepted_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        ).scalars()
    )


def find_invitation(token: str | None) -> Invitation | None:
    """The invitation row for a clear token, used or not; None when there is no such token."""
    if not token or len(token) > 200:
        return None
    return db.session.execute(
        select(Invitation).where(Invitation.token_hash == hash_secret(token))
    ).scalar_one_or_none()
