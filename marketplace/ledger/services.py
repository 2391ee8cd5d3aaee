"""Writes of the ledger: set up the currency, open accounts, transfer, reverse, change limits.

A transfer changes two balances with conditional UPDATEs whose WHERE clause re-checks the limit
and the frozen flag, taken in account-id order inside a SAVEPOINT: under any number of workers a
balance never leaves its limits (PostgreSQL re-evaluates the WHERE on the row a concurrent
transfer committed; SQLite serialises writers with BEGIN IMMEDIATE), and when the second side is
refused the first is undone with the savepoint. The two entries and the transfer row are written
in the same transaction, so the sum of all balances stays 0 (security.md 16).

Services only flush; the caller commits once, and rolls back when a DomainError is raised.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask import g, has_app_context
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from marketplace.audit.services import record_action
from marketplace.auth.access import require_coordinator
from marketplace.auth.models import User
from marketplace.core.clock import local_month, utcnow
from marketplace.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from marketplace.extensions import db
from marketplace.ledger.amounts import BadAmount, from_cents, parse_amount, price_times, to_cents
from marketplace.ledger.models import (
    CURRENCY_KINDS,
    NO_VOLUME_KINDS,
    REASON_MAX,
    Account,
    Currency,
    Entry,
    IdempotencyKey,
    LimitChange,
    Transfer,
)
from marketplace.orgs.models import Organisation

KEY_MAX = 200


class InsufficientCredit(Conflict):
    code = "insufficient_credit"


class AccountFrozen(Conflict):
    code = "account_frozen"


# --- the currency ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CurrencyInfo:
    """The currency's definition, detached from the session: templates rendered after a commit
    (mail, search) read it without opening a transaction that would take the write lock."""

    code: str
    name: str
    symbol: str
    kind: str
    default_min_cents: int
    default_max_cents: int


def get_currency() -> CurrencyInfo | None:
    """The region's currency, or None before the operator set one up (read once per request)."""
    if has_app_context() and "local_currency" in g:
        return g.local_currency
    row = db.session.scalars(select(Currency).order_by(Currency.id).limit(1)).first()
    currency = None
    if row is not None:
        currency = CurrencyInfo(
            row.code,
            row.name,
            row.symbol,
            row.kind,
            row.default_min_cents,
            row.default_max_cents,
        )
    if has_app_context():
        g.local_currency = currency
    return currency


def require_currency() -> CurrencyInfo:
    currency = get_currency()
    if currency is None:
        raise NotFound(_("No local currency is set up in this region."))
    return currency


def setup_currency(
    code: str, name: str, symbol: str, kind: str, min_balance, max_balance
) -> Currency:
    """Create the currency or change its definition (accounts keep the limits they have)."""
    problems: dict[str, list[str]] = {}
    code, name, symbol = (code or "").strip().upper(), (name or "").strip(), (symbol or "").strip()
    if not code.isalnum() or not 2 <= len(code) <= 12:
        problems["code"] = [_("2 to 12 letters or digits.")]
    if not name or len(name) > 80:
        problems["name"] = [_("A name of at most 80 characters.")]
    if not symbol or len(symbol) > 8:
        problems["symbol"] = [_("A symbol of at most 8 characters.")]
    if kind not in CURRENCY_KINDS:
        problems["kind"] = [_("Choose money or hours.")]
    low = amount_from(min_balance, "min_balance", problems, positive=False)
    high = amount_from(max_balance, "max_balance", problems, positive=False)
    if low is not None and low > 0:
        problems["min_balance"] = [_("The minimum balance must be 0 or less.")]
    if high is not None and high < 0:
        problems["max_balance"] = [_("The maximum balance must be 0 or more.")]
    if problems:
        raise ValidationFailed(problems)
    currency = db.session.scalars(select(Currency).limit(1)).first() or Currency()
    currency.code, currency.name, currency.symbol, currency.kind = code, name, symbol, kind
    currency.default_min_cents, currency.default_max_cents = to_cents(low), to_cents(high)
    db.session.add(currency)
    db.session.flush()
    if has_app_context():
        g.pop("local_currency", None)
    return currency


# --- accounts -------------------------------------------------------------------------------


def account_of(organisation_id: int) -> Account:
    """The organisation's account, opened with the currency's default limits when it has none."""
    account = _find_account(organisation_id)
    if account is not None:
        return account
    currency = require_currency()
    try:
        with db.session.begin_nested():
            account = Account(
                organisation_id=organisation_id,
                balance_cents=0,
                min_cents=currency.default_min_cents,
                max_cents=currency.default_max_cents,
            )
            db.session.add(account)
    except IntegrityError:
        # Another worker opened it at the same moment (or the organisation does not exist).
        account = _find_account(organisation_id)
        if account is None:
            raise NotFound() from None
    return account


