"""Web pages: the exchange inbox, an exchange with its thread and actions, proposing, receipts."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.core.database import declare_write_intent
from marketplace.core.errors import DomainError, ValidationFailed, raise_access_errors
from marketplace.core.forms import copy_errors
from marketplace.core.numbers import format_number
from marketplace.core.pagination import PageRequest
from marketplace.core.unit_of_work import commit_before_reading
from marketplace.exchanges import conversation, queries, services, workflow
from marketplace.exchanges.forms import CompleteForm, MessageForm, NoteForm, ProposeForm
from marketplace.exchanges.models import EXCHANGE_STATUSES, MASS_BASES, TRANSPORT_MODES
from marketplace.extensions import db
from marketplace.ledger.queries import payments_for_exchange
from marketplace.ledger.services import get_currency

bp = Blueprint("exchanges", __name__)


@bp.app_template_filter("plain_quantity")
def plain_quantity(value) -> str:
    """A number for an input field: the locale's decimal separator, no thousands separator
    ("1234,5" in German), which the services read back unambiguously."""
    return "" if value is None else format_number(value, format="0.###")


@bp.app_template_filter("local_day")
def local_day(value, fmt: str = "medium") -> str:
    """The calendar day of a stored UTC time, in the marketplace's time zone."""
    return "" if value is None else format_date(value, fmt)


@bp.app_template_global("offer_open_for_proposals")
def offer_open_for_proposals(listing) -> bool:
    return queries.is_open_for_proposals(listing)


@bp.app_template_global("can_propose_exchange")
def can_propose_exchange(listing, user) -> bool:
    """For the listing page: an open offer of another organisation than the user's."""
    return (
        queries.is_open_for_proposals(listing)
        and user.is_authenticated
        and user.organisation_id != listing.organisation_id
    )


@bp.app_template_global("exchanges_of_listing")
def exchanges_of_listing(listing, user) -> list:
    """The user's organisation's exchanges on an offer (for the listing page)."""
    if not user.is_authenticated or listing.kind != "offer":
        return []
    return queries.list_exchanges_of_offer(listing.id, user.organisation_id)


@bp.get("/exchanges")
@login_required
def index():
    status = request.args.get("status") if request.args.get("status") in EXCHANGE_STATUSES else None
    role = request.args.get("role") if request.args.get("role") in workflow.ROLES else None
    page = queries.list_exchanges_of_organisation(
        current_user.organisation_id, PageRequest.from_args(request.args), status, role
    )
    unread = queries.unread_counts(current_user, [e.id for e in page.items])
    return render_template(
        "exchanges/index.html",
        page=page,
        unread=unread,
        status=status,
        role=role,
        statuses=EXCHANGE_STATUSES,
    )


@bp.get("/exchanges/<int:exchange_id>")
@login_required
def detail(exchange_id: int):
    declare_write_intent()  # opening the page marks it as read
    exchange = queries.get_exchange_for_user(exchange_id, current_user)
    conversation.mark_exchange_read(current_user, exchange)
    commit_before_reading()
    return _render_detail(queries.get_exchange_for_user(exchange_id, current_user))


def _render_detail(exchange, complete_form=None, message_form=None, status: int = 200):
    role = queries.role_of(current_user, exchange)
    if complete_form is None:
        complete_form = CompleteForm(formdata=None, quantity=plain_quantity(exchange.quantity))
    return render_template(
        "exchanges/detail.html",
        exchange=exchange,
        role=role,
        actions=workflow.allowed_actions(exchange.status, role),
        messages=queries.list_messages_for(current_user, exchange),
        events=queries.list_events(exchange),
        complete_form=complete_form,
        message_form=message_form or MessageForm(formdata=None),
        mass_bases=MASS_BASES,
        transport_modes=TRANSPORT_MODES,
        payments=payments_for_exchange(exchange.id) if get_currency() else [],
    ), status


