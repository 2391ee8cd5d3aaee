"""Web pages: the matches panel on a listing page, the organisation's alerts and saved searches."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.core.database import declare_write_intent
from marketplace.core.errors import ValidationFailed
from marketplace.core.pagination import PageRequest
from marketplace.core.unit_of_work import commit_before_reading
from marketplace.extensions import db
from marketplace.listings.queries import get_listing_for_viewer
from marketplace.matching import alerts, figures, panel, queries, services
from marketplace.matching.forms import EmailChoiceForm, SaveSearchForm

bp = Blueprint("matching", __name__)
bp.before_app_request(alerts.sweep_digests)
bp.record_once(lambda _state: alerts.register())
bp.add_app_template_global(panel.listing_matches, "listing_matches")
bp.add_app_template_global(panel.match_panel, "match_panel")
bp.add_app_template_global(figures.approx, "approx_kg")
bp.add_app_template_global(figures.approx_co2e, "approx_co2e")
bp.add_app_template_global(figures.ratio, "times_ratio")


@bp.get("/matches")
@login_required
def index():
    declare_write_intent()  # opening the page marks the alerts as seen
    items = queries.list_alerts(current_user.organisation_id)
    services.mark_alerts_seen(current_user.organisation_id, items)
    commit_before_reading()
    return render_template(
        "matching/index.html",
        alerts=panel.alert_views(queries.list_alerts(current_user.organisation_id)),
        listings=queries.page_candidates_for_org(
            current_user.organisation_id, PageRequest.from_args(request.args, 10)
        ),
        searches=queries.list_saved_searches(current_user.id),
        email_form=EmailChoiceForm(email=queries.email_choice(current_user.id)),
    )


@bp.post("/matches/settings")
@login_required
def settings():
    form = EmailChoiceForm()
    if form.validate_on_submit():
        services.set_email_choice(current_user, form.email.data)
        flash(_("Your e-mail choice is saved."), "success")
    else:
        flash(_("Please choose one of the options."), "error")
    return redirect(url_for(".index"))


@bp.post("/matches/alerts/<int:alert_id>/dismiss")
@login_required
def dismiss_alert(alert_id: int):
    services.dismiss_alert(current_user, alert_id)
    flash(_("Understood: you will not see this match again."), "success")
    return redirect(url_for(".index"))


@bp.post("/listings/<int:listing_id>/matches/<int:candidate_id>/dismiss")
@login_required
def dismiss_match(listing_id: int, candidate_id: int):
    listing = get_listing_for_viewer(listing_id, current_user.organisation_id)
    services.dismiss_match(current_user, listing, candidate_id)
    flash(_("Understood: you will not see this match again."), "success")
    return redirect(url_for("listings.detail", listing_id=listing_id, _anchor="matches-heading"))


@bp.post("/matches/searches")
@login_required
def save_search():
    form = SaveSearchForm()  # CSRF is checked for every POST (CSRFProtect)
    args = {name: form[name].data for name in ("q", "kind", "category", "near", "radius_km")}
    try:
        if not form.validate():
            raise ValidationFailed({k: list(v) for k, v in form.errors.items()})
        services.save_search(current_user, args)
        flash(_("Search saved. We will tell you about new listings it finds."), "success")
    except ValidationFailed as error:
        db.session.rollback()
        flash(error.message, "error")
    # Back to the search, with what was valid only: a 100,000-character q made a 65 KB Location.
    kept = {k: v for k, v in args.items() if v and k not in form.errors}
    return redirect(url_for("listings.browse", **kept))


@bp.post("/matches/searches/<int:search_id>/delete")
@login_required
def delete_search(search_id: int):
    services.delete_saved_search(current_user, search_id)
    flash(_("The saved search is deleted."), "success")
    return redirect(url_for(".index"))
