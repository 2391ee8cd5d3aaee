"""API v1: accounts (contract: shared/api-v1.md "Accounts")."""

from flask import current_app, g, request
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate

from marketplace.api.auth import api_user, token_required
from marketplace.api.schemas import ErrorOutput, InputSchema  # noqa: F401 - ErrorOutput: decorators
from marketplace.auth import services as auth_services
from marketplace.auth.models import ROLES
from marketplace.auth.passwords import MAX_LENGTH, MIN_LENGTH
from marketplace.auth.tokens import issue_api_token, revoke_api_token
from marketplace.core.clock import as_aware
from marketplace.core.errors import ValidationFailed
from marketplace.core.unit_of_work import commit_despite_refusal, read_back_writes
from marketplace.extensions import limiter
from marketplace.orgs.models import ORGANISATION_KINDS
from marketplace.orgs.services import register_organisation
from marketplace.privacy.erasure import erase_account

blp = Blueprint("api_accounts", __name__, description="accounts")

BEARER = [{"bearerAuth": []}]
#: The service names organisation fields flatly; the API nests them under `organisation`.
_ORGANISATION_FIELDS = {
    "organisation_name": "organisation.name",
    "kind": "organisation.kind",
    "postcode": "organisation.postcode",
    "district": "organisation.district",
}


# --- schemas --------------------------------------------------------------------------------------


class _Input(InputSchema):
    def handle_error(self, error: ValidationError, data, *, many: bool, **kwargs):
        """Name nested problems `organisation.kind`, as the service's problems are named."""
        raise ValidationError(_dotted(error.messages)) from None


def _dotted(messages, prefix: str = "") -> dict:
    if not isinstance(messages, dict):
        return {prefix or "_schema": messages}
    flat: dict = {}
    for key, value in messages.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if key == "_schema" and prefix:  # the nested object itself was wrong (e.g. not an object)
            name = prefix
        if isinstance(value, dict):
            flat.update(_dotted(value, name))
        else:
            flat[name] = value
    return flat


class OrganisationInput(_Input):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=validate.OneOf(list(ORGANISATION_KINDS)))
    postcode = fields.String(
        required=True, validate=validate.Regexp(r"^[0-9]{5}$"), metadata={"example": "10115"}
    )
    district = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))


class RegisterInput(_Input):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=MIN_LENGTH, max=MAX_LENGTH)
    )
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    organisation = fields.Nested(OrganisationInput, required=True)
    locale = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(["de", "en"])
    )
    #: Optional so that existing clients keep working: an API client registers people through
    #: its own interface, which must show the terms and privacy notice; leaving the field out
    #: records consent to the current version, `false` refuses the registration (422).
    accept_terms = fields.Boolean(
        load_default=True,
        metadata={
            "description": "The person accepted the terms of use (/nutzungsbedingungen) and "
            "the privacy notice (/datenschutz) in their current version; default true."
        },
    )


class CredentialsInput(_Input):
    email = fields.String(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=1024))


class PasswordInput(_Input):
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=1024))


class OrganisationOutput(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String(metadata={"enum": list(ORGANISATION_KINDS)})
    postcode = fields.String()
    district = fields.String(allow_none=True)


class UserOutput(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    role = fields.String(metadata={"enum": list(ROLES)})
    locale = fields.String()


class RegisteredOutput(Schema):
    user = fields.Nested(UserOutput)
    organisation = fields.Nested(OrganisationOutput)


class TokenOutput(Schema):
    token = fields.String(metadata={"description": "Send as `Authorization: Bearer <token>`."})
    expires_at = fields.DateTime(metadata={"description": "ISO 8601 with offset"})


class MeOutput(UserOutput):
    organisation = fields.Nested(OrganisationOutput)


# --- endpoints ------------------------------------------------------------------------------------


@blp.route("/register", methods=["POST"])
@limiter.limit("30 per hour")
@blp.arguments(RegisterInput)
@blp.response(201, RegisteredOutput)
@blp.alt_response(
    409, schema=ErrorOutput, description="The e-mail address is taken (`email_taken`)."
)
@blp.alt_response(422, schema=ErrorOutput, description="Invalid fields, listed in `fields`.")
def register(data):
    """Register a person and their organisation; the person becomes a `member`."""
    organisation = data["organisation"]
    try:
        user = register_organisation(
            email=data["email"],
            password=data["password"],
            name=data["name"],
            organisation_name=organisation["name"],
            kind=organisation["kind"],
            postcode=organisation["postcode"],
            district=organisation.get("district"),
            locale=data.get("locale") or _request_language(),
            accepted_terms=data["accept_terms"],
        )
    except ValidationFailed as error:
        raise ValidationFailed(
            {_ORGANISATION_FIELDS.get(k, k): v for k, v in error.fields.items()}
        ) from None
    read_back_writes()
    return {"user": user, "organisation": user.organisation}


@blp.route("/tokens", methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_ROUTE_LIMIT"])
@blp.arguments(CredentialsInput)
@blp.response(201, TokenOutput)
@blp.alt_response(
    401,
    schema=ErrorOutput,
    description="Wrong credentials (the same whether or not the e-mail exists).",
)
@blp.alt_response(429, schema=ErrorOutput, description="Too many failed attempts; see Retry-After.")
def create_token(data):
    """Exchange e-mail and password for a bearer token (256 random bits, expiring)."""
    try:
        user = auth_services.authenticate(
            data["email"], data["password"], request.remote_addr or ""
        )
    except auth_services.InvalidCredentials:
        commit_despite_refusal()  # the failure counts towards the throttle
        raise
    token, expires_at = issue_api_token(user)
    return {"token": token, "expires_at": as_aware(expires_at)}


@blp.route("/tokens/current", methods=["DELETE"])
@blp.doc(security=BEARER)
@token_required
@blp.response(204)
@blp.alt_response(401, schema=ErrorOutput, description="No valid bearer token.")
def delete_current_token():
    """Revoke the token this request is made with."""
    revoke_api_token(g.api_token)


@blp.route("/me", methods=["GET"])
@blp.doc(security=BEARER)
@token_required
@blp.response(200, MeOutput)
@blp.alt_response(401, schema=ErrorOutput, description="No valid bearer token.")
def me():
    """The signed-in user and their organisation."""
    return api_user()


@blp.route("/me", methods=["DELETE"])
@blp.doc(security=BEARER)
@token_required
@blp.arguments(PasswordInput)
@blp.response(204)
@blp.alt_response(401, schema=ErrorOutput, description="No valid bearer token.")
@blp.alt_response(
    422, schema=ErrorOutput, description="Missing or wrong password (`fields.password`)."
)
def delete_me(data):
    """Erase the caller's account (GDPR Art. 17): anonymised, every token and session ends; the
    organisation and its listings and exchanges stay as they are."""
    erase_account(api_user(), data["password"], organisation_choice="keep")


def _request_language() -> str:
    return request.accept_languages.best_match(["de", "en"]) or "de"
