"""Web endpoint: a coordinator sends chosen pairs of the allocation as proposals."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from marketplace.core.errors import DomainError, raise_access_errors
from marketplace.exchanges.brokered import propose_brokered_exchanges, require_broker
from marketplace.extensions import db

bp = Blueprint("brokered", __name__)


class BrokeredForm(FlaskForm):
    """The message; the pairs come as checkbox values "offer_id:request_id:quantity"."""

    message = TextAreaField(
        _l("Message to both organisations"), validators=[Optional(), Length(max=4000)]
    )


@bp.post("/exchanges/brokered")
@login_required
def propose():
    require_broker(current_user)  # before the form is read
    form = BrokeredForm()
    back = redirect(url_for("match_board.allocation"))
    if not form.validate():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return back
    try:
        outcome = propose_brokered_exchanges(
            current_user, request.form.getlist("pair"), form.message.data or ""
        )
    except DomainError as error:
        db.session.rollback()
        raise_access_errors(error)
        flash(error.message, "error")
        return back
    flash(
        _summary(len(outcome.created), len(outcome.skipped)),
        "success" if outcome.created else "error",
    )
    return back


def _summary(created: int, skipped: int) -> str:
    sent = ngettext("%(num)d proposal sent.", "%(num)d proposals sent.", created)
    if not skipped:
        return sent
    return (
        sent
        + " "
        + ngettext(
            "%(num)d pair skipped: it no longer holds.",
            "%(num)d pairs skipped: they no longer hold.",
            skipped,
        )
    )
