"""The audit log (issue 16, point 8): coordinators' and admins' actions are recorded in their own
transaction, shown to admins only, exported as CSV, and never changed."""

import csv
import io

import pytest
from sqlalchemy import select, update

from marketplace.audit.models import AuditEntry
from marketplace.core.append_only import AppendOnlyViolation
from marketplace.core.errors import InvalidTransition
from marketplace.directory.services import verify_function
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.moderation import services as moderation
from tests import factories
from tests.ledger.helpers import member, taler


def _actions() -> list[str]:
    db.session.expire_all()
    return [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


@pytest.fixture
def coordinator(make):
    return make.user(role="coordinator", name='=HYPERLINK("http://evil")')


def test_each_kind_of_action_is_recorded_with_who_and_what(app_ctx, make, coordinator):
    owner = make.user()
    listing = make.listing(organisation=owner.organisation)
    moderation.hide_listing(coordinator, listing, "Gefährliche Ware, bitte prüfen")
    moderation.restore_listing(coordinator, listing, "geprüft")
    factories.organisation_function(owner.organisation, "C", note="Reparaturtreff")
    verify_function(owner.organisation, "C", coordinator)
    verify_function(owner.organisation, "C", coordinator, verified=False)
    taler()
    payer = member("Projektzentrum Lindenau")
    ledger.change_limits(coordinator, payer.organisation_id, "-500", "5000", "Förderprojekt")
    ledger.set_frozen(coordinator, payer.organisation_id, True, "Prüfung")
    db.session.commit()
    assert _actions() == [
        "listing.hide",
        "listing.restore",
        "function.verify",
        "function.unverify",
        "account.limits",
        "account.freeze",
    ]
    hide = db.session.scalars(select(AuditEntry)).first()
    assert hide.actor_id == coordinator.id and hide.actor_role == "coordinator"
    assert hide.organisation_id == owner.organisation_id
    assert hide.subject == f"listing {listing.id}" and "Gefährliche Ware" in hide.details


def test_an_action_that_fails_leaves_no_entry(app_ctx, make, coordinator):
    listing = make.listing()
    moderation.hide_listing(coordinator, listing, "Gefährliche Ware, bitte prüfen")
    db.session.commit()
    with pytest.raises(InvalidTransition):  # already hidden
        moderation.hide_listing(coordinator, listing, "Noch einmal verstecken, bitte")
    db.session.rollback()
    assert _actions() == ["listing.hide"]


def test_entries_are_never_changed(app_ctx, make, coordinator):
    listing = make.listing()
    moderation.hide_listing(coordinator, listing, "Gefährliche Ware, bitte prüfen")
    db.session.commit()
    entry = db.session.scalars(select(AuditEntry)).one()
    entry.details = "nichts passiert"
    with pytest.raises(AppendOnlyViolation):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AppendOnlyViolation):
        db.session.execute(update(AuditEntry).values(details="x"))
    db.session.rollback()


def test_admins_read_and_export_it_others_get_403(client, login_as, make, coordinator):
    listing = make.listing()
    moderation.hide_listing(coordinator, listing, "Gefährliche Ware, bitte prüfen")
    db.session.commit()
    login_as(coordinator)
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit.csv").status_code == 403
    login_as(make.user(role="admin"))
    page = client.get("/admin/audit?action=listing.hide").get_data(as_text=True)
    assert "Listing hidden" in page and "Gefährliche Ware" in page
    assert "=HYPERLINK(&#34;http://evil&#34;)" in page  # shown escaped
    assert "Gefährliche Ware" not in client.get("/admin/audit?action=account.freeze").text
    export = client.get("/admin/audit.csv", buffered=True)
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True))))
    assert rows[0][:6] == ["id", "time_utc", "actor_id", "actor", "role", "action"]
    assert rows[1][5] == "listing.hide"
    assert rows[1][3].startswith("'=")  # a spreadsheet does not evaluate the actor's name


def test_the_export_reads_every_entry_in_batches(app_ctx, make, coordinator):
    from marketplace.audit.queries import export_entries
    from marketplace.audit.services import record_action

    for n in range(5):
        record_action(coordinator, "exchange.brokered", subject=f"exchange {n}")
    db.session.commit()
    rows = list(export_entries(make.user(role="admin"), batch=2))
    assert [row.subject for row in rows] == [f"exchange {n}" for n in range(5)]
