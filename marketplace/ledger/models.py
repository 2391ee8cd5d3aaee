"""The region's own currency: its one definition, an account per organisation, transfers booked
as two entries that sum to zero, the log of limit changes, idempotency keys and payment requests.

Amounts are stored as integer cents (hundredths of a Taler or of an hour): the conditional UPDATEs
that keep balances within their limits then compare exact integers on SQLite and PostgreSQL
alike; services speak `Decimal` with two places."""

from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.clock import utcnow
from marketplace.extensions import db
from marketplace.ledger.amounts import from_cents

CURRENCY_KINDS = {"money": _l("money"), "hours": _l("hours")}
TRANSFER_KINDS = {
    "payment": _l("payment"),
    "exchange": _l("hand-over"),
    "booking_fee": _l("booking fee"),
    "deposit": _l("deposit"),
    "deposit_return": _l("deposit paid back"),
    "request": _l("payment request"),
    "reversal": _l("reversal"),
}
PAYMENT_REQUEST_STATUSES = {
    "open": _l("waiting"),
    "approved": _l("paid"),
    "declined": _l("declined"),
    "cancelled": _l("withdrawn"),
}
#: A deposit is a guarantee held for a while, not value exchanged: it adds nothing to the volume.
NO_VOLUME_KINDS = ("deposit", "deposit_return")
REASON_MAX = 300


class Currency(db.Model):
    """The one currency the operator set up; until it exists nothing of it shows."""

    __tablename__ = "currencies"
    __table_args__ = (
        CheckConstraint("default_min_cents <= 0", name="default_min_not_positive"),
        CheckConstraint("default_max_cents >= 0", name="default_max_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    symbol: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(8))
    default_min_cents: Mapped[int] = mapped_column(BigInteger)
    default_max_cents: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Account(db.Model):
    __tablename__ = "accounts"
    __table_args__ = (
        # The last line of defence: the services' conditional UPDATEs never get here.
        CheckConstraint(
            "balance_cents >= min_cents AND balance_cents <= max_cents", name="within_limits"
        ),
        CheckConstraint("min_cents <= max_cents", name="limits_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id"), unique=True, index=True
    )
    #: Kept equal to the sum of the account's entries, in the same transaction as they are written.
    balance_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    min_cents: Mapped[int] = mapped_column(BigInteger)
    max_cents: Mapped[int] = mapped_column(BigInteger)
    #: A frozen account neither pays nor receives until a coordinator thaws it.
    frozen: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set by every transfer, so that "active accounts" is read from this table alone.
    last_transfer_at: Mapped[datetime | None]

    organisation = relationship("Organisation", lazy="joined")


class Transfer(db.Model):
    """One booking from payer to payee; never edited or deleted (a reversal undoes it)."""

    __tablename__ = "transfers"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("payer_account_id <> payee_account_id", name="two_accounts"),
        # The coordinator's volume per month reads only this index (no table rows).
        Index("ix_transfers_month_volume", "month", "volume_cents"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payer_account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    payee_account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    #: +amount, or -amount for a reversal: what the transfer adds to the month's volume.
    volume_cents: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20), default="payment")
    reason: Mapped[str] = mapped_column(String(REASON_MAX), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Europe/Berlin month ("YYYY-MM") of created_at, for the monthly volume.
    month: Mapped[str] = mapped_column(String(7))
    exchange_id: Mapped[int | None] = mapped_column(ForeignKey("exchanges.id"), index=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), index=True)
    #: The transfer this one undoes; unique, so that nothing is reversed twice.
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id"), unique=True)

    payer = relationship("Account", foreign_keys=[payer_account_id], lazy="joined")
    payee = relationship("Account", foreign_keys=[payee_account_id], lazy="joined")

    @property
    def amount(self) -> Decimal:
        return from_cents(self.amount_cents)


class Entry(db.Model):
    """One side of a transfer: -amount on the payer's account, +amount on the payee's."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        # A statement reads an account's entries newest first.
        Index("ix_ledger_entries_account_id", "account_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("transfers.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    #: The account's balance right after this entry, for running balances on statements.
    balance_after_cents: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    transfer = relationship("Transfer", lazy="joined", innerjoin=True)


class LimitChange(db.Model):
    """What a coordinator changed on an account (limits or frozen), by whom and why."""

    __tablename__ = "account_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    old_min_cents: Mapped[int] = mapped_column(BigInteger)
    old_max_cents: Mapped[int] = mapped_column(BigInteger)
    new_min_cents: Mapped[int] = mapped_column(BigInteger)
    new_max_cents: Mapped[int] = mapped_column(BigInteger)
    old_frozen: Mapped[bool]
    new_frozen: Mapped[bool]
    reason: Mapped[str] = mapped_column(String(REASON_MAX))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    changed_by = relationship("User", lazy="joined")


class IdempotencyKey(db.Model):
    """A payer organisation's key of one transfer request, so that a retry pays once."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("organisation_id", "key", name="organisation_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    key: Mapped[str] = mapped_column(String(200))
    #: SHA-256 of the request's meaning (payee, amount, reason): another body is refused.
    request_hash: Mapped[str] = mapped_column(String(64))
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class PaymentRequest(db.Model):
    """An organisation asks another for an amount; the payer approves (a transfer) or declines."""

    __tablename__ = "payment_requests"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("payer_id <> payee_id", name="two_organisations"),
        Index("ix_payment_requests_payer_status", "payer_id", "status"),
        Index("ix_payment_requests_payee_status", "payee_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payee_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    payer_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(REASON_MAX))
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id"))

    payee = relationship("Organisation", foreign_keys=[payee_id], lazy="joined")
    payer = relationship("Organisation", foreign_keys=[payer_id], lazy="joined")

    @property
    def amount(self) -> Decimal:
        return from_cents(self.amount_cents)
