"""Writes of moderation, shared by the web views (and any later API); they flush, the caller
commits. Every moderation step writes an audit event; the organisation hears of decisions by
e-mail after the commit."""

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from marketplace.audit.services import record_action
from marketplace.auth.access import require_coordinator
from marketplace.auth.models import User
from marketplace.auth.throttle import throttle_enabled
from marketplace.core.clock import utcnow
from marketplace.core.errors import (
    InvalidTransition,
    PermissionDenied,
    TooManyAttempts,
    ValidationFailed,
)
from marketplace.extensions import db
from marketplace.listings.models import HIDDEN, LIVE_STATUSES, Listing
from marketplace.listings.services import is_member
from marketplace.moderation.models import (
    ACTIVE_HIDING_STATES,
    REPORT_REASONS,
    Favourite,
    ListingHiding,
    ListingReport,
    ModerationEvent,
)
from marketplace.moderation.notifications import notify_organisation

DETAILS_MAX = 1000
REASON_MIN, REASON_MAX = 3, 1000
APPEAL_MIN, APPEAL_MAX = 10, 2000
NOTE_MAX = 1000
#: Reports one person may file per hour (MODERATION_REPORTS_PER_HOUR overrides it).
REPORTS_PER_HOUR = 10
#: Statuses a coordinator may hide a listing from (withdrawn ones are off the market already).
HIDEABLE_STATUSES = ("open", "reserved", "closed", "expired")


# -- rights ---------------------------------------------------------------------------------------


def require_moderator(user: User | None) -> None:
    require_coordinator(user, _("Only coordinators can moderate listings."))


#: Moderation actions that are coordinators' decisions: also in the admins' audit log.
_AUDITED = {
    "hidden": "listing.hide",
    "restored": "listing.restore",
    "upheld": "listing.uphold",
    "dismissed": "reports.dismiss",
}


def _record(actor: User, action: str, listing: Listing, reason: str = "") -> ModerationEvent:
    entry = ModerationEvent(actor_id=actor.id, action=action, listing_id=listing.id, reason=reason)
    db.session.add(entry)
    if action in _AUDITED:
        record_action(
            actor,
            _AUDITED[action],
            organisation_id=listing.organisation_id,
            subject=f"listing {listing.id}",
            details=reason,
        )
    return entry


def _text(value, name: str, low: int, high: int, *, required: bool) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text and not required:
        return ""
    if len(text) < low:
        raise ValidationFailed({name: [_("At least %(min)d characters.", min=low)]})
    if len(text) > high:
        raise ValidationFailed({name: [_("At most %(max)d characters.", max=high)]})
    return text


# -- favourites -----------------------------------------------------------------------------------


def save_favourite(user: User, listing: Listing) -> None:
    """Remember a listing the user may see ("Merken"); saving twice changes nothing."""
    exists = db.session.execute(
        select(Favourite.id).where(Favourite.user_id == user.id, Favourite.listing_id == listing.id)
    ).first()
    if exists:
        return
    try:
        with db.session.begin_nested():
            db.session.add(Favourite(user_id=user.id, listing_id=listing.id))
    except IntegrityError:
        pass  # saved in another tab at the same moment: the wish is fulfilled


def remove_favourite(user: User, listing_id: int) -> None:
    """Forget a saved listing, whatever has become of it (only the user's own row goes)."""
    db.session.execute(
        delete(Favourite).where(Favourite.user_id == user.id, Favourite.listing_id == listing_id)
    )


# -- reports --------------------------------------------------------------------------------------


def _check_report_rate(user: User) -> None:
    if not throttle_enabled():
        return
    limit = int(current_app.config.get("MODERATION_REPORTS_PER_HOUR", REPORTS_PER_HOUR))
    recent = db.session.execute(
        select(func.count(ListingReport.id)).where(
            ListingReport.reporter_id == user.id,
            ListingReport.created_at >= utcnow() - timedelta(hours=1),
        )
    ).scalar_one()
    if recent >= limit:
        raise TooManyAttempts(
            _("You have reported many listings in a short time; please try again later."),
            retry_after=3600,
        )


