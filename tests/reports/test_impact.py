"""Organisation impact pages (members and coordinators only) and the public /impact page."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from marketplace.auth.models import User
from marketplace.core.clock import utcnow
from marketplace.extensions import db
from tests.reports.exchange_sets import completed, offer


@pytest.fixture
def region(make):
    carpentry = make.organisation(name="Tischlerei Holzwurm", kind="business", district="Mitte")
    youth = make.organisation(
        name="Jugendwerkstatt Wedding", kind="association", district="Wedding"
    )
    office = make.organisation(name="Wirtschaftsförderung", kind="public_body")
    pallets = offer(carpentry, "pallets", district="Mitte", kg_per_unit=Decimal("25"))
    chairs = offer(youth, "metals", district="Wedding", unit="kg")
    recent = utcnow() - timedelta(days=3)
    given = completed(pallets, youth, datetime(2025, 3, 5, 10), mass_kg="100")
    completed(pallets, youth, recent, mass_kg="40", mass_basis="weighed")
    received = completed(chairs, carpentry, datetime(2025, 6, 1, 10), mass_kg="12")
    return {
        "carpentry": carpentry,
        "youth": youth,
        "given": given,
        "received": received,
        "giver": make.user(
            organisation=carpentry, name="Greta Geberin", email="greta@holzwurm.example"
        ),
        "taker": make.user(organisation=youth, name="Nils Nehmer", email="nils@jugend.example"),
        "coordinator": make.user(organisation=office, role="coordinator", name="Clara Koordina"),
    }


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_members_see_given_and_received_separately(client, login_as, region):
    login_as(region["giver"])
    response = client.get(f"/orgs/{region['carpentry'].id}/impact")
    assert response.status_code == 200
    html = _text(response)
    assert 'id="given-mass">\n    <span class="figure-value">140</span>' in html
    assert 'id="received-mass">\n    <span class="figure-value">12</span>' in html
    assert 'id="given-partners">\n    <span class="figure-value">1</span>' in html
    assert f'href="/exchanges/{region["given"].id}"' in html
    assert f'href="/exchanges/{region["received"].id}"' in html
    assert "certificate.pdf?side=given" in html and "certificate.pdf?side=received" in html
    assert "must not both claim" in html


def test_the_period_filters_the_figures_and_the_list(client, login_as, region):
    login_as(region["giver"])
    html = _text(client.get(f"/orgs/{region['carpentry'].id}/impact?from=2025-01-01&to=2025-04-30"))
    assert 'id="given-mass">\n    <span class="figure-value">100</span>' in html
    assert 'id="received-mass">\n    <span class="figure-value">0</span>' in html
    assert f'href="/exchanges/{region["received"].id}"' not in html
    assert "certificate.pdf?side=given&amp;from=2025-01-01&amp;to=2025-04-30" in html


def test_members_of_other_organisations_get_403(client, login_as, region):
    login_as(region["taker"])
    response = client.get(f"/orgs/{region['carpentry'].id}/impact")
    assert response.status_code == 403
    assert "140" not in _text(response)


def test_coordinators_see_any_organisation(client, login_as, region):
    login_as(region["coordinator"])
    assert client.get(f"/orgs/{region['youth'].id}/impact").status_code == 200


def test_anonymous_visitors_must_log_in(client, region):
    response = client.get(f"/orgs/{region['carpentry'].id}/impact")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_unknown_organisation_is_404(client, login_as, region):
    login_as(region["coordinator"])
    assert client.get("/orgs/987654/impact").status_code == 404


@pytest.mark.parametrize("query", ["from=2025-99-01", "to=%00", "from=2025-05-01&to=2025-01-01"])
def test_a_bad_period_is_a_form_error(client, login_as, region, query):
    login_as(region["giver"])
    response = client.get(f"/orgs/{region['carpentry'].id}/impact?{query}")
    assert response.status_code == 422
    assert 'class="error"' in _text(response)


def test_the_profile_links_members_to_their_impact_page(client, login_as, region):
    org_id = region["carpentry"].id
    login_as(region["giver"])
    assert f'href="/orgs/{org_id}/impact"' in _text(client.get(f"/orgs/{org_id}"))
    login_as(region["taker"])
    assert f'href="/orgs/{org_id}/impact"' not in _text(client.get(f"/orgs/{org_id}"))


# -- the public page -----------------------------------------------------------------------------


def test_the_public_page_shows_region_totals(client, region):
    response = client.get("/impact")
    assert response.status_code == 200
    html = _text(response)
    assert 'id="impact-exchanges">\n    <span class="figure-value">3</span>' in html
    assert 'id="impact-mass">\n    <span class="figure-value">≈\xa0150</span>' in html  # 152 kg
    assert 'id="impact-organisations">\n    <span class="figure-value">2</span>' in html
    assert 'data-chart="trend"' in html and 'id="report-chart-data"' in html
    assert "36 kg per person in 2021" in html
    assert "628,000 inhabitants" in html
    # the last 12 months: the recent hand-over of 40 kg
    assert "the network passed on 40 kg" in html


def test_the_public_page_names_no_people_and_no_organisations(client, region):
    html = _text(client.get("/impact"))
    for person in ("giver", "taker", "coordinator"):
        user = region[person]
        assert user.name not in html and user.email not in html
    assert "Tischlerei Holzwurm" not in html and "Jugendwerkstatt Wedding" not in html


def test_the_public_page_is_cacheable_for_visitors(client, region, login_as):
    response = client.get("/impact")
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert "Cookie" in response.headers.get("Vary", "")
    login_as(region["giver"])
    assert client.get("/impact").headers["Cache-Control"] == "private"


def test_the_region_size_is_configurable(client, app, region, monkeypatch):
    monkeypatch.setitem(app.config, "REGION_INHABITANTS", 1000)
    html = _text(client.get("/impact"))
    assert "40 g per inhabitant" in html  # 40 kg over 1,000 people


def test_the_demo_region_shows_no_personal_data(app, runner, client):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    html = _text(client.get("/impact"))
    with app.app_context():
        people = db.session.execute(select(User.name, User.email)).all()
        assert len(people) > 20
    for name, email in people:
        assert name not in html
        assert email not in html and email.split("@")[0] + "@" not in html
    assert "@" not in html.replace("@media", "")


def test_an_empty_region(client):
    response = client.get("/impact")
    assert response.status_code == 200
    assert "Nothing in this period." in _text(response)


def test_the_public_figures_are_kept_a_few_minutes(client, app, make, region, monkeypatch):
    monkeypatch.setitem(app.config, "IMPACT_CACHE_SECONDS", 300)
    app.extensions.pop("impact_figures_cache", None)
    try:
        assert 'id="impact-exchanges">\n    <span class="figure-value">3<' in _text(
            client.get("/impact")
        )
        pallets = offer(region["carpentry"], "pallets", kg_per_unit=Decimal("25"))
        completed(pallets, region["youth"], utcnow() - timedelta(days=1), mass_kg="10")
        assert 'id="impact-exchanges">\n    <span class="figure-value">3<' in _text(
            client.get("/impact")
        )
        app.extensions["impact_figures_cache"].clear()
        assert 'id="impact-exchanges">\n    <span class="figure-value">4<' in _text(
            client.get("/impact")
        )
    finally:
        app.extensions.pop("impact_figures_cache", None)


def test_only_members_read_our_impact_others_read_impact(client, login_as, region):
    org_id = region["carpentry"].id
    login_as(region["giver"])  # their accounts read English
    assert "<h1>Our impact</h1>" in _text(client.get(f"/orgs/{org_id}/impact"))
    login_as(region["coordinator"])
    html = _text(client.get(f"/orgs/{org_id}/impact"))
    assert "<h1>Impact</h1>" in html and "Our impact" not in html
    profile = _text(client.get(f"/orgs/{org_id}"))
    assert f'href="/orgs/{org_id}/impact">Impact</a>' in profile
    assert "Our impact" not in profile
