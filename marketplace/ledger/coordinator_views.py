"""The coordinator's pages of the currency: the region's figures and every account, one
organisation's account with its history, its limits, freezing and the log of changes."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.core.clock import today
from marketplace.core.errors import ValidationFailed
from marketplace.core.forms import copy_errors
from marketplace.core.pagination import Page, PageRequest
from marketplace.extensions import db
from marketplace.ledger import queries, services
from marketplace.ledger.amounts import from_cents
from marketplace.ledger.forms import FreezeForm, LimitsForm, StatementFilterForm
from marketplace.ledger.models import TRANSFER_KINDS
from marketplace.ledger.statements import filters_from

bp = Blueprint("ledger_admin", __name__)

MONTHS_SHOWN = 12


def _last_months(count: int) -> tuple[str, str]:
    first = today().replace(day=1)
    year, month = first.year, first.month - (count - 1)
    while month < 1:
        year, month = year - 1, month + 12
    return f"{year:04d}-{month:02d}", first.strftime("%Y-%m")


@bp.get("/accounts")
@login_required
def overview():
    currency = services.require_currency()
    queries.require_accounts_viewer(current_user)
    order = request.args.get("order", "name")
    page_request = PageRequest.from_args(request.args, default_per_page=50)
    first, last = _last_months(MONTHS_SHOWN)
    return render_template(
        "ledger/overview.html",
        currency=currency,
        figures=queries.overview(currency, first, last),
        accounts=queries.list_accounts(current_user, currency, page_request, order),
        order=order if order in queries.ACCOUNT_ORDERS else "name",
    )


def _render_account(org_id: int, limits_form=None, freeze_form=None, status: int = 200):
    currency = services.require_currency()
    queries.require_accounts_viewer(current_user)
    account = queries.get_account_view(org_id, currency)
    form = StatementFilterForm(request.args)
    page_request = PageRequest.from_args(request.args, default_per_page=25)
    lines, total = queries.statement(org_id, filters_from(form), page_request)
    return render_template(
        "ledger/organisation_account.html",
        currency=currency,
        account=account,
        form=form,
        page=Page(lines, total, page_request.page, page_request.per_page),
        limits_form=limits_form
        or LimitsForm(
            formdata=None,
            min_balance=f"{account.min_balance:f}",
            max_balance=f"{account.max_balance:f}",
        ),
        freeze_form=freeze_form or FreezeForm(formdata=None, frozen=account.frozen),
        changes=queries.account_changes(org_id),
        kinds=TRANSFER_KINDS,
        from_cents=from_cents,
    ), status


@bp.get("/accounts/<int:org_id>")
@login_required
def account(org_id: int):
    return _render_account(org_id)


@bp.post("/accounts/<int:org_id>/limits")
@login_required
def change_limits(org_id: int):
    queries.require_accounts_viewer(current_user)
    form = LimitsForm()
    if form.validate():
        try:
            services.change_limits(
                current_user, org_id, form.min_balance.data, form.max_balance.data, form.reason.data
            )
            flash(_("The limits were changed."), "success")
            return redirect(url_for(".account", org_id=org_id))
        except ValidationFailed as error:
            db.session.rollback()
            copy_errors(form, error.fields)
    return _render_account(org_id, limits_form=form, status=422)


@bp.post("/accounts/<int:org_id>/freeze")
@login_required
def freeze(org_id: int):
    queries.require_accounts_viewer(current_user)
    form = FreezeForm()
    if form.validate():
        try:
            account = services.set_frozen(current_user, org_id, form.frozen.data, form.reason.data)
            flash(
                _("The account is frozen.") if account.frozen else _("The account is open again."),
                "success",
            )
            return redirect(url_for(".account", org_id=org_id))
        except ValidationFailed as error:
            db.session.rollback()
            copy_errors(form, error.fields)
    return _render_account(org_id, freeze_form=form, status=422)