def _find_account(organisation_id: int) -> Account | None:
    return db.session.scalars(
        select(Account).where(Account.organisation_id == organisation_id)
    ).first()


# --- transfers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Payment:
    transfer: Transfer
    #: True when an Idempotency-Key answered an earlier transfer and nothing moved now.
    replayed: bool = False


def pay(
    user: User,
    payee_organisation_id,
    amount,
    reason: str | None,
    *,
    idempotency_key: str | None = None,
) -> Payment:
    """The user's organisation pays another one (web form and API)."""
    require_currency()
    problems: dict[str, list[str]] = {}
    value = amount_from(amount, "amount", problems)
    reason = _clean_reason(reason, problems)
    payee = organisation_from(payee_organisation_id, user, problems)
    key = _clean_key(idempotency_key, problems)
    if problems:
        raise ValidationFailed(problems)
    record = None
    if key is not None:
        digest = _request_hash(payee.id, value, reason)
        earlier = _claim_key(user.organisation_id, key, digest)
        if isinstance(earlier, Transfer):
            return Payment(earlier, replayed=True)
        record = earlier
    done = transfer(user.organisation_id, payee.id, value, reason, actor=user, kind="payment")
    if record is not None:
        record.transfer_id = done.id
        db.session.flush()
    return Payment(done)


def transfer(
    payer_organisation_id: int,
    payee_organisation_id: int,
    amount: Decimal,
    reason: str,
    *,
    actor: User | None,
    kind: str = "payment",
    exchange_id: int | None = None,
    booking_id: int | None = None,
    reverses: Transfer | None = None,
    at: datetime | None = None,
) -> Transfer:
    """Book `amount` from payer to payee under the limits; 409 when a balance would leave them.
    `at` back-dates the booking (demo data and imports only; default: now)."""
    if payer_organisation_id == payee_organisation_id:
        raise ValidationFailed({"payee_organisation_id": [_("Choose another organisation.")]})
    cents = to_cents(amount)
    if cents <= 0:
        raise ValidationFailed({"amount": [_("Enter an amount above 0.")]})
    payer, payee = account_of(payer_organisation_id), account_of(payee_organisation_id)
    now = at or utcnow()
    with db.session.begin_nested():
        balances = {}
        # Always lock the lower account id first, so that two opposite transfers cannot deadlock.
        for account, delta in sorted(((payer, -cents), (payee, cents)), key=lambda p: p[0].id):
            balances[account.id] = _move_balance(account, delta, now)
        row = Transfer(
            payer_account_id=payer.id,
            payee_account_id=payee.id,
            amount_cents=cents,
            volume_cents=0
            if kind in NO_VOLUME_KINDS
            else -cents
            if reverses is not None
            else cents,
            kind=kind,
            reason=reason,
            created_by_id=actor.id if actor is not None else None,
            created_at=now,
            month=local_month(now),
            exchange_id=exchange_id,
            booking_id=booking_id,
            reverses_id=reverses.id if reverses is not None else None,
        )
        db.session.add(row)
        try:
            db.session.flush()
        except IntegrityError:
            raise Conflict(_("This transfer has already been reversed."), code="reversed") from None
        db.session.add_all(
            [
                Entry(
                    transfer_id=row.id,
                    account_id=account.id,
                    amount_cents=delta,
                    balance_after_cents=balances[account.id],
                    created_at=now,
                )
                for account, delta in ((payer, -cents), (payee, cents))
            ]
        )
        db.session.flush()
    for account in (payer, payee):
        db.session.expire(account, ["balance_cents", "last_transfer_at"])
    return row


def pay_for_hand_over(
    actor: User,
    *,
    payer_organisation_id: int,
    payee_organisation_id: int,
    price: Decimal | None,
    quantity: Decimal,
    title: str,
    exchange_id: int | None = None,
    booking_id: int | None = None,
    kind: str = "exchange",
) -> Transfer | None:
    """The receiver pays price x quantity for what it was handed, linked to the exchange or
    booking; nothing when no currency is set up or the price is empty (409 when it cannot pay)."""
    if not price or get_currency() is None:
        return None
    amount = price_times(price, quantity)
    if amount <= 0:
        return None
    return transfer(
        payer_organisation_id,
        payee_organisation_id,
        amount,
        title[:REASON_MAX],
        actor=actor,
        kind=kind,
        exchange_id=exchange_id,
        booking_id=booking_id,
    )


