"""Writes of the conversation: messages between the two organisations, and read marks."""

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from marketplace.auth.models import User
from marketplace.core.clock import utcnow
from marketplace.core.errors import PermissionDenied, ValidationFailed
from marketplace.exchanges.models import Exchange, ExchangeMessage, ExchangeReadMark
from marketplace.exchanges.notifications import notify_other_side
from marketplace.exchanges.queries import role_of
from marketplace.exchanges.services import MAX_MESSAGE_LENGTH
from marketplace.exchanges.workflow import PROVIDER
from marketplace.extensions import db


def post_message(user: User, exchange: Exchange, body: str) -> ExchangeMessage:
    """A member of either organisation writes to the other one."""
    role = role_of(user, exchange)
    if role is None:
        raise PermissionDenied(_("Only the two organisations of this exchange can write here."))
    body = (body or "").strip()
    if not body:
        raise ValidationFailed({"body": [_("Write a message.")]})
    if len(body) > MAX_MESSAGE_LENGTH:
        raise ValidationFailed({"body": [_("At most %(n)d characters.", n=MAX_MESSAGE_LENGTH)]})
    side = "provider_seq" if role == PROVIDER else "receiver_seq"
    seq = db.session.execute(
        update(Exchange)
        .where(Exchange.id == exchange.id)
        .values(
            activity_seq=Exchange.activity_seq + 1,
            updated_at=utcnow(),
            **{side: Exchange.activity_seq + 1},
        )
        .returning(Exchange.activity_seq)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    message = ExchangeMessage(
        exchange_id=exchange.id,
        author_id=user.id,
        organisation_id=user.organisation_id,
        body=body,
        seq=seq,
        created_at=utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    db.session.expire(exchange)
    notify_other_side(exchange, user.organisation_id, "message", user, message=message)
    return message


def mark_exchange_read(user: User, exchange: Exchange) -> None:
    """Remember that the user has seen everything on the exchange up to now (an upsert, so two
    tabs opening the page at once do not collide)."""
    if role_of(user, exchange) is None:
        return
    seen = db.session.execute(
        select(Exchange.activity_seq).where(Exchange.id == exchange.id)
    ).scalar_one()
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    statement = insert(ExchangeReadMark).values(
        user_id=user.id, exchange_id=exchange.id, seen_seq=seen, read_at=utcnow()
    )
    statement = statement.on_conflict_do_update(
        index_elements=["user_id", "exchange_id"],
        set_={"seen_seq": statement.excluded.seen_seq, "read_at": statement.excluded.read_at},
    )
    db.session.execute(statement)
