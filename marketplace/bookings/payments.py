"""Bookings paid in the region's own currency (ledger), in the same transaction as the step that
pays: the fee on acceptance (paid back if the booking is cancelled), the deposit on check-out
(paid back on return), the extra fee of a longer booking when the provider accepts it. A payment
the borrower cannot make (or the provider cannot pay back) refuses the step: 409
insufficient_credit, and nothing of it happens."""

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.auth.models import User
from marketplace.bookings.models import Booking
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.ledger.models import Transfer


def _pay(user: User, booking: Booking, amount: Decimal, kind: str, *, back: bool = False):
    if not amount or ledger.get_currency() is None:
        return None
    payer, payee = booking.borrower_id, booking.provider_id
    if back:
        payer, payee = payee, payer
    try:
        return ledger.pay_for_hand_over(
            user,
            payer_organisation_id=payer,
            payee_organisation_id=payee,
            price=amount,
            quantity=Decimal(1),
            title=booking.listing.title,
            booking_id=booking.id,
            kind=kind,
        )
    except (ledger.InsufficientCredit, ledger.AccountFrozen) as refused:
        raise type(refused)(_("Not done: %(why)s", why=refused.message)) from None


def pay_fee(user: User, booking: Booking) -> None:
    _pay(user, booking, booking.fee_local, "booking_fee")


def pay_extra_fee(user: User, booking: Booking, new_fee: Decimal) -> None:
    extra = (new_fee or Decimal(0)) - (booking.fee_local or Decimal(0))
    if extra > 0:
        _pay(user, booking, extra, "booking_fee")


def refund_fees(user: User, booking: Booking) -> None:
    """A cancelled booking gets its fees back (each as a reversal naming the payment)."""
    if ledger.get_currency() is None:
        return
    paid = db.session.scalars(
        select(Transfer).where(
            Transfer.booking_id == booking.id,
            Transfer.kind == "booking_fee",
            Transfer.reverses_id.is_(None),
        )
    ).all()
    for row in paid:
        if db.session.scalar(select(Transfer.id).where(Transfer.reverses_id == row.id)) is None:
            try:
                ledger.reverse_back(user, row, _("Booking %(id)d cancelled", id=booking.id))
            except (ledger.InsufficientCredit, ledger.AccountFrozen) as refused:
                raise type(refused)(_("Not done: %(why)s", why=refused.message)) from None


def pay_deposit(user: User, booking: Booking) -> None:
    _pay(user, booking, booking.deposit_local, "deposit")


def pay_back_deposit(user: User, booking: Booking) -> None:
    _pay(user, booking, booking.deposit_local, "deposit_return", back=True)
