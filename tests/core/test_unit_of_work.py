"""One commit per request (core/unit_of_work.py): the request commits once when its answer
succeeds, rolls back otherwise, and a commit the database refuses becomes a 409 or 503."""

import contextvars
import sqlite3
from types import SimpleNamespace

import pytest
from flask import Response, has_request_context, redirect, stream_with_context
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from marketplace import create_app
from marketplace.auth.models import User
from marketplace.core.errors import Conflict
from marketplace.core.mail import queue_mail
from marketplace.extensions import db
from marketplace.listings.models import Listing
from marketplace.orgs.models import Organisation


@pytest.fixture(scope="module")
def uow_app(app):
    """A second app on the test database, with routes of its own (the shared app has served
    requests already, so it takes no new ones)."""
    keys = ("TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "SERVER_NAME", "MAIL_BACKEND")
    keys += ("RATELIMIT_ENABLED", "REDIS_URL", "BOOKING_SWEEP_INTERVAL_S", "WTF_CSRF_ENABLED")
    other = create_app(
        {key: app.config[key] for key in keys}
        | {"INSTANCE_PATH": app.instance_path, "BABEL_DEFAULT_LOCALE": "en"}
    )

    def add_organisation(name: str) -> None:
        db.session.add(Organisation(name=name, kind="business", postcode="10115"))
        db.session.flush()

    @other.post("/t/ok")
    def ok():
        add_organisation("Stored")
        return "ok"

    @other.post("/t/redirect")
    def redirected():
        add_organisation("Redirected")
        return redirect("/")

    @other.post("/t/refused")
    def refused():
        add_organisation("Refused")
        return "no", 422

    @other.post("/t/raises")
    def raises():
        add_organisation("Raised")
        raise Conflict("after a flush")

    @other.post("/t/mail/<int:status>")
    def mail(status: int):
        add_organisation("Mailed")
        person = SimpleNamespace(name="Ada")
        context = {"user": person, "link": "/x", "minutes": 60}
        queue_mail(db.session, "a@example.org", "Hello", "email/password_reset.txt", **context)
        return "mail", status

    @other.get("/t/read")
    def read():
        return str(db.session.scalar(select(func.count(Organisation.id))))

    @other.get("/t/stream")
    def stream():
        def rows():
            for name in db.session.scalars(select(Organisation.name).order_by(Organisation.name)):
                yield name + "\n"

        return Response(stream_with_context(rows()), mimetype="text/plain")

    yield other
    with other.app_context():
        db.engine.dispose()


@pytest.fixture
def uow_client(uow_app):
    client = uow_app.test_client()
    client.open = lambda *a, _open=client.open, **kw: contextvars.Context().run(_open, *a, **kw)
    return client


def _names(app) -> list[str]:
    with app.app_context():
        names = list(db.session.scalars(select(Organisation.name).order_by(Organisation.name)))
        db.session.remove()
    return names


@pytest.fixture
def commits(uow_app):
    """How many times a session committed during the test (savepoints not counted)."""
    seen: list[int] = []

    def count(session):
        if not session.in_nested_transaction():
            seen.append(1)

    event.listen(db.session, "after_commit", count)
    yield seen
    event.remove(db.session, "after_commit", count)


def test_a_successful_answer_commits_what_the_view_flushed(uow_app, uow_client, commits):
    uow_client.get("/t/read")  # the periodic sweeps, due in a new app, commit on their own
    commits.clear()
    assert uow_client.post("/t/ok").status_code == 200
    assert uow_client.post("/t/redirect").status_code == 302
    assert _names(uow_app) == ["Redirected", "Stored"]
    assert len(commits) == 2


def test_a_refusal_or_an_error_leaves_nothing_stored(uow_app, uow_client):
    assert uow_client.post("/t/refused").status_code == 422
    assert uow_client.post("/t/raises").status_code == 409
    assert _names(uow_app) == []


def test_a_request_that_only_read_does_not_commit(uow_app, uow_client, commits):
    uow_client.get("/t/read")  # the periodic sweeps, due in a new app, commit on their own
    commits.clear()
    assert uow_client.get("/t/read").get_data(as_text=True) == "0"
    assert commits == []


def test_after_commit_work_follows_the_request_commit(uow_app, uow_client):
    outbox = uow_app.extensions["mailman"].outbox = []
    assert uow_client.post("/t/mail/422").status_code == 422
    assert outbox == []
    assert uow_client.post("/t/mail/200").status_code == 200
    assert [m.subject for m in outbox] == ["Hello"]
    assert _names(uow_app) == ["Mailed"]


def test_a_streamed_answer_reads_after_the_request_ended(uow_app, uow_client, make):
    make.organisation(name="Alpha")
    make.organisation(name="Beta")
    assert uow_client.get("/t/stream", buffered=True).get_data(as_text=True) == "Alpha\nBeta\n"


# -- refused commits, through the real views ------------------------------------------------------


@pytest.fixture
def commit_fails():
    """Make the first commit in a request for which `when(session)` holds fail with `error`, or
    run `statement` (a concurrent write) just before it. (The periodic sweeps commit in the same
    requests, before the view; in-process jobs after it.)"""
    installed = []

    def install(when, error: Exception | None = None, statement=None):
        def refuse(session):
            if not has_request_context() or session.in_nested_transaction():
                return
            if not when(session):
                return
            event.remove(db.session, "before_commit", refuse)
            installed.remove(refuse)
            if statement is not None:
                session.connection().execute(statement)
            if error is not None:
                raise error

        event.listen(db.session, "before_commit", refuse)
        installed.append(refuse)

    yield install
    for refuse in installed:
        event.remove(db.session, "before_commit", refuse)


def _locked() -> OperationalError:
    return OperationalError("COMMIT", {}, sqlite3.OperationalError("database is locked"))


def _listing_body() -> dict:
    return {
        "kind": "offer",
        "title": "Eichenbretter",
        "description": "Reste aus der Werkstatt",
        "category": "wood",
        "quantity": "12",
        "unit": "piece",
    }


def _count_listings() -> int:
    return db.session.scalar(select(func.count(Listing.id)))


def test_a_locked_database_at_commit_answers_503_json(app_ctx, api, make, commit_fails):
    user = make.user()
    headers = api.headers(user)
    commit_fails(lambda session: session.scalar(select(func.count(Listing.id))), _locked())
    response = api.post("/api/v1/listings", json=_listing_body(), headers=headers)
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert response.get_json()["error"]["code"] == "busy"
    assert _count_listings() == 0


def test_any_other_failure_at_commit_is_a_500_that_keeps_nothing(app_ctx, api, make, commit_fails):
    headers = api.headers(make.user())
    commit_fails(lambda session: session.scalar(select(func.count(Listing.id))), RuntimeError("x"))
    response = api.post("/api/v1/listings", json=_listing_body(), headers=headers)
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_error"
    assert _count_listings() == 0


def _renames_to_grace(session) -> bool:
    """The profile request's session (the user it renames stays in its identity map)."""
    return any(getattr(obj, "name", None) == "Grace" for obj in session.identity_map.values())


class _SerializationFailure(Exception):
    """What psycopg raises when PostgreSQL gives up a transaction that raced another."""

    sqlstate = "40001"


def test_a_serialization_failure_at_commit_answers_a_503_page(
    app_ctx, client, login_as, make, commit_fails
):
    user = login_as(make.user(name="Ada"))
    commit_fails(
        _renames_to_grace,
        OperationalError("COMMIT", {}, _SerializationFailure("could not serialize access")),
    )
    response = client.post("/profile", data={"name": "Grace", "locale": "en"})
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert "nothing was saved" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).name == "Ada"


def test_a_unique_conflict_at_commit_answers_409_page_and_keeps_nothing(
    app_ctx, client, login_as, make, commit_fails
):
    user = login_as(make.user(name="Ada"))
    other = make.user()
    # A concurrent request gave another account this address between check and commit.
    table = User.__table__
    commit_fails(
        _renames_to_grace,
        statement=table.update().where(table.c.id == other.id).values(email=user.email),
    )
    response = client.post("/profile", data={"name": "Grace", "locale": "en"})
    assert response.status_code == 409
    assert "nothing was saved" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).name == "Ada"
    page = client.get("/profile").get_data(as_text=True)
    assert "Your profile has been saved." not in page


def test_a_language_choice_is_not_kept_when_the_request_fails(
    app_ctx, client, login_as, make, monkeypatch
):
    user = login_as(make.user(locale="en"))

    def refuse(_path):
        raise Conflict("after the service")

    monkeypatch.setattr("marketplace.pages.views.safe_next_path", refuse)
    assert client.post("/language", data={"language": "de"}).status_code == 409
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"
