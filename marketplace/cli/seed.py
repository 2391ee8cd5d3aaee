"""`flask --app wsgi seed-demo [--if-empty]`: a believable demo region (Leipzig) to try Stoffwechsel.

The region is read from marketplace/data/demo_region.json. Everything random comes from one
random.Random(2026) (rows added later, `"batch": 2`, from a second one), and times are relative to
`now`, so two runs on the same day write the same data. Writes go through the ORM with flush();
the command commits once at the end.
"""

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from importlib import resources

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from marketplace.auth.models import User
from marketplace.auth.passwords import hash_password, password_problems
from marketplace.bookings.models import Booking
from marketplace.categories.models import Category
from marketplace.cli.seed_bookings import seed_bookings
from marketplace.cli.seed_directory import seed_directory
from marketplace.cli.seed_exchanges import days_ago, seed_exchanges
from marketplace.cli.seed_ledger import seed_ledger
from marketplace.cli.seed_photos import seed_listing_photos
from marketplace.core.clock import today, utcnow
from marketplace.core.geo import postcode_coordinates
from marketplace.directory.models import OrganisationFunction, OrganisationSite
from marketplace.exchanges.models import (
    Exchange,
)
from marketplace.extensions import db
from marketplace.ledger.models import Transfer
from marketplace.listings.models import Listing
from marketplace.orgs.models import Organisation

#: Shared by every demo account and printed by the command; documented in README.md.
DEMO_PASSWORD = "stoffwechsel-demo"  # noqa: S105 - public by design, demo data only
DEMO_EMAIL_DOMAIN = "demo.stoffwechsel.local"
SEED = 2026
#: How far back open listings were posted ("recent weeks").
RECENT_DAYS = 56


@dataclass
class DemoRegion:
    organisations: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    logins: list[User] = field(default_factory=list)
    offers: list[Listing] = field(default_factory=list)
    requests: list[Listing] = field(default_factory=list)
    functions: list[OrganisationFunction] = field(default_factory=list)
    sites: list[OrganisationSite] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    #: Lend and book offers (apart from `offers`, which follow demo_region.json) and bookings.
    shared_offers: list[Listing] = field(default_factory=list)
    bookings: list[Booking] = field(default_factory=list)
    #: A year of Leipziger Taler: hand-overs, loans and payments between organisations.
    transfers: list[Transfer] = field(default_factory=list)
    #: How many listings got a picture drawn at seed time.
    photos: int = 0


def load_demo_data() -> dict:
    text = resources.files("marketplace.data").joinpath("demo_region.json").read_text("utf-8")
    return json.loads(text, parse_float=Decimal)


def demo_email(local_part: str) -> str:
    return f"{local_part}@{DEMO_EMAIL_DOMAIN}"


def seed_demo_region(
    now: datetime | None = None, password_hash: str | None = None, data: dict | None = None
) -> DemoRegion:
    """Add the demo organisations, people, offers, requests, directory entries (functions and
    sites), exchanges, loans and bookings, and the local currency with a year of transfers to
    the session (flushed, not committed)."""
    now = now or utcnow()
    data = data or load_demo_data()
    rng = random.Random(SEED)
    password_hash = password_hash or hash_password(DEMO_PASSWORD)
    categories = _categories_by_slug()
    region = DemoRegion()
    # Batch 2 draws from a generator of its own, so rng runs through batch 1 as it always did.
    generators = (rng, random.Random(SEED + 1))
    for generator, rows in zip(generators, _batches(data["organisations"]), strict=True):
        region.organisations |= seed_organisations(generator, rows, now)
        region.users |= seed_users(generator, rows, region.organisations, password_hash)
    region.logins = seed_demo_logins(data["demo_logins"], region.organisations, password_hash)
    for generator, offers, requests in zip(
        generators, _batches(data["offers"]), _batches(data["requests"]), strict=True
    ):
        region.offers += seed_listings(generator, offers, "offer", region, categories, now)
        region.requests += seed_listings(generator, requests, "request", region, categories, now)
    seed_directory(region, data["organisations"], now)
    region.exchanges = seed_exchanges(rng, region, data, categories, now)
    seed_bookings(region, categories, now)
    region.photos = seed_listing_photos(
        region.offers + region.shared_offers + region.requests, SEED + 3
    )
    # Last, from a generator of its own: the currency leaves every row above as it was.
    region.transfers = seed_ledger(region, now)
    db.session.flush()
    return region


