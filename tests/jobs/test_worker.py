"""With Redis: a web request only enqueues, a real RQ worker does the job; a failing job is retried
with backoff and then listed for admins; the request-time sweeps are off and the scheduler's
periodic jobs do their work."""

from datetime import timedelta

from rq.registry import FailedJobRegistry
from sqlalchemy import select

from marketplace.core.clock import today, utcnow
from marketplace.core.mail import deliver_mail
from marketplace.extensions import db
from marketplace.jobs.queue import enqueue, get_queue, jobs_queued, redis_connection
from marketplace.jobs.schedule import make_scheduler
from marketplace.listings.expiry import _clock as expiry_clock
from marketplace.listings.expiry import reset_sweep_clock
from marketplace.listings.models import Listing
from marketplace.matching.models import MatchAlert
from tests import factories
from tests.jobs.failing import always_fails
from tests.matching.helpers import WEDDING, org, request


def test_mail_from_a_web_request_is_sent_by_the_worker(queued, work, client, make, outbox):
    user = make.user(email="ada@example.org")
    client.post("/password/forgot", data={"email": user.email})
    assert outbox == []  # only queued
    assert get_queue().count == 1
    work()
    assert [message.to for message in outbox] == [["ada@example.org"]]
    assert "Reset your Stoffwechsel password" in outbox[0].subject
    assert get_queue().count == 0


def test_alerts_after_a_new_listing_are_recorded_by_the_worker(queued, work, api, make):
    workshop = org("Jugendwerkstatt Wedding", WEDDING)
    request(workshop, "Suche Europaletten", quantity=20)
    giver = factories.user(organisation=org("Supermarkt am Platz"))
    db.session.commit()
    response = api.post(
        "/api/v1/listings",
        as_=giver,
        json={
            "kind": "offer",
            "title": "Europaletten abzugeben",
            "category": "pallets",
            "quantity": 40,
            "unit": "piece",
        },
    )
    assert response.status_code == 201
    offer_id = response.get_json()["id"]
    alerts = select(MatchAlert.organisation_id).where(MatchAlert.listing_id == offer_id)
    assert db.session.execute(alerts).scalars().all() == []  # not yet: it waits in the queue
    work()
    db.session.expire_all()
    assert db.session.execute(alerts).scalars().all() == [workshop.id]


def test_a_failing_job_is_retried_then_listed_for_admins(queued, work, client, login_as, make):
    job = enqueue(always_fails, "attempts")
    assert job is not None and job.retries_left == 2
    work()
    assert int(redis_connection().get("attempts")) == 3  # the first try and two retries
    registry = FailedJobRegistry(queue=get_queue())
    assert job.id in registry

    login_as(make.user(role="admin"))
    html = client.get("/admin/jobs").get_data(as_text=True)
    assert "tests.jobs.failing.always_fails" in html
    assert "RuntimeError: the mail server said no" in html
    assert "Failed after every retry: 1." in html

    response = client.post(f"/admin/jobs/{job.id}/requeue", follow_redirects=True)
    assert "The job is back in the queue." in response.get_data(as_text=True)
    assert job.id not in registry and get_queue().count == 1


def test_the_failed_jobs_page_is_for_admins_only(queued, client, login_as, make):
    login_as(make.user(role="coordinator"))
    assert client.get("/admin/jobs").status_code == 403


def test_a_mail_job_run_twice_sends_once(queued, app_ctx, outbox):
    for _attempt in range(2):
        deliver_mail("mail:once", ["b@example.org"], "Hallo", "Text", "noreply@example.org")
    assert len(outbox) == 1


def test_with_redis_requests_do_not_sweep_and_the_scheduler_does(
    queued, work, client, login_as, make
):
    listing = make.listing(available_until=today() - timedelta(days=1))
    db.session.commit()
    clock = expiry_clock()
    saved = clock.next_at
    reset_sweep_clock()  # due now: only Redis keeps the request from sweeping
    try:
        assert jobs_queued()
        client.get("/")
    finally:
        clock.next_at = saved  # leave no sweep armed for the next test in this process
    db.session.expire_all()
    assert db.session.get(Listing, listing.id).status == "open"  # no request-time sweep

    scheduler = make_scheduler(queued)
    names = {job.name for job in scheduler.enqueue_jobs()}
    # booking notices: 0 in the tests
    assert names == {"listings-expiry", "matching-digests", "prepared-files-purge"}
    work()
    db.session.expire_all()
    assert db.session.get(Listing, listing.id).status == "expired"

    login_as(make.user(role="admin"))
    html = client.get("/admin/jobs").get_data(as_text=True)
    expiry_row = html[html.index("listings-expiry") :].split("</tr>")[0]
    assert "every 60 s" in expiry_row and "done" in expiry_row
    assert "booking-notices" in html and "off" in html


def test_reindex_from_the_admin_page_is_queued(queued, work, client, login_as, make):
    login_as(make.user(role="admin"))
    response = client.post("/admin/jobs/reindex", follow_redirects=True)
    assert "rebuilt by a background worker" in response.get_data(as_text=True)
    assert get_queue().count == 1
    work()
    assert get_queue().count == 0
    assert FailedJobRegistry(queue=get_queue()).count == 0


def test_worker_command_works_off_the_queue(queued, runner, app_ctx, outbox):
    enqueue(deliver_mail, "mail:cli", ["c@example.org"], "Hallo", "Text", "noreply@example.org")
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert get_queue().count == 0
    assert FailedJobRegistry(queue=get_queue()).count == 0


def test_worker_command_refuses_without_redis(runner):
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code != 0
    assert "MARKETPLACE_REDIS_URL is not set" in result.output


def test_booking_notices_run_by_the_worker_mail_in_each_language(queued, work, app, outbox):
    from marketplace.bookings.sweep import send_due_booking_notices
    from tests.bookings.helpers import booked, built

    s = built(app, mode="lend", capacity=5)
    now = utcnow()
    booked(app, s, now - timedelta(hours=48), now - timedelta(hours=2), "active")  # overdue
    with app.app_context():
        enqueue(send_due_booking_notices)
    work()  # the notices job queues two mail jobs; the burst works them off too
    subjects = sorted(message.subject for message in outbox)
    assert subjects == [
        "Overdue: “Akkuschrauber Makita” has not been returned",
        "Überfällig: „Akkuschrauber Makita“ wurde nicht zurückgegeben",
    ]
    with app.app_context():
        enqueue(send_due_booking_notices)
    work()
    assert len(outbox) == 2  # claimed once: never sent again
