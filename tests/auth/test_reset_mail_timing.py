"""Issue 16: without Redis the reset mail went to the SMTP server inside the request, so an
existing account's answer came as much later as the mail server is slow: the time told who has
an account. Now the answer leaves first and the mail follows on a thread of the process."""

import pytest

from marketplace.jobs.queue import wait_for_detached
from tests.auth import held_mail


@pytest.fixture
def slow_mail_server(app):
    mailman = app.extensions["mailman"]
    saved = mailman.backend, app.config.get("MAIL_IN_THREAD")
    mailman.backend = "tests.auth.held_mail.EmailBackend"
    app.config["MAIL_IN_THREAD"] = True
    held_mail.released.clear()
    held_mail.events.clear()
    yield held_mail
    held_mail.released.set()
    wait_for_detached(app)
    mailman.backend, app.config["MAIL_IN_THREAD"] = saved


def test_the_answer_does_not_wait_for_the_mail_server(app, client, make, slow_mail_server):
    make.user(email="greta@example.org")
    response = client.post("/password/forgot", data={"email": "greta@example.org"})
    slow_mail_server.events.append(f"answered {response.status_code}")
    slow_mail_server.released.set()
    wait_for_detached(app)
    assert slow_mail_server.events == ["answered 302", "sent greta@example.org"]


def test_a_failing_mail_server_does_not_reach_the_person(app, client, make, slow_mail_server):
    app.extensions["mailman"].backend = "smtp"
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_TIMEOUT=1)
    make.user(email="greta@example.org")
    response = client.post("/password/forgot", data={"email": "greta@example.org"})
    assert response.status_code == 302
    wait_for_detached(app)  # the failure is logged on the thread
