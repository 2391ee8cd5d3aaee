"""Web forms for signing in, password reset and the profile. Forms only parse; the services
decide what is valid, and their ValidationFailed is copied back onto the form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired

#: Language names in their own language, so everyone finds theirs.
LANGUAGE_CHOICES = [SelectChoice("de", "Deutsch"), SelectChoice("en", "English")]

ROLE_LABELS = {
    "member": _l("Member"),
    "coordinator": _l("Coordinator"),
    "admin": _l("Administrator"),
}


class LoginForm(FlaskForm):
    # Field names `email` and `password` are part of the contract (password managers rely on them).
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(_l("Please enter your e-mail address."))],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_l("Please enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(_l("Please enter your e-mail address."))],
        render_kw={"autocomplete": "email", "autofocus": True},
    )


class NewPasswordMixin:
    password = PasswordField(
        _l("New password"),
        validators=[InputRequired(_l("Please choose a password."))],
        render_kw={"autocomplete": "new-password", "minlength": 10, "maxlength": 128},
    )
    password_repeat = PasswordField(
        _l("Repeat the password"),
        validators=[
            InputRequired(_l("Please repeat the password.")),
            EqualTo("password", _l("The two passwords do not match.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    pass


class ProfileForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        validators=[DataRequired(_l("Please enter your name."))],
        render_kw={"autocomplete": "name", "maxlength": 120},
    )
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(_l("Please enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[InputRequired(_l("Please choose a new password."))],
        render_kw={"autocomplete": "new-password", "minlength": 10, "maxlength": 128},
    )
    new_password_repeat = PasswordField(
        _l("Repeat the new password"),
        validators=[
            InputRequired(_l("Please repeat the new password.")),
            EqualTo("new_password", _l("The two passwords do not match.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
