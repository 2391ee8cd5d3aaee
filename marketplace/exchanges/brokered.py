"""Brokered proposals: a coordinator sends pairs of the region-wide allocation as proposals.

Each pair becomes an ordinary proposal (services.propose_exchange on the requesting
organisation's behalf): the provider accepts or declines as usual, the receiver can cancel. Every
pair is checked again here against the database as it is now, since the allocation was computed
earlier and the form's values come from the browser; pairs that no longer hold are skipped and
counted, the others are proposed. Both organisations are told.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.audit.services import record_action
from marketplace.auth.access import require_coordinator
from marketplace.auth.models import User
from marketplace.core.errors import DomainError, ValidationFailed
from marketplace.exchanges import impact
from marketplace.exchanges.models import Exchange
from marketplace.exchanges.notifications import notify_other_side
from marketplace.exchanges.queries import is_open_for_proposals
from marketplace.exchanges.services import MAX_MESSAGE_LENGTH, propose_exchange
from marketplace.extensions import db
from marketplace.listings.liveness import effective_status
from marketplace.listings.mass import mass_of
from marketplace.listings.models import Listing

#: At most this many pairs per submission.
MAX_PAIRS = 500
#: Why a pair was skipped (machine words; the view shows counts).
REASONS = ("offer", "request", "organisation", "quantity", "units", "duplicate", "invalid")


@dataclass(frozen=True)
class BrokeredPair:
    offer_id: int
    request_id: int
    quantity: Decimal


@dataclass
class BrokeredOutcome:
    created: list[Exchange] = field(default_factory=list)
    skipped: list[tuple[BrokeredPair | str, str]] = field(default_factory=list)


def parse_pair(text: str) -> BrokeredPair | None:
    """ "offer_id:request_id:quantity" from a form's checkbox value, or None."""
    parts = (text or "").split(":")
    if len(parts) != 3 or len(text) > 60:
        return None
    try:
        offer_id, request_id, quantity = int(parts[0]), int(parts[1]), Decimal(parts[2])
    except (ValueError, InvalidOperation):
        return None
    if not (0 < offer_id < 2**62 and 0 < request_id < 2**62) or not quantity.is_finite():
        return None
    return BrokeredPair(offer_id, request_id, quantity)


def require_broker(user: User | None) -> None:
    require_coordinator(user, _("Only coordinators can send proposals for other organisations."))


def propose_brokered_exchanges(
    coordinator: User, pairs: list[BrokeredPair | tuple | str], message: str = ""
) -> BrokeredOutcome:
    """Propose each valid pair (offer_id, request_id, quantity) for the request's organisation;
    coordinators and admins only (PermissionDenied otherwise). Invalid pairs are skipped."""
    require_broker(coordinator)
    note = (message or "").strip()
    if len(note) > MAX_MESSAGE_LENGTH - 200:
        raise ValidationFailed(
            {"message": [_("At most %(n)d characters.", n=MAX_MESSAGE_LENGTH - 200)]}
        )
    if len(pairs) > MAX_PAIRS:
        raise ValidationFailed({"pair": [_("At most %(n)d pairs at once.", n=MAX_PAIRS)]})
    intro = _("The network office suggests this exchange from the region-wide allocation.")
    text = f"{intro}\n\n{note}" if note else intro

    outcome = BrokeredOutcome()
    valid: list[BrokeredPair] = []
    for raw in pairs:
        pair = _as_pair(raw)
        if pair is None:
            outcome.skipped.append((str(raw)[:60], "invalid"))
        else:
            valid.append(pair)
    ids = {p.offer_id for p in valid} | {p.request_id for p in valid}
    listings = {
        listing.id: listing
        for listing in db.session.execute(select(Listing).where(Listing.id.in_(ids)))
        .unique()
        .scalars()
    }
    live = _live_pairs({p.offer_id for p in valid})
    given: dict[int, Decimal] = defaultdict(Decimal)
    met: dict[int, Decimal] = defaultdict(Decimal)
    for pair in valid:
        offer, request = listings.get(pair.offer_id), listings.get(pair.request_id)
        reason, towards = _check(pair, offer, request, live, given, met)
        if reason is None:
            try:
                exchange = propose_exchange(
                    coordinator,
                    offer,
                    pair.quantity,
                    request=request,
                    message=text,
                    receiver_organisation_id=request.organisation_id,
                )
            except DomainError:
                reason = "invalid"
        if reason is not None:
            outcome.skipped.append((pair, reason))
            continue
        given[offer.id] += pair.quantity
        met[request.id] += towards
        live.add((offer.id, request.id))
        # propose_exchange told the provider; the receiver hears it from the network office.
        notify_other_side(exchange, exchange.provider_id, "brokered", coordinator)
        record_action(
            coordinator,
            "exchange.brokered",
            organisation_id=request.organisation_id,
            subject=f"exchange {exchange.id}",
            details=f"offer {offer.id} -> request {request.id}, quantity {pair.quantity}",
        )
        outcome.created.append(exchange)
    return outcome


def _as_pair(raw) -> BrokeredPair | None:
    if isinstance(raw, BrokeredPair):
        return raw
    if isinstance(raw, str):
        return parse_pair(raw)
    try:
        offer_id, request_id, quantity = raw
        return BrokeredPair(int(offer_id), int(request_id), Decimal(str(quantity)))
    except (TypeError, ValueError, InvalidOperation):
        return None


def _live_pairs(offer_ids: set[int]) -> set[tuple[int, int]]:
    """(offer, request) pairs that already have a proposed or accepted exchange."""
    if not offer_ids:
        return set()
    rows = db.session.execute(
        select(Exchange.offer_id, Exchange.request_id).where(
            Exchange.offer_id.in_(offer_ids),
            Exchange.request_id.is_not(None),
            Exchange.status.in_(("proposed", "accepted")),
        )
    )
    return {(o, r) for o, r in rows}


def _check(pair, offer, request, live, given, met) -> tuple[str | None, Decimal]:
    """(None, quantity towards the request) when the pair holds now, else (reason, 0)."""
    if offer is None or offer.kind != "offer" or not is_open_for_proposals(offer):
        return "offer", Decimal(0)
    if request is None or request.kind != "request" or effective_status(request) != "open":
        return "request", Decimal(0)
    if offer.organisation_id == request.organisation_id:
        return "organisation", Decimal(0)
    if (offer.id, request.id) in live:
        return "duplicate", Decimal(0)
    quantity = pair.quantity
    if quantity <= 0 or quantity.as_tuple().exponent < -3:
        return "quantity", Decimal(0)
    if quantity > offer.quantity_remaining - given[offer.id]:
        return "quantity", Decimal(0)
    mass = mass_of(offer, quantity)
    towards = impact.quantity_towards_request(request.unit, offer.unit, quantity, mass)
    if towards is None:
        return "units", Decimal(0)
    if towards > request.quantity_remaining - met[request.id]:
        return "quantity", Decimal(0)
    return None, towards
