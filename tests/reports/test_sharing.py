"""Sharing figures: bookings of lend and book offers, counted apart from hand-overs."""

import json
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from marketplace.auth.models import User
from marketplace.bookings.models import Booking
from marketplace.core.clock import utcnow
from marketplace.extensions import db
from marketplace.reports.filters import ReportFilters
from marketplace.reports.queries import summarise
from marketplace.reports.sharing import summarise_sharing
from tests import factories
from tests.reports.xlsx_reader import read_workbook


def _booking(offer, borrower, start, end, *, status="returned", units=1, out=None, back=None):
    booking = Booking(
        listing_id=offer.id,
        provider_id=offer.organisation_id,
        borrower_id=borrower.id,
        status=status,
        start_at=start,
        end_at=end,
        units=units,
        created_at=start - timedelta(days=3),
        accepted_at=start - timedelta(days=2) if status != "requested" else None,
        checked_out_at=out if out is not None else (start if status == "returned" else None),
        returned_at=back if back is not None else (end if status == "returned" else None),
    )
    db.session.add(booking)
    db.session.commit()
    return booking


def _region() -> dict:
    """A repair café lending drills, a neighbourhood centre with a hall (m²) and a meeting room
    (hours), and two organisations that borrow."""
    repair = factories.organisation(name="Repair-Café Plagwitz", district="Plagwitz")
    centre = factories.organisation(name="Nachbarschaftszentrum Grünau", district="Grünau")
    youth = factories.organisation(name="Jugendwerkstatt", kind="association", district="Mitte")
    school = factories.organisation(name="Oberschule Ost", kind="public_body", district="Ost")
    coordinator = factories.user(organisation=school, role="coordinator", name="Clara Koordina")
    member = factories.user(organisation=repair, name="Rita Reparatur")
    drill = factories.listing(
        organisation=repair,
        title="Akkuschrauber",
        category=factories.category("tools"),
        district="Plagwitz",
        mode="lend",
        capacity=3,
        quantity=Decimal("3"),
        kg_per_unit=Decimal("2"),
    )
    hall = factories.listing(
        organisation=centre,
        title="Saal, 120 m²",
        category=factories.category("rooms"),
        district="Grünau",
        mode="book",
        capacity=1,
        quantity=Decimal("120"),
        unit="m2",
    )
    room = factories.listing(
        organisation=centre,
        title="Besprechungsraum",
        category=factories.category("meeting-rooms"),
        district="Grünau",
        mode="book",
        capacity=1,
        quantity=Decimal("1"),
        unit="hour",
    )
    return {
        "repair": repair,
        "centre": centre,
        "youth": youth,
        "school": school,
        "drill": drill,
        "hall": hall,
        "room": room,
        "coordinator": coordinator,
        "member": member,
    }


@pytest.fixture
def sharing(make):
    return _region()


@pytest.fixture
def web(app):
    """The region with one returned loan (2 drills for 2 days), built in an app context of its
    own (the web requests, streamed ones too, must not share the test's session)."""
    with app.app_context():
        region = _region()
        start = datetime(2025, 5, 6, 8)
        _booking(region["drill"], region["youth"], start, start + timedelta(days=2), units=2)
        ids = {name: obj.id for name, obj in region.items()}
        db.session.remove()
    return ids


def _login(app, login_as, user_id):
    with app.app_context():
        login_as(db.session.get(User, user_id))
        db.session.remove()


def test_a_returned_loan_is_counted_as_sharing_and_not_as_kg_reused(sharing):
    start = datetime(2025, 5, 6, 8)
    _booking(sharing["drill"], sharing["youth"], start, start + timedelta(days=2), units=2)
    period = ReportFilters(
        date_from=datetime(2025, 1, 1).date(), date_to=datetime(2025, 12, 31).date()
    )
    figures = summarise_sharing(period)
    assert figures.total.loans == figures.total.equipment_loans == 1
    assert figures.total.use_days == 4  # 2 days x 2 units
    assert figures.total.organisations_served == 1
    hand_overs = summarise(period)
    assert hand_overs.exchanges == 0
    assert hand_overs.mass_kg == 0 and hand_overs.co2e_avoided_kg == 0