def check_can_report(user: User, listing: Listing) -> None:
    if is_member(user, listing.organisation_id):
        raise PermissionDenied(_("You cannot report your own organisation's listing."))


def report_listing(user: User, listing: Listing, reason: str, details: str = "") -> ListingReport:
    """Any signed-in person reports another organisation's listing to the coordinators."""
    check_can_report(user, listing)
    errors: dict[str, list[str]] = {}
    if reason not in REPORT_REASONS:
        errors["reason"] = [_("Choose one of the reasons.")]
    details = details.strip() if isinstance(details, str) else ""
    if len(details) > DETAILS_MAX:
        errors["details"] = [_("At most %(max)d characters.", max=DETAILS_MAX)]
    elif reason == "other" and not details:
        errors["details"] = [_("Please say briefly what is wrong.")]
    if errors:
        raise ValidationFailed(errors)
    if _open_report_of(user, listing) is not None:
        raise InvalidTransition(_("You have already reported this listing; it waits for review."))
    _check_report_rate(user)
    report = ListingReport(
        listing_id=listing.id, reporter_id=user.id, reason=reason, details=details, status="open"
    )
    try:
        with db.session.begin_nested():
            db.session.add(report)
    except IntegrityError:
        raise InvalidTransition(
            _("You have already reported this listing; it waits for review.")
        ) from None
    _record(user, "reported", listing, f"{reason}: {details}" if details else reason)
    db.session.flush()
    return report


def _open_report_of(user: User, listing: Listing) -> ListingReport | None:
    return db.session.execute(
        select(ListingReport).where(
            ListingReport.listing_id == listing.id,
            ListingReport.reporter_id == user.id,
            ListingReport.status == "open",
        )
    ).scalar_one_or_none()


def _close_open_reports(listing: Listing, coordinator: User, status: str) -> int:
    return (
        db.session.execute(
            update(ListingReport)
            .where(ListingReport.listing_id == listing.id, ListingReport.status == "open")
            .values(status=status, closed_at=utcnow(), closed_by_id=coordinator.id)
            .execution_options(synchronize_session=False)
        ).rowcount
        or 0
    )


def dismiss_reports(coordinator: User, listing: Listing, note: str = "") -> int:
    """A coordinator finds nothing wrong: the listing's open reports leave the queue."""
    require_moderator(coordinator)
    note = _text(note, "note", 0, NOTE_MAX, required=False)
    closed = _close_open_reports(listing, coordinator, "dismissed")
    if not closed:
        raise InvalidTransition(_("There are no open reports for this listing."))
    _record(coordinator, "dismissed", listing, note)
    db.session.flush()
    return closed


# -- hiding, appeal, decision ---------------------------------------------------------------------


def current_hiding(listing: Listing) -> ListingHiding | None:
    return db.session.execute(
        select(ListingHiding).where(
            ListingHiding.listing_id == listing.id,
            ListingHiding.state.in_(ACTIVE_HIDING_STATES),
        )
    ).scalar_one_or_none()


