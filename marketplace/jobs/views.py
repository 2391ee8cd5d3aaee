"""Admin page of the background jobs: failed jobs (with a retry button), the periodic jobs'
latest runs, and a button to rebuild the search index."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.jobs.failed import get_jobs_overview, requeue_failed_job
from marketplace.jobs.queue import jobs_queued
from marketplace.jobs.reindex import request_reindex

bp = Blueprint("jobs", __name__, url_prefix="/admin/jobs")


@bp.get("")
@login_required
def overview():
    return render_template("jobs/overview.html", overview=get_jobs_overview(current_user))


@bp.post("/<job_id>/requeue")
@login_required
def requeue(job_id: str):
    requeue_failed_job(current_user, job_id)
    flash(_("The job is back in the queue."), "success")
    return redirect(url_for(".overview"))


@bp.post("/reindex")
@login_required
def reindex():
    request_reindex(current_user)
    if jobs_queued():
        flash(_("The search index will be rebuilt by a background worker."), "success")
    else:
        flash(_("The search index has been rebuilt."), "success")
    return redirect(url_for(".overview"))