def test_use_days_run_from_check_out_to_return_rounded_up_per_started_day(sharing):
    start = datetime(2025, 5, 6, 8)
    _booking(
        sharing["drill"],
        sharing["youth"],
        start,
        start + timedelta(days=1),
        out=start + timedelta(hours=1),
        back=start + timedelta(days=1, hours=3),  # two hours late: a second day started
    )
    figures = summarise_sharing(ReportFilters())
    assert figures.total.use_days == 2
    assert figures.total.returned_late == 1


def test_what_counts_and_what_does_not(sharing):
    past = utcnow() - timedelta(days=20)
    future = utcnow() + timedelta(days=5)
    drill, hall, youth = sharing["drill"], sharing["hall"], sharing["youth"]
    _booking(drill, youth, past, past + timedelta(days=1), status="active")  # not back yet
    _booking(drill, youth, past, past + timedelta(days=1), status="cancelled")
    _booking(drill, youth, past, past + timedelta(days=1), status="declined")
    _booking(drill, youth, past, past + timedelta(days=1), status="requested")
    _booking(drill, youth, future, future + timedelta(days=1), status="accepted")
    # A room booked and used (no formal check-out), and one still to come.
    _booking(hall, youth, past, past + timedelta(hours=3), status="accepted")
    _booking(hall, youth, future, future + timedelta(hours=3), status="accepted")
    figures = summarise_sharing(ReportFilters())
    assert figures.total.loans == 1
    assert figures.total.equipment_loans == 0
    assert figures.total.space_bookings == 1
    assert figures.total.hours == Decimal("3")
    assert figures.total.m2_hours == Decimal("360")  # 120 m² per unit x 3 hours


def test_space_without_m2_counts_hours_only(sharing):
    start = datetime(2025, 9, 2, 12)
    _booking(sharing["room"], sharing["school"], start, start + timedelta(minutes=90))
    figures = summarise_sharing(ReportFilters())
    assert figures.total.hours == Decimal("1.5")
    assert figures.total.m2_hours == 0


def test_breakdowns_by_berlin_month_category_and_district(sharing):
    # 22:30 UTC on 31 March is 00:30 on 1 April in Berlin.
    _booking(
        sharing["drill"],
        sharing["youth"],
        datetime(2025, 3, 30, 8),
        datetime(2025, 3, 31, 22, 30),
    )
    _booking(sharing["hall"], sharing["school"], datetime(2025, 2, 3, 9), datetime(2025, 2, 3, 12))
    _booking(sharing["hall"], sharing["youth"], datetime(2025, 4, 3, 9), datetime(2025, 4, 3, 11))
    figures = summarise_sharing(
        ReportFilters(date_from=datetime(2025, 1, 1).date(), date_to=datetime(2025, 4, 30).date())
    )
    months = {group.key: group.loans for group in figures.by_month}
    assert months == {"2025-01": 0, "2025-02": 1, "2025-03": 0, "2025-04": 2}
    assert {group.key: group.loans for group in figures.by_category} == {"tools": 1, "rooms": 2}
    assert {group.key: group.loans for group in figures.by_district} == {"Plagwitz": 1, "Grünau": 2}
    assert figures.total.organisations_served == 2
    assert sum(g.hours for g in figures.by_district) == figures.total.hours == Decimal("5")


def test_filters_for_one_side_of_an_organisation(sharing):
    start = datetime(2025, 5, 6, 8)
    _booking(sharing["drill"], sharing["centre"], start, start + timedelta(days=1))
    _booking(sharing["hall"], sharing["repair"], start, start + timedelta(hours=2))
    repair = sharing["repair"].id
    lent = summarise_sharing(ReportFilters(organisation_id=repair, side="given"))
    borrowed = summarise_sharing(ReportFilters(organisation_id=repair, side="received"))
    assert (lent.total.equipment_loans, lent.total.space_bookings) == (1, 0)
    assert (borrowed.total.equipment_loans, borrowed.total.space_bookings) == (0, 1)
    assert summarise_sharing(ReportFilters(district="Grünau")).total.loans == 1