def hide_listing(coordinator: User, listing: Listing, reason: str) -> ListingHiding:
    """Take a listing off the market with a reason; its open reports count as dealt with."""
    require_moderator(coordinator)
    reason = _text(reason, "reason", REASON_MIN, REASON_MAX, required=True)
    previous = db.session.execute(
        select(Listing.status).where(Listing.id == listing.id)
    ).scalar_one()
    if previous not in HIDEABLE_STATUSES:
        raise InvalidTransition(_("This listing cannot be hidden in its current state."))
    # The same conditional UPDATE as the other status changes: only from the status just read,
    # so that a concurrent change (an acceptance, a second coordinator) is never overwritten.
    changed = db.session.execute(
        update(Listing)
        .where(Listing.id == listing.id, Listing.status == previous)
        .values(status=HIDDEN, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise InvalidTransition(_("The listing changed in the meantime; please try again."))
    hiding = ListingHiding(
        listing_id=listing.id,
        reason=reason,
        previous_status=previous,
        state="hidden",
        hidden_by_id=coordinator.id,
    )
    db.session.add(hiding)
    _close_open_reports(listing, coordinator, "actioned")
    _record(coordinator, "hidden", listing, reason)
    db.session.flush()
    db.session.expire(listing)
    notify_organisation(listing, "hidden", reason=reason)
    return hiding


def check_can_appeal(user: User, listing: Listing) -> ListingHiding:
    """The hiding a member of the organisation may still appeal against, else an error."""
    if not is_member(user, listing.organisation_id):
        raise PermissionDenied(_("Only the organisation that posted the listing can appeal."))
    hiding = current_hiding(listing)
    if hiding is None:
        raise InvalidTransition(_("This listing is not hidden."))
    if hiding.state != "hidden":
        raise InvalidTransition(_("An appeal has already been made for this listing."))
    return hiding


def appeal_hiding(user: User, listing: Listing, text: str) -> ListingHiding:
    """A member of the organisation asks the coordinators to look again (once per hiding)."""
    hiding = check_can_appeal(user, listing)
    text = _text(text, "text", APPEAL_MIN, APPEAL_MAX, required=True)
    changed = _move_hiding(
        hiding,
        "hidden",
        state="appealed",
        appeal_text=text,
        appealed_by_id=user.id,
        appealed_at=utcnow(),
    )
    if not changed:
        raise InvalidTransition(_("An appeal has already been made for this listing."))
    _record(user, "appealed", listing, text)
    db.session.flush()
    return hiding


def restore_listing(coordinator: User, listing: Listing, note: str = "") -> ListingHiding:
    """Undo a hiding: the listing goes back to the status it had (open or reserved by what is
    left, when it was live)."""
    require_moderator(coordinator)
    note = _text(note, "note", 0, NOTE_MAX, required=False)
    hiding = current_hiding(listing)
    if hiding is None:
        raise InvalidTransition(_("This listing is not hidden."))
    previous = hiding.previous_status
    # A live listing comes back open or reserved by what is left: exchanges may have been
    # cancelled or completed while it was hidden.
    live = case((Listing.quantity_remaining <= 0, "reserved"), else_="open")
    back = live if previous in LIVE_STATUSES else previous
    changed = db.session.execute(
        update(Listing)
        .where(Listing.id == listing.id, Listing.status == HIDDEN)
        .values(status=back, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1 or not _move_hiding(
        hiding, hiding.state, **_decision("restored", coordinator, note)
    ):
        raise InvalidTransition(_("The listing changed in the meantime; please try again."))
    _record(coordinator, "restored", listing, note)
    db.session.flush()
    db.session.expire(listing)
    notify_organisation(listing, "restored", note=note)
    return hiding


def uphold_hiding(coordinator: User, listing: Listing, note: str = "") -> ListingHiding:
    """Decide an appeal against the organisation: the listing stays hidden for good."""
    require_moderator(coordinator)
    note = _text(note, "note", 0, NOTE_MAX, required=False)
    hiding = current_hiding(listing)
    if hiding is None or not _move_hiding(
        hiding, "appealed", **_decision("upheld", coordinator, note)
    ):
        raise InvalidTransition(_("There is no appeal to decide for this listing."))
    _record(coordinator, "upheld", listing, note)
    db.session.flush()
    notify_organisation(listing, "upheld", note=note, reason=hiding.reason)
    return hiding


def _decision(state: str, coordinator: User, note: str) -> dict:
    return {
        "state": state,
        "decision_note": note or None,
        "decided_by_id": coordinator.id,
        "decided_at": utcnow(),
    }


def _move_hiding(hiding: ListingHiding, from_state: str, **values) -> bool:
    """Conditional UPDATE of a hiding's state; False when someone else moved it first."""
    changed = db.session.execute(
        update(ListingHiding)
        .where(ListingHiding.id == hiding.id, ListingHiding.state == from_state)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(hiding)
    return changed == 1