def _act(exchange_id: int, action, done: str):
    """Run one transition for the signed-in user; a refusal becomes a flash message."""
    exchange = queries.get_exchange_for_user(exchange_id, current_user)
    form = NoteForm()
    try:
        if not form.validate():
            raise ValidationFailed({"note": form.note.errors})
        action(exchange, form.note.data or "")
        flash(done, "success")
    except DomainError as error:
        db.session.rollback()
        raise_access_errors(error)
        flash(error.message, "error")
    return redirect(url_for(".detail", exchange_id=exchange_id))


@bp.post("/exchanges/<int:exchange_id>/accept")
@login_required
def accept(exchange_id: int):
    return _act(
        exchange_id,
        lambda e, _note: services.accept_exchange(current_user, e),
        _("Accepted: the quantity is reserved for the receiver."),
    )


@bp.post("/exchanges/<int:exchange_id>/decline")
@login_required
def decline(exchange_id: int):
    return _act(
        exchange_id,
        lambda e, note: services.decline_exchange(current_user, e, note),
        _("The proposal was declined."),
    )


@bp.post("/exchanges/<int:exchange_id>/cancel")
@login_required
def cancel(exchange_id: int):
    return _act(
        exchange_id,
        lambda e, note: services.cancel_exchange(current_user, e, note),
        _("The exchange was cancelled."),
    )


@bp.post("/exchanges/<int:exchange_id>/complete")
@login_required
def complete(exchange_id: int):
    exchange = queries.get_exchange_for_user(exchange_id, current_user)
    form = CompleteForm()
    if form.validate():
        try:
            services.complete_exchange(
                current_user,
                exchange,
                quantity=form.quantity.data,
                weighed_kg=form.weighed_kg.data or None,
                transport_mode=form.transport_mode.data or None,
            )
            flash(_("Hand-over confirmed. Thank you!"), "success")
            return redirect(url_for(".detail", exchange_id=exchange_id))
        except ValidationFailed as error:
            db.session.rollback()
            copy_errors(form, error.fields)
        except DomainError as error:
            db.session.rollback()
            raise_access_errors(error)
            flash(error.message, "error")
            return redirect(url_for(".detail", exchange_id=exchange_id))
    exchange = queries.get_exchange_for_user(exchange_id, current_user)
    return _render_detail(exchange, complete_form=form, status=422)


@bp.post("/exchanges/<int:exchange_id>/messages")
@login_required
def post_message(exchange_id: int):
    exchange = queries.get_exchange_for_user(exchange_id, current_user)
    form = MessageForm()
    if form.validate():
        try:
            conversation.post_message(current_user, exchange, form.body.data)
            return redirect(url_for(".detail", exchange_id=exchange_id, _anchor="messages"))
        except ValidationFailed as error:
            db.session.rollback()
            copy_errors(form, error.fields)
    exchange = queries.get_exchange_for_user(exchange_id, current_user)
    return _render_detail(exchange, message_form=form, status=422)


@bp.route("/listings/<int:listing_id>/propose", methods=["GET", "POST"])
@login_required
def propose(listing_id: int):
    offer = queries.get_offer_for_proposal(listing_id, current_user)
    form = ProposeForm()
    form.set_requests(queries.list_open_requests_of_organisation(current_user.organisation_id))
    if request.method == "GET":
        form.quantity.data = plain_quantity(offer.quantity_remaining)
    elif form.validate():
        try:
            exchange = services.propose_exchange(
                current_user,
                offer,
                form.quantity.data,
                request=queries.get_request_for_proposal(form.request_id.data, current_user),
                message=form.message.data or "",
            )
            db.session.flush()  # the exchange's id, for the redirect
            flash(_("Your proposal was sent. You will hear back by e-mail."), "success")
            return redirect(url_for(".detail", exchange_id=exchange.id))
        except ValidationFailed as error:
            db.session.rollback()
            copy_errors(form, error.fields)
        except DomainError as error:
            db.session.rollback()
            raise_access_errors(error)
            flash(error.message, "error")
    return render_template("exchanges/propose.html", form=form, offer=offer)


@bp.get("/exchanges/<int:exchange_id>/receipt")
@login_required
def receipt(exchange_id: int):
    exchange = queries.get_receipt_exchange(exchange_id, current_user)
    return render_template("exchanges/receipt.html", exchange=exchange)