def _batches(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """The rows of the first demo region, and those added to it later (`"batch": 2`)."""
    return [r for r in rows if r.get("batch", 1) == 1], [r for r in rows if r.get("batch") == 2]


def _categories_by_slug() -> dict[str, Category]:
    categories = {c.slug: c for c in db.session.execute(select(Category)).scalars()}
    if not categories:
        raise click.ClickException(
            "The category taxonomy is missing; run `flask --app wsgi db upgrade` first."
        )
    return categories


def seed_organisations(rng: random.Random, rows: list[dict], now: datetime) -> dict:
    organisations = {}
    for row in rows:
        coordinates = postcode_coordinates(row["postcode"])
        if coordinates is None:
            raise click.ClickException(f"Unknown postcode {row['postcode']} in the demo data.")
        organisation = Organisation(
            name=row["name"],
            kind=row["kind"],
            postcode=row["postcode"],
            district=row["district"],
            lat=coordinates[0],
            lon=coordinates[1],
            description=row["description"],
            website=row.get("website"),
            created_at=days_ago(rng, now, 90, 365),
        )
        db.session.add(organisation)
        organisations[row["key"]] = organisation
    db.session.flush()
    return organisations


def seed_users(
    rng: random.Random, rows: list[dict], organisations: dict, password_hash: str
) -> dict:
    """One person per organisation, e.g. werkstatt@demo.stoffwechsel.local."""
    users = {}
    for row in rows:
        organisation = organisations[row["key"]]
        user = User(
            email=demo_email(row["email"]),
            name=row["contact"],
            password_hash=password_hash,
            role="member",
            locale="de",
            organisation=organisation,
            created_at=organisation.created_at + timedelta(minutes=rng.randint(1, 30)),
        )
        db.session.add(user)
        users[row["key"]] = user
    db.session.flush()
    return users


def seed_demo_logins(rows: list[dict], organisations: dict, password_hash: str) -> list[User]:
    """The documented logins: a member of a neighbourhood centre and a coordinator."""
    logins = []
    for row in rows:
        organisation = organisations[row["org"]]
        user = User(
            email=demo_email(row["email"]),
            name=row["name"],
            password_hash=password_hash,
            role=row["role"],
            locale="de",
            organisation=organisation,
            created_at=organisation.created_at + timedelta(hours=1),
        )
        db.session.add(user)
        logins.append(user)
    db.session.flush()
    return logins


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def seed_listings(
    rng: random.Random,
    rows: list[dict],
    kind: str,
    region: DemoRegion,
    categories: dict[str, Category],
    now: datetime,
) -> list[Listing]:
    """Offers or requests; a few expired or withdrawn ones show the value the region lost."""
    listings = []
    local_today = today()
    for row in rows:
        fate = row.get("fate", "open")
        if fate == "expired":
            created_at = days_ago(rng, now, 40, 75)
            until = min(
                created_at.date() + timedelta(days=rng.randint(14, 28)),
                local_today - timedelta(days=rng.randint(1, 10)),
            )
            ended_at = datetime.combine(until + timedelta(days=1), time(0, 5))
        elif fate == "withdrawn":
            created_at = days_ago(rng, now, 20, 60)
            until = created_at.date() + timedelta(days=rng.randint(28, 56))
            ended_at = created_at + timedelta(days=rng.randint(2, 12), hours=rng.randint(1, 8))
        else:
            short = row.get("days")
            created_at = days_ago(rng, now, 0, 2 if short else RECENT_DAYS)
            if row.get("open_ended"):
                until = None
            elif short:
                until = local_today + timedelta(days=rng.randint(1, short))
            else:
                until = local_today + timedelta(days=rng.randint(14, 60))
            ended_at = None
        listing = _new_listing(
            row, kind, region, categories[row["category"]], created_at, until, fate, ended_at
        )
        db.session.add(listing)
        listings.append(listing)
    db.session.flush()
    return listings


def _new_listing(
    row: dict,
    kind: str,
    region: DemoRegion,
    category: Category,
    created_at: datetime,
    until,
    status: str,
    ended_at: datetime | None,
) -> Listing:
    organisation = region.organisations[row["org"]]
    quantity = _decimal(row["quantity"])
    return Listing(
        kind=kind,
        title=row["title"],
        description=row["description"],
        category=category,
        quantity=quantity,
        quantity_remaining=quantity,
        unit=row["unit"],
        kg_per_unit=_decimal(row.get("kg_per_unit")),
        condition=row.get("condition") if kind == "offer" else None,
        price_eur=_decimal(row.get("price_eur", 0)),
        price_local=_decimal(row.get("price_local")),
        postcode=organisation.postcode,
        district=organisation.district,
        lat=organisation.lat,
        lon=organisation.lon,
        available_until=until,
        status=status,
        organisation=organisation,
        created_by_id=region.users[row["org"]].id,
        created_at=created_at,
        updated_at=ended_at or created_at,
        ended_at=ended_at,
    )


def _existing_demo_accounts() -> int:
    return db.session.execute(
        select(func.count(User.id)).where(User.email.like(f"%@{DEMO_EMAIL_DOMAIN}"))
    ).scalar_one()


@click.command("seed-demo")
@click.option(
    "--if-empty", is_flag=True, help="Do nothing when any organisation exists (used by `make run`)."
)
@with_appcontext
def seed_demo_command(if_empty: bool) -> None:
    """Load a demo region (Leipzig): organisations, people, offers, requests and exchanges."""
    if if_empty and db.session.execute(select(Organisation.id).limit(1)).first():
        click.echo("Organisations exist already; demo data not loaded.")
        return
    if _existing_demo_accounts():
        raise click.ClickException("The demo region is loaded already.")
    if password_problems(DEMO_PASSWORD):  # the documented password must be one users could choose
        raise click.ClickException("The demo password does not meet the password rules.")
    region = seed_demo_region()
    completed = [e for e in region.exchanges if e.status == "completed"]
    mass = sum((e.mass_kg or Decimal(0) for e in completed), Decimal(0))
    co2e = sum((e.co2e_avoided_kg or Decimal(0) for e in completed), Decimal(0))
    db.session.commit()
    click.echo(
        f"Demo region loaded: {len(region.organisations)} organisations "
        f"({len(region.functions)} functions, {len(region.sites)} further sites), "
        f"{len(region.users) + len(region.logins)} people, {len(region.offers)} offers, "
        f"{len(region.requests)} requests, {len(region.exchanges)} exchanges "
        f"({len(completed)} completed: {mass:,.0f} kg reused, {co2e:,.0f} kg CO2e avoided), "
        f"{len(region.shared_offers)} offers to borrow or book with {len(region.bookings)} bookings, "
        f"{len(region.transfers)} transfers of Leipziger Taler, "
        f"{region.photos} listing pictures."
    )
    click.echo(f"Password of every demo account: {DEMO_PASSWORD}")
    for user in region.logins:
        click.echo(f"  {user.role:<12} {user.email}  ({user.organisation.name})")
    click.echo(f"  and one account per organisation, e.g. {region.users['tischlerei'].email}")
