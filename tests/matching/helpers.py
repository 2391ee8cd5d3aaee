"""Builders shared by the matching tests: organisations in Berlin (and one far away) and listings."""

from decimal import Decimal

from tests import factories

MITTE = {"postcode": "10115", "district": "Mitte", "lat": 52.5321, "lon": 13.3847}
WEDDING = {"postcode": "13353", "district": "Wedding", "lat": 52.5429, "lon": 13.3517}
NEUKOELLN = {"postcode": "12043", "district": "Neukölln", "lat": 52.4811, "lon": 13.4353}
MUNICH = {"postcode": "80331", "district": "Altstadt", "lat": 48.1372, "lon": 11.5755}


def org(name: str, place=MITTE, **kw):
    return factories.organisation(name=name, **place, **kw)


def listing(organisation, title: str, category: str = "pallets", place=None, **kw):
    place = place or {k: getattr(organisation, k) for k in ("postcode", "district", "lat", "lon")}
    kw.setdefault("description", "")
    if "quantity" in kw:
        kw["quantity"] = Decimal(str(kw["quantity"]))
    return factories.listing(
        organisation=organisation,
        title=title,
        category=factories.category(category),
        **place,
        **kw,
    )


def request(organisation, title: str, category: str = "pallets", **kw):
    kw.setdefault("condition", None)
    return listing(organisation, title, category, kind="request", **kw)


def unrelated_offers(organisation) -> list:
    """Offers that share neither words nor category with pallets."""
    return [
        listing(organisation, "Bürostühle, gepolstert", "office-furniture", quantity=12),
        listing(organisation, "Akkuschrauber mit Ladegerät", "tools", quantity=2),
        listing(organisation, "Dämmplatten Steinwolle", "insulation", unit="m2", quantity=30),
        listing(organisation, "Stoffreste Baumwolle", "textiles", unit="kg", quantity=15),
        listing(organisation, "Besprechungsraum nachmittags", "meeting-rooms", unit="hour"),
    ]
