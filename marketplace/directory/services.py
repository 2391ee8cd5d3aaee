"""Writes of the directory: an organisation's profile (description, website, address), the
functions it claims, their verification by coordinators, its further sites and its logo.

The web pages and `PATCH /api/v1/organisations/{id}` call these same services. Rights are checked
here: members of the organisation and coordinators may edit a profile; only coordinators verify.
Services flush only; the caller commits."""

import logging
from collections.abc import Mapping, Sequence

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from marketplace.audit.services import record_action
from marketplace.auth.access import require_coordinator
from marketplace.auth.models import User
from marketplace.auth.services import clean_line
from marketplace.core.clock import utcnow
from marketplace.core.errors import NotFound, PermissionDenied, ValidationFailed
from marketplace.core.geo import postcode_coordinates
from marketplace.directory.functions import function_codes
from marketplace.directory.models import (
    NOTE_MAX,
    SITE_NAME_MAX,
    OrganisationFunction,
    OrganisationSite,
)
from marketplace.extensions import db
from marketplace.orgs.models import Organisation
from marketplace.orgs.queries import is_member
from marketplace.orgs.services import (
    DESCRIPTION_MAX,
    DISTRICT_MAX,
    PUBLIC_ADDRESS_MAX,
    website_problems,
)

log = logging.getLogger("marketplace.directory")

#: A community centre with two houses, a coworking space with several floors; not a chain.
SITES_MAX = 20
#: Fields of a profile change; anything else is refused (never organisation, members, ids).
PROFILE_FIELDS = frozenset({"description", "website", "public_address", "functions"})


def can_edit_profile(organisation: Organisation, actor: User | None) -> bool:
    return is_member(organisation, actor) or bool(actor and actor.is_coordinator)


def require_profile_editor(organisation: Organisation, actor: User | None) -> None:
    if not can_edit_profile(organisation, actor):
        raise PermissionDenied(_("Only members of this organisation can change its profile."))


def require_verifier(actor: User | None) -> None:
    require_coordinator(actor, _("Only coordinators can verify what an organisation does."))


# --- profile ----------------------------------------------------------------------------------


def update_profile(organisation: Organisation, actor: User, changes: Mapping) -> None:
    """Change what is given of description, website, public address and functions (the list
    replaces the claims; see set_functions). Raises PermissionDenied or ValidationFailed; nothing
    is changed unless everything is valid."""
    require_profile_editor(organisation, actor)
    unknown = sorted(set(changes) - PROFILE_FIELDS)
    if unknown:
        raise ValidationFailed(
            {name: [_("This field cannot be changed here.")] for name in unknown}
        )
    problems: dict[str, list[str]] = {}
    text = {}
    if "description" in changes:
        text["description"] = _text(changes, "description").strip().replace("\r\n", "\n")
        if len(text["description"]) > DESCRIPTION_MAX:
            problems["description"] = [_("Use at most %(n)d characters.", n=DESCRIPTION_MAX)]
    if "website" in changes:
        text["website"] = _text(changes, "website").strip()
        if found := website_problems(text["website"]):
            problems["website"] = found
    if "public_address" in changes:
        text["public_address"] = clean_line(_text(changes, "public_address"))
        if len(text["public_address"]) > PUBLIC_ADDRESS_MAX:
            problems["public_address"] = [_("Use at most %(n)d characters.", n=PUBLIC_ADDRESS_MAX)]
    claims = None
    if "functions" in changes:
        claims, found = _parse_claims(changes["functions"])
        problems.update(found)
    if problems:
        raise ValidationFailed(problems)
    if claims is not None:
        _check_verification_rights(organisation, actor, claims)
    for name, value in text.items():
        setattr(organisation, name, value or None)
    if claims is not None:
        _replace_claims(organisation, actor, claims)
    db.session.flush()
    log.info("User %s updated the profile of organisation %s", actor.id, organisation.id)


def _text(changes: Mapping, name: str) -> str:
    value = changes[name]
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationFailed({name: [_("Text expected.")]})
    return value


# --- functions --------------------------------------------------------------------------------


def set_functions(organisation: Organisation, actor: User, claims: Sequence[Mapping]) -> None:
    """Replace the functions an organisation claims: `[{code, note, verified?}]`. A claim whose
    note changes loses its verification (a coordinator confirmed the earlier wording); only
    coordinators may set `verified`, and members may send back the value it has."""
    update_profile(organisation, actor, {"functions": claims})


def _parse_claims(raw) -> tuple[list[dict], dict[str, list[str]]]:
    if not isinstance(raw, list | tuple):
        return [], {"functions": [_("A list of functions, each with a code and a note.")]}
    codes = function_codes()
    claims, problems, seen = [], [], set()
    for item in raw:
        if not isinstance(item, Mapping):
            problems.append(_("Each function needs a code and a note."))
            continue
        code = item.get("code")
        if not isinstance(code, str) or code.strip().upper() not in codes:
            problems.append(
                _(
                    "Unknown function %(code)s: use one of %(codes)s.",
                    code=str(code)[:10],
                    codes=", ".join(codes),
                )
            )
            continue
        code = code.strip().upper()
        if code in seen:
            problems.append(_("Function %(code)s is listed twice.", code=code))
            continue
        seen.add(code)
        note = item.get("note")
        if note is not None and not isinstance(note, str):
            problems.append(_("The note on function %(code)s must be text.", code=code))
            continue
        note = (note or "").strip().replace("\r\n", "\n")
        if len(note) > NOTE_MAX:
            problems.append(
                _("The note on function %(code)s: at most %(n)d characters.", code=code, n=NOTE_MAX)
            )
            continue
        verified = item.get("verified")
        if verified is not None and not isinstance(verified, bool):
            problems.append(_("verified is true or false."))
            continue
        claims.append({"code": code, "note": note, "verified": verified})
    return claims, ({"functions": problems} if problems else {})