def test_no_co2e_by_default_and_an_estimate_only_with_a_displacement_rate(sharing):
    start = datetime(2025, 5, 6, 8)
    _booking(sharing["drill"], sharing["youth"], start, start + timedelta(days=1), units=2)
    _booking(sharing["hall"], sharing["youth"], start, start + timedelta(hours=2))
    assert summarise_sharing(ReportFilters()).co2e_estimate_kg is None
    factor = factories.category("tools").co2e_factor
    estimate = summarise_sharing(ReportFilters(), displacement=Decimal("0.25"))
    expected = (Decimal("0.25") * 2 * 2 * (factor or 0)).quantize(Decimal("0.001"))
    assert estimate.co2e_estimate_kg == expected


def test_dashboard_shows_sharing_apart_and_the_estimate_labelled(app, client, login_as, web):
    _login(app, login_as, web["coordinator"])
    html = client.get("/reports").get_data(as_text=True)
    assert 'id="sharing-loans"' in html
    assert 'id="sharing-use-days">\n    <span class="figure-value">4</span>' in html
    assert "sharing-estimate" not in html
    html = client.get("/reports?displacement=50").get_data(as_text=True)
    assert 'id="sharing-estimate"' in html


def test_exports_carry_a_sharing_sheet_file_and_section(app, client, login_as, web):
    _login(app, login_as, web["coordinator"])
    sheets = read_workbook(client.get("/reports/export.xlsx").data)
    assert "Sharing" in sheets
    assert any("use_days" in row for row in sheets["Sharing"])
    response = client.get("/reports/export-sharing.csv")
    assert response.status_code == 200
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("group,key,label,loans,")
    assert any(line.startswith("total,") and ",1,1,0,4," in line for line in lines)
    data = json.loads(client.get("/reports/export.json", buffered=True).get_data())
    assert data["sharing"]["loans"] == 1 and data["sharing"]["use_days"] == 4


def test_organisation_page_and_public_page_show_sharing(app, client, login_as, web):
    _login(app, login_as, web["member"])
    html = client.get(f"/orgs/{web['repair']}/impact").get_data(as_text=True)
    assert 'id="lent-loans">\n    <span class="figure-value">1</span>' in html
    public = client.get("/impact").get_data(as_text=True)
    assert 'id="impact-loans">\n    <span class="figure-value">1</span>' in public
    assert "Jugendwerkstatt" not in public
    method = client.get("/method").get_data(as_text=True)
    assert 'id="method-sharing"' in method


def test_a_loan_weighed_in_kg_counts_its_kilograms_by_the_one_mass_rule(sharing):
    """Issue 16: the loans' estimate weighed a unit with the listing's or the category's weight
    even when the unit is kg (the category's kilograms per pallet multiplied 10 kg lent). The
    shipped weight is used as it is: categories are reference rows that outlive the test."""
    pallets = factories.category("pallets")
    assert pallets.co2e_factor
    assert pallets.kg_per_unit and pallets.kg_per_unit != 1
    scrap = factories.listing(
        organisation=sharing["drill"].organisation,
        title="Schrottkiste zum Ausleihen",
        category=pallets,
        mode="lend",
        capacity=10,
        quantity=Decimal("10"),
        unit="kg",
    )
    db.session.commit()
    start = datetime(2025, 5, 6, 8)
    _booking(scrap, sharing["youth"], start, start + timedelta(days=1), units=10)
    estimate = summarise_sharing(ReportFilters(), displacement=Decimal("1"))
    expected = (Decimal("10") * pallets.co2e_factor).quantize(Decimal("0.001"))
    assert estimate.co2e_estimate_kg == expected
