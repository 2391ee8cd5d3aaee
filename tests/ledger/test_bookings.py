"""Booking fees and deposits in the local currency: the fee is paid on acceptance and paid back
when the booking is cancelled, the deposit is paid at check-out and paid back on return; a
borrower who cannot pay is refused the step, and nothing of it happens."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from marketplace.bookings import services as bookings
from marketplace.core.errors import Conflict
from marketplace.extensions import db
from marketplace.ledger import queries
from marketplace.ledger.models import Transfer
from tests.bookings.helpers import days_ahead, sharing
from tests.exchanges.helpers import fresh
from tests.ledger.helpers import balance, taler


@pytest.fixture
def lent(app_ctx):
    taler()
    found = sharing(
        mode="lend",
        rules={"fee_local": Decimal("5"), "fee_per": "day", "deposit_local": Decimal("40")},
    )
    db.session.commit()
    return found


def _requested(s, days=2):
    booking = bookings.request_booking(s.borrower, s.offer, days_ahead(3), days_ahead(3 + days), 1)
    db.session.commit()
    return booking


def _kinds():
    return [t.kind for t in db.session.scalars(select(Transfer).order_by(Transfer.id))]


def test_the_fee_on_acceptance_the_deposit_out_and_back(lent):
    booking = _requested(lent)
    assert booking.fee_local == Decimal("10.00") and booking.deposit_local == Decimal("40.00")
    bookings.accept_booking(lent.provider, booking)
    db.session.commit()
    assert balance(lent.borrower) == -10 and balance(lent.provider) == 10
    bookings.check_out_booking(lent.provider, booking)
    db.session.commit()
    assert balance(lent.borrower) == -50
    bookings.return_booking(lent.provider, fresh(booking))
    db.session.commit()
    assert balance(lent.borrower) == -10 and balance(lent.provider) == 10
    assert _kinds() == ["booking_fee", "deposit", "deposit_return"]
    month = db.session.scalar(select(Transfer.month))
    # Deposits are held, not exchanged: only the fee counts as volume.
    assert queries.monthly_volume(month, month)[0].volume == Decimal("10.00")


def test_a_cancelled_booking_gets_its_fee_back(lent):
    booking = _requested(lent)
    bookings.accept_booking(lent.provider, booking)
    db.session.commit()
    bookings.cancel_booking(lent.borrower, fresh(booking))
    db.session.commit()
    assert balance(lent.borrower) == 0 and balance(lent.provider) == 0
    assert _kinds() == ["booking_fee", "reversal"]


def test_an_acceptance_the_borrower_cannot_pay_accepts_nothing(lent):
    booking = _requested(lent, days=70)  # 70 days x 5 T = 350 T, the limit is -300
    with pytest.raises(Conflict) as refused:
        bookings.accept_booking(lent.provider, booking)
    assert refused.value.code == "insufficient_credit"
    db.session.rollback()
    assert fresh(booking).status == "requested" and _kinds() == []
