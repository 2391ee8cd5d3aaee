"""The demo region's Leipziger Taler: set up, a year of transfers mostly paying for hand-overs and
loans, balances that sum to 0 and stay within their limits, deterministic."""

from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.cli.seed import seed_demo_region
from marketplace.core.clock import local_month
from marketplace.extensions import db
from marketplace.ledger.models import Account, Entry, Transfer
from marketplace.ledger.queries import balances_sum_cents
from marketplace.ledger.services import get_currency

NOW = datetime(2026, 3, 2, 9, 30)


@pytest.fixture
def region(app_ctx):
    return seed_demo_region(now=NOW, password_hash="not-a-real-hash")


def _transfers() -> list[Transfer]:
    return list(db.session.scalars(select(Transfer).order_by(Transfer.id)))


def test_the_demo_has_the_leipziger_taler(region):
    currency = get_currency()
    assert (currency.code, currency.name, currency.symbol, currency.kind) == (
        "LTA",
        "Leipziger Taler",
        "T",
        "money",
    )
    assert (currency.default_min_cents, currency.default_max_cents) == (-30000, 300000)
    priced = [o for o in region.offers if o.price_local]
    assert 0.2 < len(priced) / len(region.offers) < 0.8


def test_a_year_of_transfers_mostly_for_hand_overs_and_loans(region):
    transfers = _transfers()
    assert len(transfers) == len(region.transfers) > 150
    months = {t.month for t in transfers}
    assert len(months) >= 12
    assert all(NOW - timedelta(days=400) <= t.created_at <= NOW for t in transfers)
    assert all(t.month == local_month(t.created_at) for t in transfers)
    kinds = Counter(t.kind for t in transfers)
    assert set(kinds) == {"exchange", "booking_fee", "payment"}
    linked = kinds["exchange"] + kinds["booking_fee"]
    assert linked / len(transfers) > 0.6
    assert kinds["exchange"] >= 15 and kinds["payment"] >= 20
    reasons = {t.reason for t in transfers if t.kind == "payment"}
    assert {"Mitgliedsbeitrag Netzwerk", "Reparatur Lastenrad", "Workshop Honorar"} <= reasons


def test_every_hand_over_payment_matches_its_exchange(region):
    exchanges = {e.id: e for e in region.exchanges}
    bookings = {b.id: b for b in region.bookings}
    for t in _transfers():
        if t.kind == "exchange":
            exchange = exchanges[t.exchange_id]
            assert exchange.status == "completed" and t.created_at == exchange.completed_at
            assert t.payer.organisation_id == exchange.receiver_id
            assert t.payee.organisation_id == exchange.provider_id
        elif t.kind == "booking_fee":
            booking = bookings[t.booking_id]
            assert booking.status == "returned" and t.created_at == booking.returned_at
            assert t.payer.organisation_id == booking.borrower_id
        else:
            assert t.exchange_id is None and t.booking_id is None


def test_balances_sum_to_zero_and_stay_within_their_limits(region):
    assert balances_sum_cents() == 0
    for account in db.session.scalars(select(Account)):
        assert account.min_cents <= account.balance_cents <= account.max_cents
        entries = list(
            db.session.scalars(
                select(Entry).where(Entry.account_id == account.id).order_by(Entry.id)
            )
        )
        running = 0
        for entry in entries:
            running += entry.amount_cents
            assert entry.balance_after_cents == running
            assert account.min_cents <= running <= account.max_cents
        assert running == account.balance_cents
        assert account.last_transfer_at == max(e.created_at for e in entries)
    # Booked in time order: ids follow created_at.
    times = [t.created_at for t in _transfers()]
    assert times == sorted(times)
    assert db.session.scalar(select(func.count()).select_from(Account)) >= 20


def test_the_demo_transfers_are_deterministic(app_ctx):
    def snapshot():
        seed_demo_region(now=NOW, password_hash="not-a-real-hash")
        rows = [
            (t.payer.organisation.name, t.payee.organisation.name, t.amount_cents, t.kind)
            + (t.reason, t.created_at)
            for t in _transfers()
        ]
        db.session.rollback()
        return rows

    first = snapshot()
    assert first and first == snapshot()
