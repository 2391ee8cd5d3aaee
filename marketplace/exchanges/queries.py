"""Reads: exchanges the caller may see, inbox lists, unread counts, threads and audit trails."""

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from marketplace.auth.models import User
from marketplace.core.errors import NotFound, ValidationFailed
from marketplace.core.pagination import Page, PageRequest
from marketplace.exchanges.models import Exchange, ExchangeEvent, ExchangeMessage, ExchangeReadMark
from marketplace.exchanges.workflow import PROVIDER, RECEIVER
from marketplace.extensions import db
from marketplace.listings.liveness import effective_status
from marketplace.listings.models import OWNER_ONLY_STATUSES, Listing


def role_of(user: User | None, exchange: Exchange) -> str | None:
    """'provider' or 'receiver' when the user belongs to one of the two organisations."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if user.organisation_id == exchange.provider_id:
        return PROVIDER
    if user.organisation_id == exchange.receiver_id:
        return RECEIVER
    return None


def can_view(user: User | None, exchange: Exchange) -> bool:
    return role_of(user, exchange) is not None or bool(user and user.is_coordinator)


def get_exchange_for_user(exchange_id: int, user: User | None) -> Exchange:
    """The exchange when the user is a party or a coordinator/admin; NotFound otherwise."""
    exchange = db.session.get(Exchange, exchange_id)
    if exchange is None or not can_view(user, exchange):
        raise NotFound()
    return exchange


def _org_filter(org_id: int, role: str | None):
    if role == PROVIDER:
        return Exchange.provider_id == org_id
    if role == RECEIVER:
        return Exchange.receiver_id == org_id
    return or_(Exchange.provider_id == org_id, Exchange.receiver_id == org_id)


def list_exchanges_of_organisation(
    org_id: int, page: PageRequest, status: str | None = None, role: str | None = None
) -> Page:
    """An organisation's exchanges as provider and/or receiver, newest first."""
    condition = _org_filter(org_id, role)
    if status:
        condition = and_(condition, Exchange.status == status)
    total = db.session.execute(select(func.count(Exchange.id)).where(condition)).scalar_one()
    items = list(
        db.session.execute(
            select(Exchange)
            .where(condition)
            .order_by(Exchange.created_at.desc(), Exchange.id.desc())
            .offset(page.offset)
            .limit(page.per_page)
        )
        .unique()
        .scalars()
    )
    return Page(items=items, total=int(total), page=page.page, per_page=page.per_page)


def _unread_condition(user: User, mark):
    """The other side acted after the user's last visit (one's own activity is never unread)."""
    seen = func.coalesce(mark.seen_seq, 0)
    return or_(
        and_(Exchange.provider_id == user.organisation_id, Exchange.receiver_seq > seen),
        and_(Exchange.receiver_id == user.organisation_id, Exchange.provider_seq > seen),
    )


#: Built once: a fresh aliased() per call cost more than the query itself (the header's badge
#: is counted on every signed-in page).
_READ_MARK = aliased(ExchangeReadMark)


def unread_exchanges_count_select(user: User):
    mark = _READ_MARK
    return (
        select(func.count(Exchange.id))
        .select_from(Exchange)
        .outerjoin(mark, and_(mark.exchange_id == Exchange.id, mark.user_id == user.id))
        .where(_unread_condition(user, mark))
    )


def count_unread_exchanges(user: User) -> int:
    """How many of the user's organisation's exchanges have news for this user (one query)."""
    return int(db.session.execute(unread_exchanges_count_select(user)).scalar_one())


def unread_counts(user: User, exchange_ids: list[int]) -> dict[int, int]:
    """Unread messages and transitions by the other organisation, per exchange."""
    if not exchange_ids:
        return {}
    seen = (
        select(ExchangeReadMark.exchange_id, ExchangeReadMark.seen_seq)
        .where(ExchangeReadMark.user_id == user.id, ExchangeReadMark.exchange_id.in_(exchange_ids))
        .subquery()
    )
    counts: dict[int, int] = dict.fromkeys(exchange_ids, 0)
    for model, org_column in (
        (ExchangeMessage, ExchangeMessage.organisation_id),
        (ExchangeEvent, ExchangeEvent.actor_organisation_id),
    ):
        rows = db.session.execute(
            select(model.exchange_id, func.count(model.id))
            .outerjoin(seen, seen.c.exchange_id == model.exchange_id)
            .where(
                model.exchange_id.in_(exchange_ids),
                org_column != user.organisation_id,
                model.seq > func.coalesce(seen.c.seen_seq, 0),
            )
            .group_by(model.exchange_id)
        ).all()
        for exchange_id, count in rows:
            counts[exchange_id] += int(count)
    return counts


