"""Without Redis (the embedded default) a job runs at once in the web process, and the periodic
sweeps still run during requests; the admin page says so."""

import logging

from marketplace.jobs.queue import enqueue, jobs_queued
from tests import factories

ran = []


def _remember(value):
    from flask import g

    ran.append((value, g.job))


def _explode():
    raise RuntimeError("boom")


def test_enqueue_without_redis_runs_the_job_now(app_ctx):
    ran.clear()
    assert not jobs_queued()
    assert enqueue(_remember, 7) is None
    assert ran == [(7, "tests.jobs.test_inline._remember")]


def test_a_failing_job_in_the_web_process_is_logged_not_raised(app_ctx, caplog):
    with caplog.at_level(logging.ERROR, logger="marketplace.jobs"):
        enqueue(_explode)
    assert "tests.jobs.test_inline._explode failed" in caplog.text


def test_mail_leaves_after_the_commit_without_redis(client, make, outbox):
    user = make.user(email="ada@example.org")
    client.post("/password/forgot", data={"email": user.email})
    assert [message.to for message in outbox] == [["ada@example.org"]]


def test_admin_page_without_redis_says_jobs_run_in_the_web_process(client, login_as, make):
    login_as(make.user(role="admin"))
    html = client.get("/admin/jobs").get_data(as_text=True)
    assert "No Redis is configured" in html
    assert "Rebuild the search index" in html


def test_admin_page_is_for_admins_only(client, login_as, make):
    assert client.get("/admin/jobs").status_code == 302  # to the sign-in page
    login_as(make.user(role="coordinator"))
    assert client.get("/admin/jobs").status_code == 403
    assert client.post("/admin/jobs/reindex").status_code == 403
    assert client.post("/admin/jobs/abc/requeue").status_code == 403


def test_admin_page_in_german(client, login_as, make):
    login_as(make.user(role="admin", locale="de"))
    html = client.get("/admin/jobs", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Hintergrundaufgaben" in html


def test_reindex_without_redis_rebuilds_now(client, login_as, make):
    factories.listing(title="Schwerlastregale abzugeben")
    login_as(make.user(role="admin"))
    response = client.post("/admin/jobs/reindex", follow_redirects=True)
    assert "The search index has been rebuilt." in response.get_data(as_text=True)


def test_when_redis_does_not_answer_the_job_runs_in_the_web_process(app, app_ctx, caplog):
    ran.clear()
    saved = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        with caplog.at_level(logging.ERROR, logger="marketplace.jobs"):
            assert enqueue(_remember, 3) is None
    finally:
        app.config["REDIS_URL"] = saved
    assert ran == [(3, "tests.jobs.test_inline._remember")]
    assert "Redis did not take job" in caplog.text
