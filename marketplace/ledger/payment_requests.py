"""Payment requests: an organisation asks another for an amount; the payer approves (a transfer
under the same rules as any other) or declines; the asker may withdraw an open request.

Each answer is a conditional UPDATE on the request's status, so that a double click or two
members answering at once pay once. Services only flush; the caller commits."""

from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from marketplace.auth.models import User
from marketplace.core.clock import utcnow
from marketplace.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from marketplace.extensions import db
from marketplace.ledger import services
from marketplace.ledger.amounts import from_cents, to_cents
from marketplace.ledger.models import PaymentRequest


def request_payment(user: User, payer_organisation_id, amount, reason) -> PaymentRequest:
    """The user's organisation asks another one to pay it (e.g. for a loan or a service)."""
    services.require_currency()
    problems: dict[str, list[str]] = {}
    value = services.amount_from(amount, "amount", problems)
    text = services.required_reason(reason, problems)
    payer = services.organisation_from(payer_organisation_id, user, problems)
    if "payee_organisation_id" in problems:
        problems["payer_organisation_id"] = problems.pop("payee_organisation_id")
    if problems:
        raise ValidationFailed(problems)
    request = PaymentRequest(
        payee_id=user.organisation_id,
        payer_id=payer.id,
        amount_cents=to_cents(value),
        reason=text,
        created_by_id=user.id,
    )
    db.session.add(request)
    db.session.flush()
    return request


def approve_request(user: User, request: PaymentRequest) -> PaymentRequest:
    """The payer pays what was asked; 409 insufficient_credit leaves the request open."""
    if user.organisation_id != request.payer_id:
        raise PermissionDenied(_("Only the organisation asked to pay can approve."))
    _answer(request, "approved", user)
    paid = services.transfer(
        request.payer_id,
        request.payee_id,
        from_cents(request.amount_cents),
        request.reason,
        actor=user,
        kind="request",
    )
    request.transfer_id = paid.id
    db.session.flush()
    return request


def decline_request(user: User, request: PaymentRequest) -> PaymentRequest:
    if user.organisation_id != request.payer_id:
        raise PermissionDenied(_("Only the organisation asked to pay can decline."))
    _answer(request, "declined", user)
    return request


def cancel_request(user: User, request: PaymentRequest) -> PaymentRequest:
    if user.organisation_id != request.payee_id:
        raise PermissionDenied(_("Only the organisation that asked can withdraw the request."))
    _answer(request, "cancelled", user)
    return request


def _answer(request: PaymentRequest, status: str, user: User) -> None:
    moved = db.session.execute(
        update(PaymentRequest)
        .where(PaymentRequest.id == request.id, PaymentRequest.status == "open")
        .values(status=status, answered_by_id=user.id, answered_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not moved:
        raise Conflict(_("This request has already been answered."))
    db.session.refresh(request)


def get_request_for_user(request_id: int, user: User) -> PaymentRequest:
    request = db.session.get(PaymentRequest, request_id)
    if request is None or user.organisation_id not in (request.payer_id, request.payee_id):
        raise NotFound()
    return request


def list_requests(organisation_id: int, *, open_only: bool = True, limit: int = 50):
    """Requests to and from the organisation, newest first."""
    query = select(PaymentRequest).where(
        or_(PaymentRequest.payer_id == organisation_id, PaymentRequest.payee_id == organisation_id)
    )
    if open_only:
        query = query.where(PaymentRequest.status == "open")
    return list(db.session.scalars(query.order_by(PaymentRequest.id.desc()).limit(limit)))
