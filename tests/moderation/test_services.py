"""Moderation rules as services: favourites, reports, hiding, appeal, restore, uphold, the log."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, select, update

from marketplace.core.append_only import AppendOnlyViolation
from marketplace.core.clock import utcnow
from marketplace.core.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    TooManyAttempts,
    ValidationFailed,
)
from marketplace.core.pagination import PageRequest
from marketplace.extensions import db
from marketplace.listings.queries import get_listing_for_viewer
from marketplace.moderation import queries, services
from marketplace.moderation.models import (
    Favourite,
    ListingReport,
    ModerationEvent,
)


def actions_logged(listing) -> list[str]:
    return list(
        db.session.execute(
            select(ModerationEvent.action)
            .where(ModerationEvent.listing_id == listing.id)
            .order_by(ModerationEvent.id)
        ).scalars()
    )


def hide(people, reason="Verbotene Ware: lebende Tiere"):
    services.report_listing(people.reporter, people.listing, "prohibited", "")
    hiding = services.hide_listing(people.coordinator, people.listing, reason)
    db.session.commit()
    return hiding


# -- favourites -----------------------------------------------------------------------------------


def test_saving_twice_keeps_one_favourite_and_removing_forgets_it(people):
    services.save_favourite(people.reporter, people.listing)
    services.save_favourite(people.reporter, people.listing)
    db.session.commit()
    page = queries.list_favourites(people.reporter, PageRequest())
    assert [saved.listing.id for saved in page.items] == [people.listing.id]
    assert page.items[0].available and page.items[0].visible

    services.remove_favourite(people.reporter, people.listing.id)
    db.session.commit()
    assert db.session.execute(select(Favourite)).first() is None


def test_a_saved_listing_that_was_hidden_shows_as_no_longer_available(people):
    services.save_favourite(people.reporter, people.listing)
    hide(people)
    [saved] = queries.list_favourites(people.reporter, PageRequest()).items
    assert not saved.available and not saved.visible
    services.remove_favourite(people.reporter, people.listing.id)  # still removable
    db.session.commit()
    assert queries.list_favourites(people.reporter, PageRequest()).total == 0


# -- reports --------------------------------------------------------------------------------------


def test_a_report_is_logged_and_waits_in_the_queue(people):
    services.report_listing(people.reporter, people.listing, "spam", "Werbung für einen Shop")
    db.session.commit()
    [item] = queries.list_reported_listings(people.coordinator, PageRequest()).items
    assert item.listing.id == people.listing.id and item.count == 1
    assert item.reasons == {"spam": 1}
    assert item.details == ["Werbung für einen Shop"]
    assert actions_logged(people.listing) == ["reported"]


def test_reports_are_grouped_by_listing_with_their_reasons(people, make):
    second = make.user()
    services.report_listing(people.reporter, people.listing, "spam")
    services.report_listing(second, people.listing, "misleading", "Sind nur 10 Stück")
    db.session.commit()
    [item] = queries.list_reported_listings(people.coordinator, PageRequest()).items
    assert item.count == 2 and item.reasons == {"spam": 1, "misleading": 1}


def test_nobody_reports_their_own_organisations_listing(people):
    with pytest.raises(PermissionDenied):
        services.report_listing(people.colleague, people.listing, "spam")


def test_report_input_is_checked(people):
    with pytest.raises(ValidationFailed) as bad_reason:
        services.report_listing(people.reporter, people.listing, "boring")
    assert "reason" in bad_reason.value.fields
    with pytest.raises(ValidationFailed) as no_details:
        services.report_listing(people.reporter, people.listing, "other", "  ")
    assert "details" in no_details.value.fields
    with pytest.raises(ValidationFailed) as too_long:
        services.report_listing(people.reporter, people.listing, "spam", "x" * 1001)
    assert "details" in too_long.value.fields


def test_one_open_report_per_person_and_listing(people):
    services.report_listing(people.reporter, people.listing, "spam")
    db.session.commit()
    with pytest.raises(InvalidTransition):
        services.report_listing(people.reporter, people.listing, "offensive")


def test_the_same_person_may_report_again_after_a_dismissal(people):
    services.report_listing(people.reporter, people.listing, "spam")
    services.dismiss_reports(people.coordinator, people.listing)
    db.session.commit()
    services.report_listing(people.reporter, people.listing, "offensive")
    db.session.commit()


def test_reports_are_rate_limited_per_person(app, people, make):
    app.config.update(RATELIMIT_ENABLED=True, MODERATION_REPORTS_PER_HOUR=2)
    try:
        for _ in range(2):
            services.report_listing(people.reporter, make.listing(), "spam")
        with pytest.raises(TooManyAttempts):
            services.report_listing(people.reporter, make.listing(), "spam")
        # An hour later the person may report again.
        db.session.execute(update(ListingReport).values(created_at=utcnow() - timedelta(hours=2)))
        services.report_listing(people.reporter, make.listing(), "spam")
    finally:
        app.config.update(RATELIMIT_ENABLED=False)
        app.config.pop("MODERATION_REPORTS_PER_HOUR")


# -- hiding ---------------------------------------------------------------------------------------


def test_only_coordinators_moderate(people):
    services.report_listing(people.reporter, people.listing, "spam")
    for action in (services.hide_listing, services.dismiss_reports):
        with pytest.raises(PermissionDenied):
            action(people.reporter, people.listing, "Das gefällt mir nicht")
    with pytest.raises(PermissionDenied):
        queries.list_reported_listings(people.owner, PageRequest())
    with pytest.raises(PermissionDenied):
        queries.list_events(people.owner, PageRequest())


def test_hiding_takes_the_listing_off_for_others_but_not_for_its_organisation(people, outbox):
    services.report_listing(people.reporter, people.listing, "prohibited")
    services.hide_listing(people.coordinator, people.listing, "Lebende Tiere sind verboten")
    assert outbox == []  # nothing leaves before the commit
    db.session.commit()

    assert people.listing.status == "hidden"
    with pytest.raises(NotFound):
        get_listing_for_viewer(people.listing.id, people.reporter.organisation_id)
    with pytest.raises(NotFound):
        get_listing_for_viewer(people.listing.id, None)
    assert get_listing_for_viewer(people.listing.id, people.owner.organisation_id)
    hiding = services.current_hiding(people.listing)
    assert hiding.previous_status == "open" and hiding.reason == "Lebende Tiere sind verboten"
    # The reports are dealt with and the queue is empty again.
    assert queries.list_reported_listings(people.coordinator, PageRequest()).total == 0
    assert {m.to[0] for m in outbox} == {people.owner.email, people.colleague.email}
    assert all("Lebende Tiere sind verboten" in m.body for m in outbox)
    assert actions_logged(people.listing) == ["reported", "hidden"]


def test_hiding_needs_a_reason_and_a_listing_on_the_market(people, make):
    with pytest.raises(ValidationFailed):
        services.hide_listing(people.coordinator, people.listing, " ")
    withdrawn = make.listing(status="withdrawn")
    with pytest.raises(InvalidTransition):
        services.hide_listing(people.coordinator, withdrawn, "Doppelt eingestellt")
    hide(people)
    with pytest.raises(InvalidTransition):
        services.hide_listing(people.coordinator, people.listing, "Noch einmal")


def test_the_owner_cannot_edit_or_withdraw_a_hidden_listing(people):
    from marketplace.listings.services import update_listing, withdraw_listing

    hide(people)
    with pytest.raises(InvalidTransition):
        update_listing(people.listing, people.owner, {"title": "Neuer Titel"})
    with pytest.raises(InvalidTransition):
        withdraw_listing(people.listing, people.owner)


def test_dismissing_closes_the_open_reports_and_is_logged(people):
    services.report_listing(people.reporter, people.listing, "misleading")
    assert services.dismiss_reports(people.coordinator, people.listing, "Stimmt so") == 1
    db.session.commit()
    assert people.listing.status == "open"
    assert queries.list_reported_listings(people.coordinator, PageRequest()).total == 0
    with pytest.raises(InvalidTransition):
        services.dismiss_reports(people.coordinator, people.listing)
    assert actions_logged(people.listing) == ["reported", "dismissed"]


# -- appeal and decision --------------------------------------------------------------------------


def test_the_organisation_appeals_once_and_the_appeal_lands_in_the_queue(people):
    hide(people)
    with pytest.raises(PermissionDenied):
        services.appeal_hiding(people.reporter, people.listing, "Ich finde das ungerecht.")
    with pytest.raises(ValidationFailed):
        services.appeal_hiding(people.owner, people.listing, "kurz")
    services.appeal_hiding(people.owner, people.listing, "Es sind Holzpaletten, keine Tiere.")
    db.session.commit()
    [appeal] = queries.list_appeals(people.coordinator)
    assert appeal.listing_id == people.listing.id
    assert appeal.appeal_text == "Es sind Holzpaletten, keine Tiere."
    with pytest.raises(InvalidTransition):
        services.appeal_hiding(people.colleague, people.listing, "Bitte noch einmal prüfen.")


def test_restoring_returns_the_listing_to_its_previous_status(people, outbox):
    hide(people)
    services.appeal_hiding(people.owner, people.listing, "Es sind Holzpaletten, keine Tiere.")
    outbox.clear()
    services.restore_listing(people.coordinator, people.listing, "Verwechslung, Entschuldigung")
    db.session.commit()
    assert people.listing.status == "open"
    assert services.current_hiding(people.listing) is None
    assert get_listing_for_viewer(people.listing.id, None).id == people.listing.id
    assert queries.list_appeals(people.coordinator) == []
    assert {m.to[0] for m in outbox} == {people.owner.email, people.colleague.email}
    assert actions_logged(people.listing) == ["reported", "hidden", "appealed", "restored"]
    with pytest.raises(InvalidTransition):
        services.restore_listing(people.coordinator, people.listing)


def test_a_reserved_listing_comes_back_open_when_quantity_was_released_meanwhile(people):
    people.listing.status = "reserved"
    people.listing.quantity_remaining = Decimal("0")
    db.session.commit()
    hide(people)
    assert services.current_hiding(people.listing).previous_status == "reserved"
    people.listing.quantity_remaining = Decimal("10")  # an accepted exchange was cancelled
    db.session.commit()
    services.restore_listing(people.coordinator, people.listing)
    db.session.commit()
    assert people.listing.status == "open"


def test_upholding_decides_an_appeal_and_the_listing_stays_hidden(people, outbox):
    hide(people)
    with pytest.raises(InvalidTransition):
        services.uphold_hiding(people.coordinator, people.listing)  # nothing appealed yet
    services.appeal_hiding(people.owner, people.listing, "Es sind Holzpaletten, keine Tiere.")
    with pytest.raises(PermissionDenied):
        services.uphold_hiding(people.owner, people.listing)
    outbox.clear()
    services.uphold_hiding(people.coordinator, people.listing, "Die Fotos zeigen Tiere.")
    db.session.commit()
    assert people.listing.status == "hidden"
    assert services.current_hiding(people.listing).state == "upheld"
    assert queries.list_appeals(people.coordinator) == []
    assert outbox and "Die Fotos zeigen Tiere." in outbox[0].body
    with pytest.raises(InvalidTransition):
        services.appeal_hiding(people.owner, people.listing, "Noch ein Einspruch bitte.")
    assert actions_logged(people.listing)[-1] == "upheld"


# -- audit log ------------------------------------------------------------------------------------


def test_the_audit_log_is_append_only(people):
    services.report_listing(people.reporter, people.listing, "spam")
    db.session.commit()
    entry = db.session.execute(select(ModerationEvent)).scalar_one()
    entry.reason = "changed"
    with pytest.raises(AppendOnlyViolation):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AppendOnlyViolation):
        db.session.delete(db.session.execute(select(ModerationEvent)).scalar_one())
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AppendOnlyViolation):
        db.session.execute(delete(ModerationEvent))
    db.session.rollback()
    assert db.session.execute(select(ModerationEvent.reason)).scalar_one() == "spam"


def test_the_audit_log_filters_by_listing_and_action(people, make):
    other = make.listing()
    services.report_listing(people.reporter, people.listing, "spam")
    services.report_listing(people.reporter, other, "offensive")
    services.dismiss_reports(people.coordinator, other)
    db.session.commit()
    page = queries.list_events(people.coordinator, PageRequest(), listing_id=other.id)
    assert [e.action for e in page.items] == ["dismissed", "reported"]
    page = queries.list_events(people.coordinator, PageRequest(), action="reported")
    assert page.total == 2
    entry = page.items[-1]
    assert entry.actor_id == people.reporter.id and entry.created_at is not None