def _move_balance(account: Account, delta: int, now) -> int:
    """Add delta to the balance if it stays within the limits and the account is not frozen."""
    new_balance = Account.balance_cents + delta
    within = new_balance >= Account.min_cents if delta < 0 else new_balance <= Account.max_cents
    balance = db.session.execute(
        update(Account)
        .where(Account.id == account.id, Account.frozen.is_(False), within)
        .values(balance_cents=new_balance, last_transfer_at=now)
        .returning(Account.balance_cents)
        .execution_options(synchronize_session=False)
    ).scalar()
    if balance is not None:
        return balance
    db.session.refresh(account)
    if account.frozen:
        raise AccountFrozen(_("The account of %(name)s is frozen.", name=account.organisation.name))
    if delta < 0:
        raise InsufficientCredit(
            _(
                "Not enough credit: the account of %(name)s may not fall below %(limit)s.",
                name=account.organisation.name,
                limit=from_cents(account.min_cents),
            )
        )
    raise InsufficientCredit(
        _(
            "The account of %(name)s may not rise above %(limit)s.",
            name=account.organisation.name,
            limit=from_cents(account.max_cents),
        )
    )


def may_reverse(user: User, original: Transfer) -> bool:
    """Coordinators, or the payee giving it back; a reversal itself is not reversed."""
    return original.reverses_id is None and (
        user.is_coordinator or user.organisation_id == original.payee.organisation_id
    )


def reverse_back(actor: User, original: Transfer, reason: str) -> Transfer:
    """Book a transfer back on behalf of a workflow (a cancelled booking's fee), whoever acts."""
    return transfer(
        original.payee.organisation_id,
        original.payer.organisation_id,
        from_cents(original.amount_cents),
        reason[:REASON_MAX],
        actor=actor,
        kind="reversal",
        exchange_id=original.exchange_id,
        booking_id=original.booking_id,
        reverses=original,
    )


def reverse_transfer(user: User, original: Transfer, reason: str | None) -> Transfer:
    """Undo a transfer by booking it back (coordinators, or the payee giving it back)."""
    payee_org = original.payee.organisation_id
    if not (user.is_coordinator or user.organisation_id == payee_org):
        raise PermissionDenied(_("Only the payee or a coordinator can reverse a transfer."))
    if original.reverses_id is not None:
        raise Conflict(_("A reversal cannot be reversed; make a new transfer."))
    problems: dict[str, list[str]] = {}
    reason = _clean_reason(reason, problems) or _("Reversal of transfer %(id)s", id=original.id)
    if problems:
        raise ValidationFailed(problems)
    already = db.session.scalar(select(Transfer.id).where(Transfer.reverses_id == original.id))
    if already is not None:
        raise Conflict(_("This transfer has already been reversed."), code="reversed")
    return transfer(
        payee_org,
        original.payer.organisation_id,
        from_cents(original.amount_cents),
        reason,
        actor=user,
        kind="reversal",
        exchange_id=original.exchange_id,
        booking_id=original.booking_id,
        reverses=original,
    )


# --- limits and freezing --------------------------------------------------------------------


