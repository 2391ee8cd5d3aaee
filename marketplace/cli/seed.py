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
from sqlalchemy import func, select, update

from marketplace.auth.models import User
from marketplace.auth.passwords import hash_password, password_problems
from marketplace.bookings.models import Booking
from marketplace.categories.models import Category
from marketplace.cli.seed_bookings import seed_bookings
from marketplace.cli.seed_directory import seed_directory
from marketplace.cli.seed_ledger import seed_ledger
from marketplace.cli.seed_photos import seed_listing_photos
from marketplace.core.clock import today, utcnow
from marketplace.core.geo import postcode_coordinates
from marketplace.core.mail import mail_held_back
from marketplace.directory.models import OrganisationFunction, OrganisationSite
from marketplace.exchanges import conversation
from marketplace.exchanges import services as exchange_services
from marketplace.exchanges.models import (
    Exchange,
    ExchangeEvent,
    ExchangeMessage,
    ExchangeReadMark,
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
#: Days of a month, for placing the exchange history month by month over the last year.
MONTH_DAYS = 30.4
#: Live exchanges (proposed, accepted, declined, cancelled) happened in the last days.
LIVE_DAYS = 10


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


def _days_ago(rng: random.Random, now: datetime, lo: float, hi: float) -> datetime:
    """A moment between lo and hi days before now, during working hours, to the minute."""
    moment = now - timedelta(days=rng.uniform(lo, hi))
    hour = rng.randint(7, 17)  # UTC: morning to early evening in Leipzig
    return min(now, moment.replace(hour=hour, minute=rng.randint(0, 59), second=0, microsecond=0))


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
            created_at=_days_ago(rng, now, 90, 365),
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
            created_at = _days_ago(rng, now, 40, 75)
            until = min(
                created_at.date() + timedelta(days=rng.randint(14, 28)),
                local_today - timedelta(days=rng.randint(1, 10)),
            )
            ended_at = datetime.combine(until + timedelta(days=1), time(0, 5))
        elif fate == "withdrawn":
            created_at = _days_ago(rng, now, 20, 60)
            until = created_at.date() + timedelta(days=rng.randint(28, 56))
            ended_at = created_at + timedelta(days=rng.randint(2, 12), hours=rng.randint(1, 8))
        else:
            short = row.get("days")
            created_at = _days_ago(rng, now, 0, 2 if short else RECENT_DAYS)
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


# --- exchanges -----------------------------------------------------------------------------


def seed_exchanges(
    rng: random.Random,
    region: DemoRegion,
    data: dict,
    categories: dict[str, Category],
    now: datetime,
) -> list[Exchange]:
    """Hand-overs of the last 12 months and a few live exchanges, made through the exchange
    services (so quantities, listing statuses, reuse records and the audit trail are exactly as
    in production) and then backdated. Offers of earlier months are added for the history.

    It runs last, so whatever it draws from rng leaves the organisations and listings above
    unchanged. Nobody is mailed: the notices the services queue for the commit are dropped.
    """
    past = seed_past_offers(rng, data.get("past_offers", []), region, categories, now)
    region.offers.extend(offer for offer, _row in past)
    offers = {offer.title: offer for offer in region.offers}
    requests = {request.title: request for request in region.requests}
    touched: dict[int, datetime] = {}  # listing id -> when an exchange last changed it
    exchanges = []
    with mail_held_back(db.session):
        for spec in data.get("exchanges", []):
            exchange = _seed_exchange(rng, spec, region, offers, requests, touched, now)
            exchanges.append(exchange)
        _end_past_offers(rng, past, touched, now)
        for listing_id, moment in touched.items():
            listing = db.session.get(Listing, listing_id)
            # Set last: Listing.updated_at follows any other change unless set in the same flush.
            listing.updated_at = listing.ended_at or max(listing.created_at, moment)
        _mark_history_read(exchanges, region)
        db.session.flush()
    return exchanges


def seed_past_offers(
    rng: random.Random,
    rows: list[dict],
    region: DemoRegion,
    categories: dict[str, Category],
    now: datetime,
) -> list[tuple[Listing, dict]]:
    """Offers posted `months_ago`; open without an end date until their exchanges are made."""
    past = []
    for row in rows:
        start = row["months_ago"] * MONTH_DAYS
        created_at = _days_ago(rng, now, start + 2, start + 12)
        offer = _new_listing(
            row, "offer", region, categories[row["category"]], created_at, None, "open", None
        )
        db.session.add(offer)
        past.append((offer, row))
    db.session.flush()
    return past


def _person(region: DemoRegion, org_key: str, login: str | None) -> User:
    """The organisation's contact, or one of the documented demo logins."""
    if login is None:
        return region.users[org_key]
    email = demo_email(login)
    user = next(u for u in region.logins if u.email == email)
    if user.organisation is not region.organisations[org_key]:
        raise click.ClickException(f"The demo login {email} is not in {org_key}.")
    return user


def _contact_of(region: DemoRegion, organisation_id: int) -> User:
    return next(u for u in region.users.values() if u.organisation_id == organisation_id)


def _seed_exchange(
    rng: random.Random,
    spec: dict,
    region: DemoRegion,
    offers: dict[str, Listing],
    requests: dict[str, Listing],
    touched: dict[int, datetime],
    now: datetime,
) -> Exchange:
    """One exchange taken as far as its status through the services, then backdated."""
    offer = offers[spec["offer"]]
    request = requests[spec["request"]] if spec.get("request") else None
    receiver = _person(region, spec["receiver"], spec.get("person"))
    provider = _contact_of(region, offer.organisation_id)
    status = spec.get("status", "completed")
    earliest = max(offer.created_at, request.created_at if request else offer.created_at)
    proposed, decided, talked, finished = _timeline(
        rng, earliest, now, spec.get("months_ago"), live=status != "completed"
    )
    exchange = exchange_services.propose_exchange(
        receiver, offer, spec["quantity"], request=request, message=spec.get("message", "")
    )
    stamps = {"propose": proposed}
    if status == "declined":
        exchange_services.decline_exchange(_acting(provider, exchange), exchange, spec.get("note"))
        stamps["decline"] = decided
    elif status != "proposed":
        exchange_services.accept_exchange(_acting(provider, exchange), exchange)
        stamps["accept"] = _touch(touched, offer, decided)
        for body in spec.get("thread", []):
            conversation.post_message(provider, exchange, body)
        closer = {"provider": provider, "receiver": receiver}.get(spec.get("by", ""))
        if status == "completed":
            exchange_services.complete_exchange(
                _acting(closer or rng.choice((provider, receiver)), exchange),
                exchange,
                quantity=spec.get("handed"),
                weighed_kg=spec.get("weighed_kg"),
                transport_mode=spec.get("transport"),
            )
            stamps["complete"] = _touch(touched, offer, finished)
            if request is not None:
                _touch(touched, request, finished)
        elif status == "cancelled":
            canceller = _acting(closer or receiver, exchange)
            exchange_services.cancel_exchange(canceller, exchange, spec.get("note"))
            stamps["cancel"] = _touch(touched, offer, finished)
    _backdate(exchange, stamps, talked)
    # The services changed the listings with UPDATEs; later proposals must see them as they are.
    db.session.expire(offer)
    if request is not None:
        db.session.expire(request)
    return exchange


def _acting(user: User, exchange: Exchange) -> User:
    """Whoever acts has the exchange's page open, which marks everything so far as read."""
    conversation.mark_exchange_read(user, exchange)
    return user


def _touch(touched: dict[int, datetime], listing: Listing, moment: datetime) -> datetime:
    touched[listing.id] = max(touched.get(listing.id, moment), moment)
    return moment


def _timeline(
    rng: random.Random, earliest: datetime, now: datetime, months_ago: int | None, live: bool
) -> tuple[datetime, datetime, datetime, datetime]:
    """When an exchange was proposed, decided on, talked about and finished: in the given month of
    the last year, or between its listings' creation and now (the last days for live ones)."""
    if months_ago:
        proposed = _days_ago(rng, now, (months_ago - 1) * MONTH_DAYS + 3, months_ago * MONTH_DAYS)
        proposed = _daytime(rng, max(proposed, earliest + timedelta(hours=rng.randint(2, 48))), now)
        decided = _daytime(rng, proposed + timedelta(hours=rng.uniform(2, 70)), now)
        finished = _daytime(rng, decided + timedelta(days=rng.uniform(1, 9)), now)
    else:
        start = max(earliest, now - timedelta(days=LIVE_DAYS)) if live else earliest
        proposed = _daytime(rng, start + (now - start) * rng.uniform(0.05, 0.4), now)
        decided = _daytime(rng, proposed + (now - proposed) * rng.uniform(0.1, 0.4), now)
        finished = _daytime(rng, decided + (now - decided) * rng.uniform(0.2, 0.8), now)
    talked = min(_daytime(rng, decided + (finished - decided) / 3, now), finished)
    return proposed, decided, talked, finished


def _daytime(rng: random.Random, moment: datetime, now: datetime) -> datetime:
    """The moment to the minute, moved to the next morning when it falls in the night (UTC),
    unless that lies after now."""
    if not 6 <= moment.hour < 19:
        day = moment.date() + timedelta(days=0 if moment.hour < 6 else 1)
        morning = datetime.combine(day, time(rng.randint(6, 9), rng.randint(0, 59)))
        if morning <= now:
            moment = morning
    return min(moment, now).replace(second=0, microsecond=0)


def _backdate(exchange: Exchange, stamps: dict[str, datetime], talked: datetime) -> None:
    """Move the exchange, its audit trail and its messages to the moments of its timeline."""
    for event in db.session.execute(
        select(ExchangeEvent).where(ExchangeEvent.exchange_id == exchange.id)
    ).scalars():
        event.created_at = stamps[event.action]
    latest = max(stamps.values())
    for message in db.session.execute(
        select(ExchangeMessage).where(ExchangeMessage.exchange_id == exchange.id)
    ).scalars():
        message.created_at = talked
        latest = max(latest, message.created_at)
    exchange.created_at = stamps["propose"]
    exchange.accepted_at = stamps.get("accept")
    exchange.declined_at = stamps.get("decline")
    exchange.cancelled_at = stamps.get("cancel")
    exchange.completed_at = stamps.get("complete")
    exchange.updated_at = latest
    db.session.execute(
        update(ExchangeReadMark)
        .where(ExchangeReadMark.exchange_id == exchange.id)
        .values(read_at=latest)
    )


def _end_past_offers(
    rng: random.Random,
    past: list[tuple[Listing, dict]],
    touched: dict[int, datetime],
    now: datetime,
) -> None:
    """Give the offers of earlier months their end: closed when everything was taken, else
    expired or withdrawn with the rest unclaimed (value the region lost)."""
    latest_until = today() - timedelta(days=1)
    for offer, row in past:
        last = touched.get(offer.id, offer.created_at)
        until = max(offer.created_at.date() + timedelta(days=rng.randint(21, 42)), last.date())
        fate = row["fate"]
        if fate == "closed":
            if offer.status != "closed":
                raise click.ClickException(f"The demo exchanges leave {offer.title!r} open.")
            offer.available_until = min(until, latest_until)
            continue
        if fate == "expired":
            offer.available_until = min(until, latest_until)
            ended_at = datetime.combine(offer.available_until + timedelta(days=1), time(0, 5))
        else:  # withdrawn before its date
            ended_at = _daytime(rng, min(now, last + timedelta(days=rng.uniform(2, 20))), now)
            offer.available_until = max(until, ended_at.date() + timedelta(days=rng.randint(3, 14)))
        offer.status = fate
        offer.ended_at = ended_at


def _mark_history_read(exchanges: list[Exchange], region: DemoRegion) -> None:
    """Completed exchanges were read by everyone of both sides; what happened in the last days
    (proposals, acceptances, a decline, a cancellation) stays news for the other side."""
    people = [*region.users.values(), *region.logins]
    for exchange in exchanges:
        if exchange.status != "completed":
            continue
        for user in people:
            if user.organisation_id in (exchange.provider_id, exchange.receiver_id):
                conversation.mark_exchange_read(user, exchange)
        db.session.execute(
            update(ExchangeReadMark)
            .where(ExchangeReadMark.exchange_id == exchange.id)
            .values(read_at=exchange.updated_at)
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
