"""Web forms for registration, the organisation profile and invitations. They never carry a role
or an organisation id (mass assignment): the services take only the fields named here."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired

from marketplace.auth.forms import LANGUAGE_CHOICES, NewPasswordMixin
from marketplace.core.region import add_region_placeholders
from marketplace.orgs.models import ORGANISATION_KINDS

KIND_CHOICES = [SelectChoice(kind, label) for kind, label in ORGANISATION_KINDS.items()]


class OrganisationFieldsMixin:
    kind = SelectField(_l("Kind of organisation"), choices=KIND_CHOICES)
    postcode = StringField(
        _l("Postcode"),
        validators=[DataRequired(_l("Please enter the postcode."))],
        render_kw={
            "autocomplete": "postal-code",
            "inputmode": "numeric",
            "maxlength": 5,
            "pattern": "[0-9]{5}",
        },
    )
    district = StringField(_l("District or neighbourhood"), render_kw={"maxlength": 120})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        add_region_placeholders(self)


class ConsentMixin:
    #: Required here and checked again by the service (which stores the version and time).
    accept_terms = BooleanField(
        _l("I accept the terms of use and have read the privacy notice."),
        validators=[DataRequired(_l("Please accept the terms of use and the privacy notice."))],
    )


class RegistrationForm(NewPasswordMixin, OrganisationFieldsMixin, ConsentMixin, FlaskForm):
    name = StringField(
        _l("Your name"),
        validators=[DataRequired(_l("Please enter your name."))],
        render_kw={"autocomplete": "name", "maxlength": 120},
    )
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(_l("Please enter your e-mail address."))],
        render_kw={"autocomplete": "email"},
    )
    organisation_name = StringField(
        _l("Name of the organisation"),
        validators=[DataRequired(_l("Please enter the name of the organisation."))],
        render_kw={"autocomplete": "organization", "maxlength": 200},
    )
    locale = SelectField(_l("Language for e-mails and pages"), choices=LANGUAGE_CHOICES)

    def service_data(self) -> dict:
        return {
            "email": self.email.data,
            "password": self.password.data,
            "name": self.name.data,
            "organisation_name": self.organisation_name.data,
            "kind": self.kind.data,
            "postcode": self.postcode.data,
            "district": self.district.data,
            "locale": self.locale.data,
            "accepted_terms": bool(self.accept_terms.data),
        }


class OrganisationForm(OrganisationFieldsMixin, FlaskForm):
    name = StringField(
        _l("Name of the organisation"),
        validators=[DataRequired(_l("Please enter the name of the organisation."))],
        render_kw={"maxlength": 200},
    )
    description = TextAreaField(
        _l("About the organisation"), render_kw={"rows": 6, "maxlength": 2000}
    )
    website = URLField(_l("Website"), render_kw={"placeholder": "https://", "maxlength": 300})
    public_address = StringField(
        _l("Address to show (optional)"), render_kw={"maxlength": 200, "autocomplete": "off"}
    )

    def service_data(self) -> dict:
        return {
            "public_address": self.public_address.data,
            "name": self.name.data,
            "kind": self.kind.data,
            "postcode": self.postcode.data,
            "district": self.district.data,
            "description": self.description.data,
            "website": self.website.data,
        }


class InvitationForm(FlaskForm):
    email = EmailField(
        _l("E-mail address of your colleague"),
        validators=[DataRequired(_l("Please enter an e-mail address."))],
        render_kw={"autocomplete": "off"},
    )


class AcceptInvitationForm(NewPasswordMixin, ConsentMixin, FlaskForm):
    name = StringField(
        _l("Your name"),
        validators=[DataRequired(_l("Please enter your name."))],
        render_kw={"autocomplete": "name", "maxlength": 120},
    )
    locale = SelectField(_l("Language for e-mails and pages"), choices=LANGUAGE_CHOICES)
