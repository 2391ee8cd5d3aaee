"""PDF report and impact certificate: application/pdf, the same figures, no network access."""

from datetime import datetime
from decimal import Decimal

import pytest

from marketplace.reports.pdf import render_pdf, static_path
from tests.reports.exchange_sets import completed, offer


@pytest.fixture
def region(make):
    carpentry = make.organisation(name="Tischlerei Holzwurm", kind="business", district="Mitte")
    youth = make.organisation(
        name="Jugendwerkstatt Wedding", kind="association", district="Wedding"
    )
    office = make.organisation(name="Wirtschaftsförderung", kind="public_body")
    pallets = offer(carpentry, "pallets", district="Mitte", kg_per_unit=Decimal("25"))
    completed(pallets, youth, datetime(2025, 3, 5, 10), mass_kg="100")
    completed(pallets, youth, datetime(2025, 9, 5, 10), mass_kg="40", mass_basis="weighed")
    return {
        "carpentry": carpentry,
        "youth": youth,
        "coordinator": make.user(organisation=office, role="coordinator"),
        "giver": make.user(organisation=carpentry),
        "outsider": make.user(organisation=office),
    }


@pytest.fixture
def rendered(monkeypatch):
    """The HTML documents handed to WeasyPrint (no PDF text extraction tool is installed)."""
    from marketplace.reports import pdf

    documents: list[str] = []
    real = pdf.render_pdf

    def keep(html: str) -> bytes:
        documents.append(html)
        return real(html)

    monkeypatch.setattr(pdf, "render_pdf", keep)
    return documents


def test_the_report_pdf(client, login_as, region, rendered):
    login_as(region["coordinator"])
    response = client.get("/reports/report.pdf?from=2025-01-01&to=2025-12-31&category=pallets")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert len(response.data) > 10_000  # charts, tables and the factor table
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response.headers["Cache-Control"]
    (html,) = rendered
    assert "Circularity report" in html
    assert "Tischlerei Holzwurm" in html  # by giving organisation
    assert '<span class="figure-value">140</span>' in html  # kg reused, as on the dashboard
    assert html.count('src="data:image/svg+xml;base64,') >= 3  # charts
    assert "upper bound" in html and "DEFRA" in html  # factor table


def test_the_report_pdf_of_an_empty_period(client, login_as, region):
    login_as(region["coordinator"])
    response = client.get("/reports/report.pdf?from=2030-01-01&to=2030-01-31")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_the_report_pdf_names_the_organisations_it_leaves_out(client, login_as, make, rendered):
    office = make.organisation(name="Wirtschaftsförderung", kind="public_body")
    receiver = make.organisation(name="Jugendwerkstatt")
    for rank in range(22):
        giver = make.organisation(name=f"Geber {rank + 1:02d}")
        completed(offer(giver), receiver, datetime(2025, 3, 5, 10), mass_kg=str(1000 - rank))
    login_as(make.user(organisation=office, role="coordinator"))
    response = client.get("/reports/report.pdf?from=2025-01-01&to=2025-12-31")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    (html,) = rendered
    assert "Geber 20" in html and "Geber 21" not in html  # the 20 that gave the most kg
    assert "The 20 organisations that passed on the most kg are listed" in html
    assert "2 more organisations are left out here: the XLSX export lists every one" in html
    assert "/reports/export.xlsx?from=2025-01-01&amp;to=2025-12-31" in html


def test_the_german_report_pdf_says_so_in_german(
    client, login_as, make, rendered, german_by_default
):
    office = make.organisation(name="Wirtschaftsförderung", kind="public_body")
    receiver = make.organisation(name="Jugendwerkstatt")
    for rank in range(21):
        completed(offer(make.organisation(name=f"Geber {rank}")), receiver, datetime(2025, 3, 5))
    login_as(make.user(organisation=office, role="coordinator", locale="de"))
    assert client.get("/reports/report.pdf").status_code == 200
    (html,) = rendered
    assert "1 weitere Organisation ist hier nicht aufgeführt" in html
    assert "Blatt „Zusammenfassung“" in html


