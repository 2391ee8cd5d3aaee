"""Web pages: sign in and out, password reset, the user's own profile."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from marketplace.auth import services
from marketplace.auth.devices import remember_device, trusted_device
from marketplace.auth.forms import (
    ROLE_LABELS,
    ForgotPasswordForm,
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    ResetPasswordForm,
)
from marketplace.core.errors import NotFound, TooManyAttempts, ValidationFailed
from marketplace.core.forms import copy_errors
from marketplace.core.unit_of_work import commit_despite_refusal
from marketplace.core.urls import safe_next_path
from marketplace.extensions import db, limiter

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_ROUTE_LIMIT"], methods=["POST"])
def login():
    form = LoginForm()
    next_path = request.form.get("next") if request.method == "POST" else request.args.get("next")
    target = safe_next_path(next_path, url_for("start.index"))
    form.next.data = target
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(target)
    status, headers = 200, {}
    if form.validate_on_submit():
        device = trusted_device(form.email.data)
        try:
            user = services.authenticate(
                form.email.data, form.password.data, _client_address(), device
            )
        except services.InvalidCredentials as error:
            commit_despite_refusal()  # the failure counts towards the throttle
            form.form_errors.append(error.message)
        except TooManyAttempts as error:
            form.form_errors.append(error.message)
            status, headers = 429, {"Retry-After": str(error.retry_after)}
        else:
            services.start_browser_session(user, request.user_agent.string)
            response = redirect(target)
            remember_device(response, user.email, device)
            return response
    return render_template("auth/login.html", form=form), status, headers


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        services.end_browser_session(current_user._get_current_object())
        flash(_("You have been signed out. See you soon!"), "success")
    return redirect(url_for("pages.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("5 per minute;30 per hour", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        # The same answer whether or not the address has an account.
        flash(
            _(
                "If an account exists for this address, we have just sent it a link to choose "
                "a new password. The link is valid for one hour."
            ),
            "success",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    form = ResetPasswordForm()
    try:
        services.usable_reset_token(token)
        if form.validate_on_submit():
            services.reset_password(token, form.password.data)
            logout_user()  # this browser's session row is gone too
            flash(_("Your new password is set. Please sign in with it."), "success")
            return redirect(url_for("auth.login"))
    except ValidationFailed as error:
        db.session.rollback()
        copy_errors(form, error.fields)
    except (NotFound, services.LinkExpired) as error:
        return _link_invalid(error)
    return render_template("auth/reset_password.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    user = current_user._get_current_object()
    form = ProfileForm(obj=user)
    if form.validate_on_submit():
        try:
            services.update_profile(user, form.name.data, form.locale.data)
        except ValidationFailed as error:
            db.session.rollback()
            copy_errors(form, error.fields)
        else:
            flash(_("Your profile has been saved."), "success")
            return redirect(url_for("auth.profile"))
    return _profile_page(user, form, PasswordChangeForm(formdata=None))


@bp.post("/profile/password")
@login_required
def change_password():
    user = current_user._get_current_object()
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(user, form.current_password.data, form.new_password.data)
        except ValidationFailed as error:
            db.session.rollback()
            copy_errors(form, error.fields)
        else:
            flash(
                _("Your password has been changed; other devices have been signed out."), "success"
            )
            return redirect(url_for("auth.profile"))
    return _profile_page(user, ProfileForm(formdata=None, obj=user), form)


def _profile_page(user, form: ProfileForm, password_form: PasswordChangeForm):
    return render_template(
        "auth/profile.html",
        user=user,
        form=form,
        password_form=password_form,
        role_label=ROLE_LABELS.get(user.role, user.role),
    )


def _link_invalid(error):
    return render_template("auth/link_invalid.html", message=error.message), error.status


def _client_address() -> str:
    return request.remote_addr or ""
