"""The demo region's directory: the functions (A-H) each organisation claims and its further sites,
entered by the organisation's own contact through the directory services, partly confirmed by
the demo coordinator, then backdated.

No random generator: the times follow from when the organisation and the coordinator joined, so
the functions and sites leave whatever the seed draws for listings and exchanges unchanged.
"""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import click
from sqlalchemy import select

from marketplace.auth.models import User
from marketplace.core.errors import DomainError
from marketplace.directory import services as directory
from marketplace.directory.models import OrganisationFunction
from marketplace.extensions import db
from marketplace.orgs.models import Organisation

if TYPE_CHECKING:
    from marketplace.cli.seed import DemoRegion

#: An organisation fills in its profile a few days after joining; a coordinator looks at it about
#: a week later.
PROFILE_AFTER = timedelta(days=3)
VERIFIED_AFTER = timedelta(days=8)


def seed_directory(region: "DemoRegion", rows: list[dict], now: datetime) -> None:
    """Claims and sites of every demo organisation (`functions`, `sites` in demo_region.json),
    added to region.functions and region.sites."""
    coordinator = next(user for user in region.logins if user.is_coordinator)
    for row in rows:
        organisation = region.organisations[row["key"]]
        contact = region.users[row["key"]]
        try:
            claims = _claim_functions(organisation, contact, coordinator, row["functions"])
            sites = [
                directory.add_site(organisation, contact, **site) for site in row.get("sites", [])
            ]
        except DomainError as error:
            raise click.ClickException(f"Demo organisation {row['key']}: {error}") from error
        profiled = min(organisation.created_at + PROFILE_AFTER, now)
        verified = min(max(profiled, coordinator.created_at) + VERIFIED_AFTER, now)
        for claim in claims:
            # All three in the same flush, so updated_at does not follow the clock.
            claim.created_at = claim.updated_at = profiled
            if claim.verified_at is not None:
                claim.verified_at = verified
        for site in sites:
            site.created_at = profiled
        region.functions.extend(claims)
        region.sites.extend(sites)
    db.session.flush()


def _claim_functions(
    organisation: Organisation, contact: User, coordinator: User, rows: list[dict]
) -> list[OrganisationFunction]:
    """The claims as the organisation's contact enters them; the coordinator confirms those
    marked `verified` (members cannot verify their own)."""
    directory.set_functions(
        organisation, contact, [{"code": row["code"], "note": row["note"]} for row in rows]
    )
    for row in rows:
        if row.get("verified"):
            directory.verify_function(organisation, row["code"], coordinator)
    return list(
        db.session.scalars(
            select(OrganisationFunction)
            .where(OrganisationFunction.organisation_id == organisation.id)
            .order_by(OrganisationFunction.id)
        )
    )