def test_a_certificate_for_the_givers_members(client, login_as, region, rendered):
    login_as(region["giver"])
    org = region["carpentry"]
    response = client.get(f"/orgs/{org.id}/impact/certificate.pdf?from=2025-01-01&to=2025-12-31")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    assert f"wirkungsnachweis-{org.id}-" in response.headers["Content-Disposition"]
    (html,) = rendered
    assert (
        '<p class="certificate-org" id="certificate-organisation">Tischlerei Holzwurm</p>' in html
    )
    assert "As giver" in html and "must not both claim" in html
    assert '<span class="figure-value">140</span>' in html  # kg passed on
    assert '<span class="figure-value">2</span>' in html  # hand-overs
    assert "/method" in html


def test_a_certificate_in_german_is_a_wirkungsnachweis(client, login_as, region, german_by_default):
    region["giver"].locale = "de"
    login_as(region["giver"])
    response = client.get(f"/orgs/{region['carpentry'].id}/impact/certificate.pdf?side=received")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_certificates_of_other_organisations_are_forbidden(client, login_as, region):
    login_as(region["outsider"])
    response = client.get(f"/orgs/{region['carpentry'].id}/impact/certificate.pdf")
    assert response.status_code == 403
    assert not response.data.startswith(b"%PDF")


def test_coordinators_may_download_any_certificate(client, login_as, region):
    login_as(region["coordinator"])
    response = client.get(f"/orgs/{region['youth'].id}/impact/certificate.pdf?side=received")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_anonymous_visitors_must_log_in_for_a_certificate(client, region):
    response = client.get(f"/orgs/{region['carpentry'].id}/impact/certificate.pdf")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "query", ["from=2025-02-30", "side=everyone", "to=x%00", "from=2026-01-01&to=2025-01-01"]
)
def test_a_bad_certificate_period_is_a_422_page(client, login_as, region, query):
    login_as(region["giver"])
    response = client.get(f"/orgs/{region['carpentry'].id}/impact/certificate.pdf?{query}")
    assert response.status_code == 422
    assert response.mimetype == "text/html"


def test_unknown_organisations_are_404(client, login_as, region):
    login_as(region["coordinator"])
    assert client.get("/orgs/999999/impact/certificate.pdf").status_code == 404


def test_the_renderer_never_fetches_from_the_network(app_ctx, monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("the PDF renderer opened a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    with app_ctx.test_request_context():
        html = (
            '<html><body><img src="http://example.org/x.png"><img src="/static/favicon.svg">'
            '<link rel="stylesheet" href="https://example.org/a.css"><p>Hallo</p></body></html>'
        )
        assert render_pdf(html).startswith(b"%PDF")


def test_static_paths_stay_inside_the_static_folder(app_ctx):
    folder = app_ctx.static_folder
    with app_ctx.test_request_context():
        assert static_path("http://pdf.invalid/static/favicon.svg", folder, "/static/")
        assert (
            static_path("http://pdf.invalid/static/../marketplace/config.py", folder, "/static/")
            is None
        )
        assert static_path("http://pdf.invalid/static/%2e%2e/wsgi.py", folder, "/static/") is None
        assert static_path("http://evil.example/static/favicon.svg", folder, "/static/") is None
        assert static_path("file:///etc/passwd", folder, "/static/") is None
        assert static_path("http://pdf.invalid/static/missing.css", folder, "/static/") is None


def test_chart_labels_with_markup_characters_still_draw():
    from xml.etree import ElementTree

    from marketplace.reports.charts import bar_chart_svg

    svg = bar_chart_svg(["Holz & <Co>"], [12.5], "Nach Kategorie", str, [3.0], ("kg", "kg CO2e"))
    root = ElementTree.fromstring(svg)  # noqa: S314 - our own output
    texts = [node.text for node in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "Holz & <Co>" in texts and "Nach Kategorie" in texts
