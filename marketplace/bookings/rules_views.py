"""The booking rules page of a lend/book offer, for members of its organisation."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.bookings.queries import get_rules_row
from marketplace.bookings.rules_forms import BookingRulesForm, initial_rules_data
from marketplace.bookings.rules_services import set_booking_rules
from marketplace.core.errors import Conflict, PermissionDenied, ValidationFailed
from marketplace.core.forms import copy_errors
from marketplace.extensions import db
from marketplace.listings.queries import get_listing_for_viewer

bp = Blueprint("booking_rules", __name__)


@bp.route("/listings/<int:listing_id>/booking-rules", methods=["GET", "POST"])
@login_required
def edit(listing_id: int):
    listing = get_listing_for_viewer(listing_id, current_user.organisation_id)
    if listing.organisation_id != current_user.organisation_id:
        raise PermissionDenied(_("Only members of the organisation that posted it can change it."))
    if listing.kind != "offer" or not listing.is_shared:
        flash(_("Only offers that are lent or booked have booking rules."), "error")
        return redirect(url_for("listings.edit", listing_id=listing.id))
    form = BookingRulesForm(data=initial_rules_data(get_rules_row(listing.id)))
    if form.validate_on_submit():
        try:
            set_booking_rules(current_user, listing, form.rules_data())
        except (ValidationFailed, Conflict) as error:
            db.session.rollback()
            copy_errors(form, getattr(error, "fields", {"": [error.message]}))
        else:
            flash(_("The booking rules are saved."), "success")
            return redirect(url_for("listings.detail", listing_id=listing.id))
    return render_template("bookings/rules_form.html", form=form, listing=listing)