def list_messages(exchange: Exchange) -> list[ExchangeMessage]:
    return list(
        db.session.execute(
            select(ExchangeMessage)
            .where(ExchangeMessage.exchange_id == exchange.id)
            .order_by(ExchangeMessage.seq, ExchangeMessage.id)
        ).scalars()
    )


def list_events(exchange: Exchange) -> list[ExchangeEvent]:
    return list(
        db.session.execute(
            select(ExchangeEvent)
            .where(ExchangeEvent.exchange_id == exchange.id)
            .order_by(ExchangeEvent.seq, ExchangeEvent.id)
        ).scalars()
    )


def get_offer_for_proposal(listing_id: int, user: User) -> Listing:
    """An offer a user may look at (withdrawn ones only by their own organisation)."""
    listing = db.session.get(Listing, listing_id)
    if listing is None or listing.kind != "offer":
        raise NotFound()
    if listing.status in OWNER_ONLY_STATUSES and listing.organisation_id != user.organisation_id:
        raise NotFound()
    return listing


def is_open_for_proposals(offer: Listing) -> bool:
    """An open offer that is given away (lent and booked offers are booked, not claimed)."""
    return offer.kind == "offer" and offer.mode == "give" and effective_status(offer) == "open"


def list_open_requests_of_organisation(org_id: int) -> list[Listing]:
    """The organisation's open requests, which a proposal may answer."""
    return list(
        db.session.execute(
            select(Listing)
            .where(
                Listing.organisation_id == org_id,
                Listing.kind == "request",
                Listing.status == "open",
            )
            .order_by(Listing.created_at.desc(), Listing.id.desc())
        )
        .unique()
        .scalars()
    )


def count_outstanding_on_offer(offer_id: int) -> int:
    """Accepted exchanges not yet completed or cancelled on an offer."""
    return int(
        db.session.execute(
            select(func.count(Exchange.id)).where(
                Exchange.offer_id == offer_id, Exchange.status == "accepted"
            )
        ).scalar_one()
    )


def list_exchanges_of_offer(offer_id: int, org_id: int) -> list[Exchange]:
    """The exchanges of an offer that an organisation takes part in (for the listing page)."""
    return list(
        db.session.execute(
            select(Exchange)
            .where(Exchange.offer_id == offer_id, _org_filter(org_id, None))
            .order_by(Exchange.created_at.desc())
        )
        .unique()
        .scalars()
    )


def get_offer_by_id(offer_id: int, user: User) -> Listing:
    """The offer a proposal names; ValidationFailed (422) for unknown ids and hidden listings."""
    offer = db.session.get(Listing, offer_id)
    if offer is None or (
        offer.status in OWNER_ONLY_STATUSES and offer.organisation_id != user.organisation_id
    ):
        raise ValidationFailed({"offer_id": [_("No such offer.")]})
    return offer


def get_request_for_proposal(request_id: int | None, user: User) -> Listing | None:
    """The request a proposal answers, or None; ValidationFailed when it is not the user's."""
    if request_id is None:
        return None
    request = db.session.get(Listing, request_id)
    if request is None or request.organisation_id != user.organisation_id:
        raise ValidationFailed(
            {"request_id": [_("Choose one of your organisation's open requests.")]}
        )
    return request


def get_receipt_exchange(exchange_id: int, user: User) -> Exchange:
    """A completed free hand-over for one of its two parties; NotFound otherwise."""
    exchange = db.session.get(Exchange, exchange_id)
    if (
        exchange is None
        or role_of(user, exchange) is None
        or exchange.status != "completed"
        or not exchange.is_free
    ):
        raise NotFound()
    return exchange


def list_messages_for(user: User, exchange: Exchange) -> list[ExchangeMessage] | None:
    """The thread, only for the two organisations (coordinators see the exchange, not its talk)."""
    return list_messages(exchange) if role_of(user, exchange) is not None else None
