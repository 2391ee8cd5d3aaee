"""The method page: how each figure is computed, the factor table with sources and basis."""

from sqlalchemy import select

from marketplace.categories.models import Category
from marketplace.extensions import db


def test_the_method_page_explains_the_figures(client):
    response = client.get("/method")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in (
        "Mass: weighed, estimated or unknown",
        "CO2e avoided = mass × factor",
        "stored on each exchange",
        "recomputed with the current factors",
        "GHG Protocol",
        "WBCSD Guidance on Avoided Emissions (2023)",
        "Giver and receiver must not both claim the same saving",
        "2008/98/EC",
        "36 kg per person in 2021",
        "Öko-Institut",
        "0.17",
        "displacement rate",
    ):
        assert text in html, text


def test_the_method_page_lists_every_factor_with_source_and_basis(client, app):
    html = client.get("/method").get_data(as_text=True)
    with app.app_context():
        categories = db.session.execute(select(Category)).scalars().all()
        with_factor = [c for c in categories if c.co2e_factor is not None]
        assert with_factor
        for category in categories:
            assert category.name_en in html
        sources = {c.factor_source for c in with_factor}
    for source in sources:
        assert source.replace("'", "&#39;").replace('"', "&#34;") in html
    assert 'class="factor-upper-bound"' in html
    assert 'badge badge-basis-upper_bound">upper bound<' in html
    assert 'badge badge-basis-product_study">product study<' in html
    assert "DESNZ/DEFRA" in html


def test_the_method_page_is_linked_from_every_page(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/method"' in html and 'href="/impact"' in html


def test_the_method_page_in_german(client, german_by_default):
    response = client.get("/method", headers={"Accept-Language": "de-DE"})
    assert response.status_code == 200
    assert '<html lang="de">' in response.get_data(as_text=True)
