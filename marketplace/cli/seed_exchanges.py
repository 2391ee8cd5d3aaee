"""The demo region's exchange history (cli/seed.py): a year of hand-overs month by month, live
proposals of the last days, offers that ended unclaimed, their messages and read marks, all
backdated so that the reports and the start page show a believable past."""

import random
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

import click
from sqlalchemy import select, update

from marketplace.auth.models import User
from marketplace.categories.models import Category
from marketplace.core.clock import today
from marketplace.core.mail import mail_held_back
from marketplace.exchanges import conversation
from marketplace.exchanges import services as exchange_services
from marketplace.exchanges.models import (
    Exchange,
    ExchangeEvent,
    ExchangeMessage,
    ExchangeReadMark,
)
from marketplace.extensions import db
from marketplace.listings.models import Listing

if TYPE_CHECKING:
    from marketplace.cli.seed import DemoRegion

#: Days of a month, for placing the exchange history month by month over the last year.
MONTH_DAYS = 30.4
#: Live exchanges (proposed, accepted, declined, cancelled) happened in the last days.
LIVE_DAYS = 10


def seed_exchanges(
    rng: random.Random,
    region: "DemoRegion",
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
    region: "DemoRegion",
    categories: dict[str, Category],
    now: datetime,
) -> list[tuple[Listing, dict]]:
    """Offers posted `months_ago`; open without an end date until their exchanges are made."""
    from marketplace.cli.seed import _new_listing  # seed.py imports this module

    past = []
    for row in rows:
        start = row["months_ago"] * MONTH_DAYS
        created_at = days_ago(rng, now, start + 2, start + 12)
        offer = _new_listing(
            row, "offer", region, categories[row["category"]], created_at, None, "open", None
        )
        db.session.add(offer)
        past.append((offer, row))
    db.session.flush()
    return past


def _person(region: "DemoRegion", org_key: str, login: str | None) -> User:
    """The organisation's contact, or one of the documented demo logins."""
    from marketplace.cli.seed import demo_email  # seed.py imports this module

    if login is None:
        return region.users[org_key]
    email = demo_email(login)
    user = next(u for u in region.logins if u.email == email)
    if user.organisation is not region.organisations[org_key]:
        raise click.ClickException(f"The demo login {email} is not in {org_key}.")
    return user


def _contact_of(region: "DemoRegion", organisation_id: int) -> User:
    return next(u for u in region.users.values() if u.organisation_id == organisation_id)


def _seed_exchange(
    rng: random.Random,
    spec: dict,
    region: "DemoRegion",
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
        proposed = days_ago(rng, now, (months_ago - 1) * MONTH_DAYS + 3, months_ago * MONTH_DAYS)
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


def _mark_history_read(exchanges: list[Exchange], region: "DemoRegion") -> None:
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


def days_ago(rng: random.Random, now: datetime, lo: float, hi: float) -> datetime:
    """A moment between lo and hi days before now, during working hours, to the minute."""
    moment = now - timedelta(days=rng.uniform(lo, hi))
    hour = rng.randint(7, 17)  # UTC: morning to early evening in Leipzig
    return min(now, moment.replace(hour=hour, minute=rng.randint(0, 59), second=0, microsecond=0))
