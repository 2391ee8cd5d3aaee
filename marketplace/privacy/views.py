"""Web pages of the profile: download one's data, delete one's account.

The download is the JSON of GET /api/v1/me/export: the same records (privacy.export) through the
API's own schema, so that both answers are the same document."""

import json

from flask import Blueprint, Response, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from marketplace.api.personal_data import PersonalDataSchema
from marketplace.core.errors import ValidationFailed
from marketplace.core.forms import copy_errors
from marketplace.extensions import db
from marketplace.privacy.erasure import erase_account, is_last_member
from marketplace.privacy.export import collect_personal_data
from marketplace.privacy.forms import DeleteAccountForm

bp = Blueprint("privacy", __name__)


@bp.get("/profile/export.json")
@login_required
def export():
    data = PersonalDataSchema().dump(collect_personal_data(current_user._get_current_object()))
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="stoffwechsel-meine-daten.json"'},
    )


@bp.route("/profile/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    user = current_user._get_current_object()
    last_member = is_last_member(user)
    form = DeleteAccountForm()
    if form.validate_on_submit():
        choice = form.organisation_choice.data if last_member else "keep"
        try:
            erase_account(user, form.password.data, organisation_choice=choice or "")
        except ValidationFailed as error:
            db.session.rollback()
            copy_errors(form, error.fields)
        else:
            logout_user()
            session.clear()
            flash(_("Your account has been deleted. Goodbye!"), "success")
            return redirect(url_for("pages.home"))
    return render_template("privacy/delete_account.html", form=form, last_member=last_member)