def change_limits(user: User, organisation_id: int, min_balance, max_balance, reason) -> Account:
    """A coordinator sets one account's limits; they must hold its balance as it is now."""
    _require_account_keeper(user)
    problems: dict[str, list[str]] = {}
    low = amount_from(min_balance, "min_balance", problems, positive=False)
    high = amount_from(max_balance, "max_balance", problems, positive=False)
    reason = required_reason(reason, problems)
    if low is not None and high is not None and low > high:
        problems["max_balance"] = [_("The maximum must not be below the minimum.")]
    if problems:
        raise ValidationFailed(problems)
    account = account_of(organisation_id)
    old = (account.min_cents, account.max_cents, account.frozen)
    low_c, high_c = to_cents(low), to_cents(high)
    moved = db.session.execute(
        update(Account)
        .where(
            Account.id == account.id,
            Account.balance_cents >= low_c,
            Account.balance_cents <= high_c,
        )
        .values(min_cents=low_c, max_cents=high_c)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(account)
    if not moved:
        raise ValidationFailed(
            {
                "min_balance": [
                    _(
                        "The limits must include the current balance of %(balance)s.",
                        balance=from_cents(account.balance_cents),
                    )
                ]
            }
        )
    _log_change(user, account, old, reason)
    return account


def set_frozen(user: User, organisation_id: int, frozen: bool, reason) -> Account:
    """A coordinator freezes an account (no payments in or out) or thaws it."""
    _require_account_keeper(user)
    problems: dict[str, list[str]] = {}
    reason = required_reason(reason, problems)
    if problems:
        raise ValidationFailed(problems)
    account = account_of(organisation_id)
    old = (account.min_cents, account.max_cents, account.frozen)
    db.session.execute(
        update(Account)
        .where(Account.id == account.id)
        .values(frozen=bool(frozen))
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(account)
    _log_change(user, account, old, reason)
    return account


def _log_change(user: User, account: Account, old: tuple, reason: str) -> None:
    db.session.add(
        LimitChange(
            account_id=account.id,
            changed_by_id=user.id,
            old_min_cents=old[0],
            old_max_cents=old[1],
            old_frozen=old[2],
            new_min_cents=account.min_cents,
            new_max_cents=account.max_cents,
            new_frozen=account.frozen,
            reason=reason,
        )
    )
    if old[2] != account.frozen:
        action = "account.freeze" if account.frozen else "account.unfreeze"
    else:
        action = "account.limits"
    record_action(
        user,
        action,
        organisation_id=account.organisation_id,
        subject=f"account of organisation {account.organisation_id}",
        details=f"min {old[0]} -> {account.min_cents}, max {old[1]} -> {account.max_cents} "
        f"(cents); {reason}",
    )
    db.session.flush()


def _require_account_keeper(user: User | None) -> None:
    require_coordinator(user, _("Only coordinators can change accounts."))


# --- input ----------------------------------------------------------------------------------

_AMOUNT_PROBLEMS = {
    "number": lambda: _("Enter a number."),
    "places": lambda: _("At most 2 decimal places."),
    "range": lambda: _("That amount is too large."),
    "positive": lambda: _("Enter an amount above 0."),
}


def amount_from(value, field: str, problems: dict, *, positive: bool = True) -> Decimal | None:
    """The amount, or None with the problem recorded under `field`."""
    try:
        return parse_amount(value, positive=positive)
    except BadAmount as error:
        problems[field] = [_AMOUNT_PROBLEMS[error.reason]()]
        return None


def _clean_reason(reason, problems: dict) -> str:
    text = " ".join(str(reason or "").split())
    if len(text) > REASON_MAX:
        problems["reason"] = [_("At most %(n)s characters.", n=REASON_MAX)]
    return text


def required_reason(reason, problems: dict) -> str:
    text = _clean_reason(reason, problems)
    if not text and "reason" not in problems:
        problems["reason"] = [_("Say why (it is logged).")]
    return text


def organisation_from(value, user: User, problems: dict) -> Organisation | None:
    """Another organisation than the user's, from an id (recorded as payee_organisation_id)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        problems["payee_organisation_id"] = [_("Choose an organisation.")]
        return None
    try:
        organisation_id = int(value)
    except ValueError:
        problems["payee_organisation_id"] = [_("Choose an organisation.")]
        return None
    payee = db.session.get(Organisation, organisation_id) if 0 < organisation_id < 2**63 else None
    if payee is None:
        problems["payee_organisation_id"] = [_("No such organisation.")]
    elif payee.id == user.organisation_id:
        problems["payee_organisation_id"] = [_("Your organisation cannot pay itself.")]
        return None
    return payee


def _clean_key(key: str | None, problems: dict) -> str | None:
    if key is None or key == "":
        return None
    key = key.strip()
    if not 1 <= len(key) <= KEY_MAX or not key.isascii() or not key.isprintable():
        problems["Idempotency-Key"] = [_("At most %(n)s printable ASCII characters.", n=KEY_MAX)]
        return None
    return key


def _request_hash(payee_id: int, amount: Decimal, reason: str) -> str:
    return hashlib.sha256(f"{payee_id}\n{amount}\n{reason}".encode()).hexdigest()


def _claim_key(organisation_id: int, key: str, digest: str) -> Transfer | IdempotencyKey:
    """The transfer an earlier request with this key made, or this request's new key record.

    The key row is written before the transfer: a second request with the same key waits on the
    unique index until the first commits, then finds its transfer."""
    for _attempt in range(2):
        earlier = db.session.scalars(
            select(IdempotencyKey).where(
                IdempotencyKey.organisation_id == organisation_id, IdempotencyKey.key == key
            )
        ).first()
        if earlier is not None:
            if earlier.request_hash != digest:
                raise ValidationFailed(
                    {"Idempotency-Key": [_("This key was used for another payment.")]}
                )
            if earlier.transfer_id is None:
                raise Conflict(_("A payment with this key is still under way."))
            return db.session.get(Transfer, earlier.transfer_id)
        record = IdempotencyKey(organisation_id=organisation_id, key=key, request_hash=digest)
        try:
            with db.session.begin_nested():
                db.session.add(record)
            return record
        except IntegrityError:
            continue
    raise Conflict(_("A payment with this key is still under way."))
