"""Reads for the start page: each block a fixed, small number of queries, whatever the volume."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import and_, func, or_, select

from marketplace.auth.models import User
from marketplace.bookings.models import Booking
from marketplace.bookings.queries import next_step
from marketplace.core.clock import utcnow
from marketplace.exchanges.models import Exchange
from marketplace.exchanges.queries import count_unread_exchanges, unread_counts
from marketplace.extensions import db
from marketplace.ledger.queries import get_account_view
from marketplace.ledger.services import get_currency
from marketplace.listings.liveness import effective_status_is
from marketplace.listings.models import Listing
from marketplace.matching.models import MatchAlert
from marketplace.matching.queries import count_unseen_alerts, list_alerts

#: How many items each block lists (the block links to the full list).
BLOCK_ITEMS = 5
#: Offers whose end is at most this far away count as ending soon.
ENDING_SOON = timedelta(days=14)


@dataclass(frozen=True)
class Step:
    """An exchange or booking and the one step that moves it on, for this person."""

    item: Exchange | Booking
    action: str


@dataclass(frozen=True)
class OrganisationFigures:
    exchanges: int
    mass_kg: Decimal
    co2e_kg: Decimal
    #: (balance, currency) when the region runs a local currency.
    balance: tuple[Decimal, object] | None = None


@dataclass
class StartPage:
    exchange_steps: list[Step] = field(default_factory=list)
    exchange_steps_total: int = 0
    booking_steps: list[Step] = field(default_factory=list)
    unread: list[tuple[Exchange, int]] = field(default_factory=list)
    unread_total: int = 0
    alerts: list[MatchAlert] = field(default_factory=list)
    alerts_unseen: int = 0
    ending_soon: list[Listing] = field(default_factory=list)
    figures: OrganisationFigures | None = None

    @property
    def waiting_total(self) -> int:
        return self.exchange_steps_total + len(self.booking_steps)


def get_start_page(user: User) -> StartPage:
    """Everything the start page shows for `user` (about a dozen queries in all)."""
    org_id = user.organisation_id
    steps, steps_total = list_exchange_steps(org_id)
    unread, unread_total = list_unread_exchanges(user)
    return StartPage(
        exchange_steps=steps,
        exchange_steps_total=steps_total,
        booking_steps=list_booking_steps(user),
        unread=unread,
        unread_total=unread_total,
        alerts=list_alerts(org_id, limit=BLOCK_ITEMS),
        alerts_unseen=count_unseen_alerts(org_id),
        ending_soon=list_offers_ending_soon(org_id),
        figures=get_organisation_figures(org_id),
    )


def _exchange_waits_for(org_id: int):
    """Proposals the organisation answers, and accepted exchanges either side confirms."""
    return or_(
        and_(Exchange.provider_id == org_id, Exchange.status == "proposed"),
        and_(
            Exchange.status == "accepted",
            or_(Exchange.provider_id == org_id, Exchange.receiver_id == org_id),
        ),
    )


def list_exchange_steps(org_id: int) -> tuple[list[Step], int]:
    waits = _exchange_waits_for(org_id)
    total = db.session.scalar(select(func.count(Exchange.id)).where(waits)) or 0
    exchanges = db.session.scalars(
        select(Exchange)
        .where(waits)
        .order_by(Exchange.updated_at.desc(), Exchange.id.desc())
        .limit(BLOCK_ITEMS)
    ).all()
    steps = [Step(e, "accept" if e.status == "proposed" else "complete") for e in exchanges]
    return steps, int(total)


def list_booking_steps(user: User) -> list[Step]:
    """The provider's bookings that need a step: requests, check-outs, returns, extensions."""
    bookings = db.session.scalars(
        select(Booking)
        .where(
            Booking.provider_id == user.organisation_id,
            Booking.status.in_(("requested", "accepted", "active")),
        )
        .order_by(Booking.start_at, Booking.id)
        .limit(BLOCK_ITEMS * 4)
    ).all()
    steps = [Step(b, action) for b in bookings if (action := next_step(b, user))]
    return steps[:BLOCK_ITEMS]


def list_unread_exchanges(user: User) -> tuple[list[tuple[Exchange, int]], int]:
    """The exchanges with news from the other side, the latest first, and how many there are."""
    total = count_unread_exchanges(user)
    if not total:
        return [], 0
    org_id = user.organisation_id
    recent = db.session.scalars(
        select(Exchange)
        .where(or_(Exchange.provider_id == org_id, Exchange.receiver_id == org_id))
        .order_by(Exchange.updated_at.desc(), Exchange.id.desc())
        .limit(BLOCK_ITEMS * 4)
    ).all()
    counts = unread_counts(user, [e.id for e in recent])
    news = [(e, counts[e.id]) for e in recent if counts.get(e.id)]
    return news[:BLOCK_ITEMS], total


def list_offers_ending_soon(org_id: int) -> list[Listing]:
    now = utcnow()
    return list(
        db.session.scalars(
            select(Listing)
            .where(
                Listing.organisation_id == org_id,
                Listing.kind == "offer",
                effective_status_is("open"),
                Listing.available_until.is_not(None),
                Listing.available_until <= now + ENDING_SOON,
            )
            .order_by(Listing.available_until, Listing.id)
            .limit(BLOCK_ITEMS)
        )
    )


def get_organisation_figures(org_id: int) -> OrganisationFigures:
    """Completed hand-overs given or received, their kg and kg CO2e avoided (one aggregate)."""
    count, mass, co2e = db.session.execute(
        select(
            func.count(Exchange.id),
            func.coalesce(func.sum(Exchange.mass_kg), 0),
            func.coalesce(func.sum(Exchange.co2e_avoided_kg), 0),
        ).where(
            Exchange.status == "completed",
            or_(Exchange.provider_id == org_id, Exchange.receiver_id == org_id),
        )
    ).one()
    currency = get_currency()
    balance = None
    if currency is not None:
        balance = (get_account_view(org_id, currency).balance, currency)
    return OrganisationFigures(int(count), Decimal(mass), Decimal(co2e), balance)
