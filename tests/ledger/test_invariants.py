"""Any sequence of transfers, reversals and limit changes keeps every rule of the ledger: each
balance within its limits and equal to the sum of its entries, each transfer two entries that
sum to zero, the sum of all balances 0, nothing reversed twice."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.ledger import queries, services
from marketplace.ledger.models import (
    Account,
    Entry,
    IdempotencyKey,
    LimitChange,
    PaymentRequest,
    Transfer,
)
from tests import factories
from tests.ledger.helpers import member, taler

ORGS = 4
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("400"), places=2)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), st.integers(0, ORGS - 1), st.integers(0, ORGS - 1), amounts),
        st.tuples(st.just("reverse"), st.integers(0, 50)),
        st.tuples(
            st.just("limits"),
            st.integers(0, ORGS - 1),
            st.decimals(min_value=Decimal("-600"), max_value=Decimal("0"), places=2),
            st.decimals(min_value=Decimal("0"), max_value=Decimal("600"), places=2),
        ),
        st.tuples(st.just("freeze"), st.integers(0, ORGS - 1), st.booleans()),
    ),
    max_size=25,
)


@pytest.fixture
def people(app_ctx):
    taler(min_balance="-200", max_balance="300")
    users = [member(f"Organisation {i}") for i in range(ORGS)]
    coordinator = factories.user(role="coordinator")
    db.session.commit()
    return users, coordinator


def _forget_the_ledger() -> None:
    for model in (PaymentRequest, IdempotencyKey, Entry, LimitChange):
        db.session.execute(delete(model))
    db.session.execute(delete(Transfer).where(Transfer.reverses_id.is_not(None)))
    db.session.execute(delete(Transfer))
    db.session.execute(delete(Account))
    db.session.commit()


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
def test_any_sequence_keeps_every_invariant(people, steps):
    users, coordinator = people
    _forget_the_ledger()
    for step in steps:
        try:
            if step[0] == "pay":
                _, a, b, amount = step
                services.pay(users[a], users[b].organisation_id, amount, "x")
            elif step[0] == "reverse":
                done = db.session.scalars(select(Transfer).order_by(Transfer.id)).all()
                if done:
                    original = done[step[1] % len(done)]
                    services.reverse_transfer(coordinator, original, "Fehler")
            elif step[0] == "limits":
                _, a, low, high = step
                services.change_limits(coordinator, users[a].organisation_id, low, high, "neu")
            else:
                _, a, frozen = step
                services.set_frozen(coordinator, users[a].organisation_id, frozen, "Prüfung")
            db.session.commit()
        except DomainError:
            db.session.rollback()
        _check_invariants()


def _check_invariants() -> None:
    assert queries.balances_sum_cents() == 0
    for account in db.session.scalars(select(Account)):
        assert account.min_cents <= account.balance_cents <= account.max_cents
        entries = db.session.scalar(
            select(func.coalesce(func.sum(Entry.amount_cents), 0)).where(
                Entry.account_id == account.id
            )
        )
        assert entries == account.balance_cents
    sides = db.session.execute(
        select(Entry.transfer_id, func.count(), func.sum(Entry.amount_cents)).group_by(
            Entry.transfer_id
        )
    ).all()
    transfers = db.session.scalar(select(func.count()).select_from(Transfer))
    assert len(sides) == transfers
    assert all(n == 2 and total == 0 for _id, n, total in sides)
