"""Web pages: registration, managing one's organisation, invitations.

The public organisation profile (/orgs/<id>) is `pages.organisation`, built in marketplace.pages."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.auth.forms import ROLE_LABELS
from marketplace.auth.services import EmailTaken, LinkExpired, start_browser_session
from marketplace.core.errors import NotFound, ValidationFailed
from marketplace.core.forms import copy_errors
from marketplace.core.i18n import current_language
from marketplace.extensions import db, limiter
from marketplace.orgs import queries, services
from marketplace.orgs.forms import (
    AcceptInvitationForm,
    InvitationForm,
    OrganisationForm,
    RegistrationForm,
)

bp = Blueprint("orgs", __name__)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def register():
    if current_user.is_authenticated:
        flash(_("You are already registered and signed in."), "info")
        return redirect(url_for("auth.profile"))
    form = RegistrationForm(locale=current_language())
    if form.is_submitted():
        # The form's checks and the service's (weak password, address taken) in one submit.
        valid = form.validate()
        problems = services.registration_problems(**form.service_data())
        copy_errors(form, {k: v for k, v in problems.items() if not _has_errors(form, k)})
        if valid and not problems:
            try:
                user = services.register_organisation(**form.service_data())
            except EmailTaken as error:  # lost a race for the address a moment ago
                db.session.rollback()
                copy_errors(form, {"email": [error.message]})
            else:
                start_browser_session(user, request.user_agent.string)
                flash(_("Welcome to Stoffwechsel! Your organisation is registered."), "success")
                return redirect(url_for("auth.profile"))
    return render_template("orgs/register.html", form=form)


def _has_errors(form, name: str) -> bool:
    field = form._fields.get(name)
    return field is not None and bool(field.errors)


@bp.route("/orgs/<int:org_id>/edit", methods=["GET", "POST"])
@login_required
def edit(org_id: int):
    organisation = queries.get_organisation_for_member(org_id, current_user)
    form = OrganisationForm(obj=organisation)
    if form.validate_on_submit():
        try:
            services.update_organisation(organisation, current_user, **form.service_data())
        except ValidationFailed as error:
            db.session.rollback()
            copy_errors(form, error.fields)
        else:
            flash(_("The organisation's profile has been saved."), "success")
            return redirect(url_for("pages.organisation", org_id=organisation.id))
    return render_template("orgs/edit.html", form=form, organisation=organisation)


@bp.route("/orgs/<int:org_id>/members", methods=["GET", "POST"])
@login_required
def members(org_id: int):
    organisation = queries.get_organisation_for_member(org_id, current_user)
    form = InvitationForm()
    if form.validate_on_submit():
        try:
            invitation, _token = services.invite_member(
                organisation, current_user._get_current_object(), form.email.data
            )
        except ValidationFailed as error:
            db.session.rollback()
            copy_errors(form, error.fields)
        else:
            flash(
                _("The invitation is on its way to %(email)s.", email=invitation.email), "success"
            )
            return redirect(url_for("orgs.members", org_id=organisation.id))
    return render_template(
        "orgs/members.html",
        organisation=organisation,
        members=queries.list_members(organisation),
        invitations=queries.list_pending_invitations(organisation),
        form=form,
        role_labels=ROLE_LABELS,
    )


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    form = AcceptInvitationForm(locale=current_language())
    try:
        invitation = services.usable_invitation(token)
        if current_user.is_authenticated:
            return render_template("orgs/invitation.html", invitation=invitation, form=None)
        if form.validate_on_submit():
            user = services.accept_invitation(
                token,
                form.name.data,
                form.password.data,
                form.locale.data,
                accepted_terms=bool(form.accept_terms.data),
            )
            start_browser_session(user, request.user_agent.string)
            flash(_("Welcome to %(name)s on Stoffwechsel!", name=user.organisation.name), "success")
            return redirect(url_for("auth.profile"))
    except ValidationFailed as error:
        db.session.rollback()
        copy_errors(form, error.fields)
    except EmailTaken as error:
        db.session.rollback()
        form.form_errors.append(error.message)
    except (NotFound, LinkExpired) as error:
        return render_template("orgs/invitation_invalid.html", message=error.message), error.status
    return render_template("orgs/invitation.html", invitation=invitation, form=form)
