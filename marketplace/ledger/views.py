"""Web pages of one's own account: balance and history, paying, payment requests, a transfer,
its reversal, and the statement as CSV, XLSX and a printable page. Before the operator sets a
currency up every page here is a 404."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.core.errors import DomainError, ValidationFailed, raise_access_errors
from marketplace.core.forms import copy_errors
from marketplace.core.pagination import Page, PageRequest
from marketplace.extensions import db
from marketplace.ledger import payment_requests, queries, services
from marketplace.ledger.forms import PayForm, PaymentRequestForm, ReasonForm, StatementFilterForm
from marketplace.ledger.models import PAYMENT_REQUEST_STATUSES, TRANSFER_KINDS
from marketplace.ledger.statements import (
    filters_from,
    organisation_choices,
    statement_csv_response,
    statement_xlsx_response,
)

bp = Blueprint("ledger", __name__)


@bp.get("/account")
@login_required
def account():
    currency = services.require_currency()
    form = StatementFilterForm(request.args)
    filters = filters_from(form)
    page_request = PageRequest.from_args(request.args, default_per_page=25)
    lines, total = queries.statement(current_user.organisation_id, filters, page_request)
    return render_template(
        "ledger/account.html",
        currency=currency,
        account=queries.get_account_view(current_user.organisation_id, currency),
        form=form,
        page=Page(lines, total, page_request.page, page_request.per_page),
        requests=payment_requests.list_requests(current_user.organisation_id),
        kinds=TRANSFER_KINDS,
        request_statuses=PAYMENT_REQUEST_STATUSES,
        filtered=any(request.args.get(k) for k in ("start", "end", "direction", "q")),
    )


@bp.route("/account/pay", methods=["GET", "POST"])
@login_required
def pay():
    currency = services.require_currency()
    form = PayForm(payee_organisation_id=request.args.get("to", ""))
    form.payee_organisation_id.choices = organisation_choices(current_user.organisation_id)
    if form.validate_on_submit():
        try:
            payment = services.pay(
                current_user,
                form.payee_organisation_id.data,
                form.amount.data,
                form.reason.data,
                idempotency_key=form.idempotency_key.data,
            )
            if payment.replayed:
                db.session.rollback()
                flash(_("This payment had already been made; nothing was paid twice."), "info")
            else:
                flash(_("Payment made."), "success")
            return redirect(url_for(".transfer", transfer_id=payment.transfer.id))
        except ValidationFailed as error:
            db.session.rollback()
            copy_errors(form, error.fields)
        except DomainError as error:
            db.session.rollback()
            raise_access_errors(error)
            form.form_errors.append(error.message)
    status = 422 if request.method == "POST" else 200
    account = queries.get_account_view(current_user.organisation_id, currency)
    return render_template("ledger/pay.html", form=form, account=account), status


@bp.get("/account/transfers/<int:transfer_id>")
@login_required
def transfer(transfer_id: int):
    services.require_currency()
    row = queries.get_transfer_for_user(transfer_id, current_user)
    return render_template(
        "ledger/transfer.html",
        transfer=row,
        reversal=queries.reversal_of(row.id),
        can_reverse=services.may_reverse(current_user, row),
        form=ReasonForm(formdata=None),
        kinds=TRANSFER_KINDS,
    )


@bp.post("/account/transfers/<int:transfer_id>/reverse")
@login_required
def reverse(transfer_id: int):
    services.require_currency()
    row = queries.get_transfer_for_user(transfer_id, current_user)
    form = ReasonForm()
    try:
        if not form.validate():
            raise ValidationFailed({"reason": form.reason.errors})
        back = services.reverse_transfer(current_user, row, form.reason.data)
        db.session.flush()  # the reversal's id, for the redirect
        flash(_("The transfer was reversed."), "success")
        return redirect(url_for(".transfer", transfer_id=back.id))
    except DomainError as error:
        db.session.rollback()
        raise_access_errors(error)
        flash(error.message, "error")
    return redirect(url_for(".transfer", transfer_id=transfer_id))


@bp.route("/account/requests/new", methods=["GET", "POST"])
@login_required
def new_request():
    services.require_currency()
    form = PaymentRequestForm(payer_organisation_id=request.args.get("from", ""))
    form.payer_organisation_id.choices = organisation_choices(current_user.organisation_id)
    if form.validate_on_submit():
        try:
            payment_requests.request_payment(
                current_user, form.payer_organisation_id.data, form.amount.data, form.reason.data
            )
            flash(_("Your request was sent."), "success")
            return redirect(url_for(".account"))
        except ValidationFailed as error:
            db.session.rollback()
            copy_errors(form, error.fields)
    status = 422 if request.method == "POST" else 200
    return render_template("ledger/request_form.html", form=form), status


_ANSWERS = {
    "approve": (payment_requests.approve_request, _("Paid.")),
    "decline": (payment_requests.decline_request, _("Request declined.")),
    "cancel": (payment_requests.cancel_request, _("Request withdrawn.")),
}


@bp.post("/account/requests/<int:request_id>/<any(approve, decline, cancel):answer>")
@login_required
def answer_request(request_id: int, answer: str):
    services.require_currency()
    found = payment_requests.get_request_for_user(request_id, current_user)
    apply, done = _ANSWERS[answer]
    try:
        apply(current_user, found)
        flash(str(done), "success")
    except DomainError as error:
        db.session.rollback()
        raise_access_errors(error)
        flash(error.message, "error")
    return redirect(url_for(".account", _anchor="requests"))


@bp.get("/account/statement")
@login_required
def statement():
    """A printable statement of a period: opening balance, every line, closing balance."""
    currency = services.require_currency()
    form = StatementFilterForm(request.args)
    filters = filters_from(form)
    lines, _total = queries.statement(current_user.organisation_id, filters, None)
    return render_template(
        "ledger/statement.html",
        currency=currency,
        account=queries.get_account_view(current_user.organisation_id, currency),
        filters=filters,
        lines=list(reversed(lines)),
        opening=queries.balance_before(current_user.organisation_id, filters.start),
        kinds=TRANSFER_KINDS,
    )


@bp.get("/account/statement.<any(csv, xlsx):fmt>")
@login_required
def statement_download(fmt: str):
    services.require_currency()
    filters = filters_from(StatementFilterForm(request.args))
    lines, _total = queries.statement(current_user.organisation_id, filters, None)
    if fmt == "csv":
        return statement_csv_response(lines, current_user.organisation, filters)
    return statement_xlsx_response(lines, current_user.organisation, filters)
