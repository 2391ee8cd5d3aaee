"""Audit entries: added in the transaction of the action they record, never changed."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.append_only import append_only
from marketplace.core.clock import utcnow
from marketplace.extensions import db

#: action -> what it records (the services that call record_action name one of these).
ACTIONS = (
    "function.verify",
    "function.unverify",
    "listing.hide",
    "listing.restore",
    "listing.uphold",
    "reports.dismiss",
    "account.limits",
    "account.freeze",
    "account.unfreeze",
    "exchange.brokered",
)


@append_only
class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_action_created", "action", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: Kept when the account goes (its name and role stay in the entry).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(200))
    actor_role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    #: The organisation the action concerns, if any (kept as a number: it may be deleted).
    organisation_id: Mapped[int | None] = mapped_column(index=True)
    #: What was acted on, e.g. "listing 12", "organisation 4, function C".
    subject: Mapped[str] = mapped_column(String(200), default="")
    details: Mapped[str] = mapped_column(Text, default="")