def _current_claims(organisation: Organisation) -> dict[str, OrganisationFunction]:
    rows = db.session.scalars(
        select(OrganisationFunction).where(OrganisationFunction.organisation_id == organisation.id)
    )
    return {row.code: row for row in rows}


def _check_verification_rights(organisation, actor, claims) -> None:
    if actor.is_coordinator:
        return
    current = _current_claims(organisation)
    for claim in claims:
        if claim["verified"] is None:
            continue
        row = current.get(claim["code"])
        if claim["verified"] != bool(row is not None and row.verified):
            require_verifier(actor)


def _replace_claims(organisation, actor, claims) -> None:
    current = _current_claims(organisation)
    wanted = {claim["code"] for claim in claims}
    for code, row in current.items():
        if code not in wanted:
            db.session.delete(row)
    now = utcnow()
    for claim in claims:
        row = current.get(claim["code"])
        if row is None:
            row = OrganisationFunction(
                organisation_id=organisation.id, code=claim["code"], note=claim["note"]
            )
            db.session.add(row)
        elif row.note != claim["note"]:
            row.note = claim["note"]
            row.verified_at = row.verified_by_id = None
        if actor.is_coordinator and claim["verified"] is not None:
            _mark(row, actor if claim["verified"] else None, now, actor)


def _mark(row: OrganisationFunction, coordinator: User | None, now, actor: User) -> None:
    """Verify a claim (`coordinator`) or withdraw its verification (None), by `actor`."""
    if coordinator is None:
        if row.verified_at is not None:
            _audit(actor, "function.unverify", row)
        row.verified_at = row.verified_by_id = None
    elif row.verified_at is None:
        row.verified_at, row.verified_by_id = now, coordinator.id
        _audit(actor, "function.verify", row)


def _audit(actor: User, action: str, row: OrganisationFunction) -> None:
    record_action(
        actor,
        action,
        organisation_id=row.organisation_id,
        subject=f"organisation {row.organisation_id}, function {row.code}",
        details=row.note or "",
    )


def verify_function(
    organisation: Organisation, code: str, coordinator: User, verified: bool = True
) -> OrganisationFunction:
    """A coordinator confirms an organisation's claim to a function (or withdraws that)."""
    require_verifier(coordinator)
    row = _current_claims(organisation).get(code)
    if row is None:
        raise NotFound(_("This organisation does not claim that function."))
    _mark(row, coordinator if verified else None, utcnow(), coordinator)
    db.session.flush()
    log.info(
        "Coordinator %s %s function %s of organisation %s",
        coordinator.id,
        "verified" if verified else "unverified",
        code,
        organisation.id,
    )
    return row


# --- sites ------------------------------------------------------------------------------------


def add_site(
    organisation: Organisation,
    actor: User,
    *,
    name: str | None,
    postcode: str | None,
    district: str | None = None,
) -> OrganisationSite:
    """Add a further place (a second house, another floor) with its postcode's coordinates."""
    require_profile_editor(organisation, actor)
    problems: dict[str, list[str]] = {}
    name = clean_line(name)
    if not name:
        problems["name"] = [_("Please name the place, e.g. “Haus 2” or “3rd floor”.")]
    elif len(name) > SITE_NAME_MAX:
        problems["name"] = [_("Use at most %(n)d characters.", n=SITE_NAME_MAX)]
    postcode = (postcode or "").strip()
    coordinates = postcode_coordinates(postcode)
    if not (len(postcode) == 5 and postcode.isascii() and postcode.isdigit()):
        problems["postcode"] = [_("Please enter a German postcode of five digits.")]
    elif coordinates is None:
        problems["postcode"] = [_("We do not know this postcode. Please check it.")]
    district = clean_line(district)
    if len(district) > DISTRICT_MAX:
        problems["district"] = [_("Use at most %(n)d characters.", n=DISTRICT_MAX)]
    count = db.session.execute(
        select(func.count(OrganisationSite.id)).where(
            OrganisationSite.organisation_id == organisation.id
        )
    ).scalar_one()
    if count >= SITES_MAX:
        problems["name"] = [_("An organisation can list at most %(n)d places.", n=SITES_MAX)]
    if problems:
        raise ValidationFailed(problems)
    lat, lon = coordinates
    site = OrganisationSite(
        organisation_id=organisation.id,
        name=name,
        postcode=postcode,
        district=district or None,
        lat=lat,
        lon=lon,
    )
    db.session.add(site)
    db.session.flush()
    log.info("User %s added site %s to organisation %s", actor.id, site.id, organisation.id)
    return site


def remove_site(organisation: Organisation, actor: User, site_id: int) -> None:
    require_profile_editor(organisation, actor)
    removed = db.session.execute(
        delete(OrganisationSite).where(
            OrganisationSite.id == site_id, OrganisationSite.organisation_id == organisation.id
        )
    ).rowcount
    if not removed:
        raise NotFound(_("This place does not exist (any more)."))
    log.info("User %s removed site %s of organisation %s", actor.id, site_id, organisation.id)
