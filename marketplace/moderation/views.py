"""Web pages of moderation: saving listings, reporting one, appealing a hiding, and the
coordinators' queue, case page and audit log."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from marketplace.core.errors import InvalidTransition, ValidationFailed
from marketplace.core.forms import copy_errors
from marketplace.core.pagination import PageRequest
from marketplace.extensions import db
from marketplace.listings.queries import get_listing_for_viewer
from marketplace.moderation import queries, services
from marketplace.moderation.forms import AppealForm, HideForm, NoteForm, ReportForm
from marketplace.moderation.models import ACTIONS, REPORT_REASONS

bp = Blueprint("moderation", __name__)


@bp.app_template_global("listing_moderation")
def _listing_moderation(listing) -> queries.ListingModeration:
    return queries.listing_moderation(listing, current_user)


def _viewer_listing(listing_id: int):
    return get_listing_for_viewer(listing_id, current_user.organisation_id)


def _per_page() -> PageRequest:
    return PageRequest.from_args(request.args, current_app.config.get("LISTINGS_PER_PAGE", 20))


# -- favourites -----------------------------------------------------------------------------------


@bp.post("/listings/<int:listing_id>/favourite")
@login_required
def save(listing_id: int):
    services.save_favourite(current_user, _viewer_listing(listing_id))
    flash(_("Saved. You find it under “Saved”."), "success")
    return redirect(url_for("listings.detail", listing_id=listing_id))


@bp.post("/listings/<int:listing_id>/unfavourite")
@login_required
def unsave(listing_id: int):
    services.remove_favourite(current_user, listing_id)
    flash(_("Removed from your saved listings."), "success")
    if request.form.get("back") == "favourites":
        return redirect(url_for(".favourites"))
    return redirect(url_for("listings.detail", listing_id=listing_id))


@bp.get("/favourites")
@login_required
def favourites():
    page = queries.list_favourites(current_user, _per_page())
    return render_template("moderation/favourites.html", page=page)


# -- report and appeal ----------------------------------------------------------------------------


@bp.route("/listings/<int:listing_id>/report", methods=["GET", "POST"])
@login_required
def report(listing_id: int):
    listing = _viewer_listing(listing_id)
    services.check_can_report(current_user, listing)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            services.report_listing(current_user, listing, form.reason.data, form.details.data)
        except ValidationFailed as error:
            db.session.rollback()
            copy_errors(form, error.fields)
        except InvalidTransition as error:
            db.session.rollback()
            flash(error.message, "info")
            return redirect(url_for("listings.detail", listing_id=listing_id))
        else:
            flash(_("Thank you. The coordinators will look at your report."), "success")
            return redirect(url_for("listings.detail", listing_id=listing_id))
    status = 422 if form.errors else 200
    return render_template("moderation/report.html", listing=listing, form=form), status


@bp.route("/listings/<int:listing_id>/appeal", methods=["GET", "POST"])
@login_required
def appeal(listing_id: int):
    listing = _viewer_listing(listing_id)
    hiding = services.check_can_appeal(current_user, listing)
    form = AppealForm()
    if form.validate_on_submit():
        try:
            services.appeal_hiding(current_user, listing, form.text.data)
        except ValidationFailed as error:
            db.session.rollback()
            copy_errors(form, error.fields)
        else:
            flash(_("Your appeal has been sent to the coordinators."), "success")
            return redirect(url_for("listings.detail", listing_id=listing_id))
    status = 422 if form.errors else 200
    context = {"listing": listing, "hiding": hiding, "form": form}
    return render_template("moderation/appeal.html", **context), status


# -- coordinators ---------------------------------------------------------------------------------


@bp.get("/moderation")
@login_required
def queue():
    page = queries.list_reported_listings(current_user, _per_page())
    appeals = queries.list_appeals(current_user)
    return render_template(
        "moderation/queue.html", page=page, appeals=appeals, reasons=REPORT_REASONS
    )


@bp.get("/moderation/listings/<int:listing_id>")
@login_required
def case(listing_id: int):
    return _render_case(listing_id)


def _render_case(listing_id: int, forms: dict | None = None, status: int = 200):
    case = queries.get_case(current_user, listing_id)
    forms = {
        "hide": HideForm(prefix="hide"),
        "dismiss": NoteForm(prefix="dismiss"),
        "decide": NoteForm(prefix="decide"),
        **(forms or {}),
    }
    context = {"case": case, "forms": forms, "reasons": REPORT_REASONS, "actions": ACTIONS}
    return render_template("moderation/case.html", **context), status


#: Case page actions: the form that carries the text, the service, the field and the message.
_ACTIONS = {
    "hide": (HideForm, "reason", services.hide_listing, _l("The listing is hidden.")),
    "dismiss": (NoteForm, "note", services.dismiss_reports, _l("The reports are dismissed.")),
    "restore": (NoteForm, "note", services.restore_listing, _l("The listing is visible again.")),
    "uphold": (NoteForm, "note", services.uphold_hiding, _l("The listing stays hidden.")),
}


@bp.post("/moderation/listings/<int:listing_id>/<action>")
@login_required
def act(listing_id: int, action: str):
    if action not in _ACTIONS:
        abort(404)
    form_class, field, service, done = _ACTIONS[action]
    listing = queries.get_listing_for_moderation(current_user, listing_id)
    slot = {"restore": "decide", "uphold": "decide"}.get(action, action)
    form = form_class(prefix=slot)
    if not form.validate_on_submit():
        return _render_case(listing_id, {slot: form}, 422)
    try:
        service(current_user, listing, getattr(form, field).data)
    except ValidationFailed as error:
        db.session.rollback()
        copy_errors(form, error.fields)
        return _render_case(listing_id, {slot: form}, 422)
    except InvalidTransition as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".case", listing_id=listing_id))
    flash(str(done), "success")
    return redirect(url_for(".queue"))


@bp.get("/moderation/log")
@login_required
def log():
    listing_id = request.args.get("listing", type=int)
    if listing_id is not None and not 0 < listing_id < 2**63:
        listing_id = None
    action = request.args.get("action") if request.args.get("action") in ACTIONS else None
    page = queries.list_events(current_user, _per_page(), listing_id=listing_id, action=action)
    context = {"page": page, "listing_id": listing_id, "action": action, "actions": ACTIONS}
    context["reasons"] = REPORT_REASONS
    return render_template("moderation/log.html", **context)
