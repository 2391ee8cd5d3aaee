"""Web pages of the directory: the map (/map), the embeddable map (/embed/map) and its snippet,
the function x district gaps, the directory CSV, and editing functions, sites and logo."""

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.auth.services import absolute_url
from marketplace.core.errors import ValidationFailed
from marketplace.core.forms import copy_errors
from marketplace.core.frames import embeddable
from marketplace.directory import logos, services
from marketplace.directory.export import directory_csv_response
from marketplace.directory.forms import FunctionsForm, LogoForm, SiteForm
from marketplace.directory.functions import function_catalogue
from marketplace.directory.gaps import function_matrix
from marketplace.directory.map_page import get_map_page
from marketplace.directory.queries import get_organisation, get_organisation_entry
from marketplace.extensions import db

bp = Blueprint("directory", __name__)


@bp.get("/map")
def map_page():
    page = get_map_page(request.args)
    return render_template("directory/map.html", page=page), 422 if page.errors else 200


@bp.get("/embed/map")
@embeddable
def embed_map():
    page = get_map_page(request.args, with_list=False)
    return render_template("directory/embed.html", page=page), 422 if page.errors else 200


@bp.get("/map/embed")
def embed_code():
    page = get_map_page(request.args, with_list=False)
    # Partner sites keep the snippet for years: the public address, not this request's Host.
    embed_url = absolute_url("directory.embed_map", **page.filters.args())
    return render_template("directory/embed_code.html", page=page, embed_url=embed_url)


@bp.get("/map/gaps")
def gaps():
    return render_template(
        "directory/gaps.html", matrix=function_matrix(), catalogue=function_catalogue()
    )


@bp.get("/orgs/export.csv")
def export_csv():
    return directory_csv_response(request.args)


@bp.route("/orgs/<int:org_id>/functions", methods=["GET", "POST"])
@login_required
def edit_functions(org_id: int):
    entry = get_organisation_entry(org_id)
    services.require_profile_editor(entry.organisation, current_user)
    current = {f.code: f.note for f in entry.details.functions}
    form = FunctionsForm.for_claims(current, request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        try:
            services.set_functions(entry.organisation, current_user, form.claims())
        except ValidationFailed as error:
            db.session.rollback()
            copy_errors(form, error.fields)
        else:
            flash(_("The functions have been saved."), "success")
            return redirect(url_for("pages.organisation", org_id=org_id))
    return render_template(
        "directory/functions.html",
        entry=entry,
        form=form,
        catalogue=function_catalogue(),
        verified={f.code for f in entry.details.functions if f.verified},
    )


@bp.post("/orgs/<int:org_id>/functions/<code>/verification")
@login_required
def verify(org_id: int, code: str):
    verified = request.form.get("verified") == "1"
    services.verify_function(get_organisation(org_id), code, current_user, verified)
    flash(_("Confirmed.") if verified else _("The confirmation has been withdrawn."), "success")
    return redirect(url_for("pages.organisation", org_id=org_id) + "#functions")


@bp.route("/orgs/<int:org_id>/sites", methods=["GET", "POST"])
@login_required
def sites(org_id: int):
    entry = get_organisation_entry(org_id)
    services.require_profile_editor(entry.organisation, current_user)
    form = SiteForm()
    if form.validate_on_submit():
        try:
            services.add_site(entry.organisation, current_user, **_site_data(form))
        except ValidationFailed as error:
            db.session.rollback()
            copy_errors(form, error.fields)
        else:
            flash(_("The place has been added."), "success")
            return redirect(url_for("directory.sites", org_id=org_id))
    return render_template("directory/sites.html", entry=entry, form=form)


def _site_data(form: SiteForm) -> dict:
    return {"name": form.name.data, "postcode": form.postcode.data, "district": form.district.data}


@bp.post("/orgs/<int:org_id>/sites/<int:site_id>/delete")
@login_required
def delete_site(org_id: int, site_id: int):
    services.remove_site(get_organisation(org_id), current_user, site_id)
    flash(_("The place has been removed."), "success")
    return redirect(url_for("directory.sites", org_id=org_id))


@bp.route("/orgs/<int:org_id>/logo/edit", methods=["GET", "POST"])
@login_required
def edit_logo(org_id: int):
    organisation = get_organisation(org_id)
    services.require_profile_editor(organisation, current_user)
    form = LogoForm()
    if form.validate_on_submit():
        try:
            if request.form.get("remove"):
                logos.remove_logo(organisation, current_user)
            else:
                logos.set_logo(organisation, current_user, form.logo.data)
        except ValidationFailed as error:
            db.session.rollback()
            copy_errors(form, error.fields)
        else:
            flash(_("The logo has been saved."), "success")
            return redirect(url_for("pages.organisation", org_id=org_id))
    return render_template("directory/logo.html", organisation=organisation, form=form)


@bp.get("/orgs/<int:org_id>/logo")
def logo(org_id: int):
    path = logos.logo_path(get_organisation(org_id), small=request.args.get("size") == "small")
    if path is None:
        abort(404)
    response = send_file(path, mimetype="image/jpeg", max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
