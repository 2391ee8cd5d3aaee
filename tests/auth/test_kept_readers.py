"""The signed-in reader (session row, user, organisation) and the header's counts are kept per
process until the next write anywhere (core/kept_reads.py): a page asks no statement for them,
and every write, in this process or another, is seen by the next request."""

import pytest
import sqlalchemy as sa

from marketplace.auth.models import User, UserSession
from marketplace.extensions import db
from marketplace.ledger.models import Currency
from marketplace.orgs.models import Organisation
from tests.caches import caches_sized


@pytest.fixture
def kept(app):
    if app.extensions.get("commit_stamp") is None:
        pytest.skip("no commit stamp on this database: nothing is kept (PostgreSQL)")
    with caches_sized(app, READ_CACHE_SIZE=64):
        yield


@pytest.fixture
def statements(app):
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    with app.app_context():
        sa.event.remove(db.engine, "before_cursor_execute", count)


def _write(app, statement):
    """A write by someone else than the page (another worker: through the app's engine)."""
    db.session.execute(statement)
    db.session.commit()


def test_a_signed_in_page_asks_nothing_after_the_first(kept, make, client, login_as, statements):
    user = login_as(make.user())
    name = user.organisation.name
    assert name in client.get("/impressum").text
    statements.clear()
    page = client.get("/impressum")
    assert page.status_code == 200 and name in page.text
    assert [s for s in statements if "users" in s or "exchanges" in s] == []


def test_a_session_ended_elsewhere_ends_at_once(kept, make, app, client, login_as):
    user = login_as(make.user())
    assert client.get("/listings/mine").status_code == 200
    _write(app, sa.delete(UserSession).where(UserSession.user_id == user.id))
    assert client.get("/listings/mine").status_code == 302


def test_a_deactivated_account_is_signed_out_at_once(kept, make, app, client, login_as):
    user = login_as(make.user())
    assert client.get("/listings/mine").status_code == 200
    _write(app, sa.update(User).where(User.id == user.id).values(active=False))
    assert client.get("/listings/mine").status_code == 302


def test_a_renamed_organisation_shows_on_the_next_page(kept, make, app, client, login_as):
    user = login_as(make.user())
    assert user.organisation.name in client.get("/impressum").text
    _write(
        app,
        sa.update(Organisation)
        .where(Organisation.id == user.organisation_id)
        .values(name="Werkhof Neu"),
    )
    assert "Werkhof Neu" in client.get("/impressum").text


def test_the_header_follows_a_new_currency(kept, make, app, client, login_as):
    login_as(make.user())
    assert 'href="/account"' not in client.get("/impressum").text
    _write(
        app,
        sa.insert(Currency).values(
            code="LEIPZ",
            name="Leipziger",
            symbol="L",
            kind="time",
            default_min_cents=-1000,
            default_max_cents=1000,
        ),
    )
    assert 'href="/account"' in client.get("/impressum").text


def test_two_readers_never_share_a_user(kept, make, app, login_as):
    first, second = app.test_client(), app.test_client()
    one, other = make.user(), make.user()
    login_as(one, first)
    login_as(other, second)
    for _ in range(2):
        assert one.organisation.name in first.get("/impressum").text
        assert other.organisation.name in second.get("/impressum").text
        assert other.organisation.name not in first.get("/impressum").text


def test_the_stamp_changes_after_a_write_and_not_after_a_read(kept, make, app, client, login_as):
    login_as(make.user())
    stamp = app.extensions["commit_stamp"]
    client.get("/impressum")
    before = stamp.read()
    client.get("/impressum")
    assert stamp.read() == before
    _write(app, sa.update(User).values(name="Neu"))
    assert stamp.read() != before
