"""The ledger's rules hold under load (issue 12, security.md 16-17).

Real gunicorn with 4 sync workers: one organisation's account has room for exactly 20 payments
of 10 T (minimum -200); 64 clients pay from it at once, to 64 payees: exactly 20 answer 201 and
44 answer 409 insufficient_credit, the balance is exactly -200 and the sum of all balances 0.
On SQLite and on PostgreSQL.
"""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.serving import call, register, running_gunicorn

pytestmark = pytest.mark.slow

CLIENTS = 64
ROOM = 20
CURRENCY = (
    "currency",
    "setup",
    "--code",
    "LTA",
    "--name",
    "Leipziger Taler",
    "--symbol",
    "T",
    "--kind",
    "money",
    "--min-balance",
    str(-10 * ROOM),
    "--max-balance",
    "100000",
)


@pytest.fixture
def server(database, tmp_path):
    with running_gunicorn(tmp_path, database, commands=(CURRENCY,)) as (base, _log):
        yield base


def test_sixty_four_payments_at_once_with_room_for_twenty_make_exactly_twenty(server):
    payer = register(server, 0)
    # Registration hashes a password inside a write transaction (issue 16): few at a time.
    with ThreadPoolExecutor(max_workers=3) as pool:
        payees = list(pool.map(lambda n: register(server, n), range(1, CLIENTS + 1)))
    payee_ids = [
        call(server, "GET", "/api/v1/me", token)[1]["organisation"]["id"] for token in payees
    ]

    barrier = threading.Barrier(CLIENTS)
    answers: list[tuple[int, object]] = []

    def pay(payee_id: int) -> None:
        barrier.wait()
        answers.append(
            call(
                server,
                "POST",
                "/api/v1/transfers",
                payer,
                {"payee_organisation_id": payee_id, "amount": 10, "reason": "Paletten"},
            )
        )

    threads = [threading.Thread(target=pay, args=(i,)) for i in payee_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert Counter(status for status, _ in answers) == {201: ROOM, 409: CLIENTS - ROOM}
    assert all(
        body["error"]["code"] == "insufficient_credit" for status, body in answers if status == 409
    )
    assert call(server, "GET", "/api/v1/accounts/me", payer)[1]["balance"] == -10 * ROOM
    received = [call(server, "GET", "/api/v1/accounts/me", token)[1]["balance"] for token in payees]
    assert sorted(received) == [0] * (CLIENTS - ROOM) + [10] * ROOM
    assert sum(received) - 10 * ROOM == 0  # the sum of all balances
