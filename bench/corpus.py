"""A deterministic synthetic corpus of German and English listings (Leipzig), for the benchmarks.

Titles and descriptions are drawn from per-category vocabularies with German compounds
(Europaletten, Schwerlastregale, Dämmplatten), inflections and about one listing in five in
English, so that analysis, compounds and filters do real work. random.Random(seed) only.
"""

import random
from datetime import date, datetime, timedelta

#: category slug -> (German items, English items)
ITEMS = {
    "pallets": (
        "Europaletten Einwegpaletten Holzpaletten Gitterboxen Obstkisten Weinkisten Holzkisten "
        "Transportkisten Paletten Palettenrahmen",
        "pallets|euro pallets|wooden crates|pallet boxes|crates",
    ),
    "wood": (
        "Kanthölzer Bretter Dachlatten Spanplatten Sperrholzplatten Brennholz Bauholz "
        "Eichenbohlen Holzreste Multiplexplatten Balken Leimholzplatten",
        "timber|plywood sheets|wooden boards|offcuts|beams",
    ),
    "steel": (
        "Stahlträger Stahlrohre Baustahlmatten Eisenstangen Stahlbleche",
        "steel beams|steel tubes",
    ),
    "aluminium": ("Aluprofile Aluminiumbleche Alurohre", "aluminium profiles|aluminium sheets"),
    "construction-metals": (
        "Trapezbleche Kupferrohre Zinkbleche Metallprofile",
        "metal sheets|copper pipes",
    ),
    "metals": ("Metallschrott Altmetall Kabelreste Messingteile", "scrap metal|cable scraps"),
    "plastics": (
        "Kunststoffkanister Plexiglasplatten Folienrollen Kunststoffboxen Eimer Regentonnen",
        "plastic crates|acrylic sheets|buckets|plastic boxes",
    ),
    "textiles": (
        "Stoffreste Vorhänge Bühnenvorhänge Baumwollstoffe Filzmatten Tischdecken",
        "fabric remnants|curtains|felt mats|table cloths",
    ),
    "paper": (
        "Umzugskartons Kartons Packpapier Pappröhren Papierrollen",
        "moving boxes|cardboard boxes|packing paper",
    ),
    "glass": (
        "Glasscheiben Einmachgläser Fensterglas Glasflaschen",
        "glass panes|jars|glass bottles",
    ),
    "bricks": ("Ziegelsteine Klinker Mauersteine Backsteine", "bricks|clinker bricks"),
    "concrete": (
        "Pflastersteine Betonplatten Rasengittersteine Randsteine",
        "paving stones|concrete slabs",
    ),
    "plasterboard": (
        "Gipskartonplatten Rigipsplatten Trockenbauplatten",
        "plasterboard|drywall panels",
    ),
    "insulation": (
        "Dämmplatten Dämmwolle Holzfaserdämmplatten Styroporplatten Dämmmatten",
        "insulation boards|insulation rolls",
    ),
    "aggregates": ("Kies Sand Schotter Splitt Mutterboden", "gravel|sand|topsoil"),
    "tyres": ("Autoreifen Fahrradreifen Winterreifen Sommerreifen", "tyres|bike tyres"),
    "food": (
        "Brot Obst Gemüsekisten Getränke Joghurt Backwaren",
        "surplus bread|vegetables|drinks",
    ),
    "craft-materials": (
        "Bastelmaterial Wollreste Farbstifte Korken Perlen Knöpfe",
        "craft supplies|yarn|buttons",
    ),
    "paints": ("Wandfarbe Lackreste Holzlasur Farbeimer", "paint tins|wall paint|varnish"),
    "furniture": (
        "Stühle Schränke Kommoden Garderoben Kleiderschränke",
        "chairs|cupboards|wardrobes",
    ),
    "sofas": ("Sofas Sessel Polstermöbel Sitzsäcke", "sofa|armchairs|bean bags"),
    "tables": (
        "Tische Esstische Klapptische Biertische Werktische",
        "tables|folding tables|dining tables",
    ),
    "office-furniture": (
        "Bürostühle Schreibtische Rollcontainer Aktenschränke Besprechungstische Bürotische",
        "office chairs|desks|filing cabinets|meeting tables",
    ),
    "shelving": (
        "Schwerlastregale Lagerregale Bücherregale Steckregale Palettenregale Metallregale",
        "shelving units|heavy duty racks|bookshelves",
    ),
    "it": (
        "Laptops Monitore Drucker Tastaturen Computer Server Notebooks",
        "laptops|monitors|printers|keyboards",
    ),
    "electrical": (
        "Wasserkocher Kaffeemaschinen Lampen Staubsauger Toaster",
        "kettles|lamps|vacuum cleaners",
    ),
    "large-appliances": (
        "Kühlschränke Waschmaschinen Gefriertruhen Geschirrspüler Backöfen",
        "fridges|washing machines|freezers|dishwashers",
    ),
    "tools": (
        "Bohrmaschinen Akkuschrauber Werkzeugkisten Kreissägen Schleifmaschinen Schraubzwingen",
        "drills|tools|circular saws|clamps",
    ),
    "kitchen": (
        "Töpfe Geschirr Kühltheken Besteck Pfannen Gastrobehälter",
        "pots|crockery|cutlery",
    ),
    "event-equipment": (
        "Scheinwerfer Bühnenpodeste Lautsprecher Mischpulte Partyzelte Bierbänke",
        "stage lights|speakers|marquee|mixing desk",
    ),
    "bikes": (
        "Fahrräder Lastenräder Fahrradanhänger Kinderräder",
        "bicycles|cargo bike|bike trailer",
    ),
    "rooms": (
        "Saal Veranstaltungsraum Gemeinschaftsraum Festsaal",
        "hall|event room|community room",
    ),
    "meeting-rooms": ("Besprechungsraum Coworkingplatz Seminarraum", "meeting room|coworking desk"),
    "storage-space": ("Lagerfläche Kellerraum Garage Lagerraum", "storage space|garage"),
    "workshop-space": ("Werkstattplatz Werkbank Atelierplatz", "workshop space|workbench"),
    "open-land": ("Gartenfläche Hofplatz Beetfläche", "garden plot|yard space"),
}

DE_ADJECTIVES = [
    "neuwertige",
    "gebrauchte",
    "alte",
    "stabile",
    "große",
    "kleine",
    "weiße",
    "schwarze",
    "robuste",
    "saubere",
]
EN_ADJECTIVES = ["used", "old", "sturdy", "large", "small", "white", "black", "clean", "spare"]
DE_OFFER = [
    "abzugeben",
    "zu verschenken",
    "aus Lagerauflösung",
    "aus Umbau",
    "günstig abzugeben",
    "für Selbstabholer",
    "in gutem Zustand",
    "aus Haushaltsauflösung",
    "nach Veranstaltung übrig",
]
DE_REQUEST = ["gesucht", "für Projekt gesucht", "dringend gesucht", "für Kita gesucht"]
EN_OFFER = ["available", "to give away", "free to collect", "from office move", "in good condition"]
EN_REQUEST = ["wanted", "needed for a project", "looking for"]

DE_SENTENCES = [
    "Wir haben {n} {item} übrig, die wir gerne weitergeben.",
    "Abholung in {district} nach Absprache, werktags zwischen 9 und 17 Uhr.",
    "Zustand: gut erhalten, teilweise mit leichten Gebrauchsspuren.",
    "Ideal für Werkstätten, Schulen, Kitas oder Gemeinschaftsgärten.",
    "Die {item} stammen aus einem Umbau unseres Lagers.",
    "Bitte selbst abholen, wir helfen gerne beim Verladen.",
    "Maße und weitere Fotos auf Anfrage.",
    "Gerne auch in kleineren Mengen, sprecht uns einfach an.",
    "Trocken gelagert, sauber und sofort verwendbar.",
    "Wir suchen {item} für ein Nachbarschaftsprojekt im Quartier.",
    "Kostenlos gegen Abholung, über eine kleine Spende freuen wir uns.",
    "Ein Transporter oder Lastenrad ist für die Abholung sinnvoll.",
    "Die Menge reicht für mehrere kleine Projekte.",
    "Material aus {material}, unbehandelt.",
    "Nach dem Umzug unseres Büros ist einiges übrig geblieben.",
]
EN_SENTENCES = [
    "We have {n} {item} left over and would love to pass them on.",
    "Pick-up in {district} by arrangement, weekdays 9 to 5.",
    "Condition: good, some signs of use.",
    "Ideal for workshops, schools or community gardens.",
    "Please collect yourself, we are happy to help loading.",
    "Dimensions and more photos on request.",
    "Stored dry, clean and ready to use.",
    "We are looking for {item} for a neighbourhood project.",
    "Free to collect, a small donation is welcome.",
]
MATERIALS = [
    "Holz",
    "Fichte",
    "Eiche",
    "Stahl",
    "Aluminium",
    "Kunststoff",
    "Glas",
    "Pappe",
    "Baumwolle",
    "Kupfer",
]
ORG_KINDS = [
    ("Tischlerei", "business"),
    ("Theater", "association"),
    ("Supermarkt", "business"),
    ("Coworking", "social_enterprise"),
    ("Jugendwerkstatt", "project_centre"),
    ("Repair-Café", "initiative"),
    ("Gemeinschaftsgarten", "initiative"),
    ("Nachbarschaftszentrum", "project_centre"),
    ("Wohnungsbaugesellschaft", "business"),
    ("Bildungsgenossenschaft", "social_enterprise"),
    ("Amt für Wirtschaftsförderung", "public_body"),
]
ORG_NAMES = [
    "Lindenhof",
    "Auwald",
    "Elster",
    "Pleiße",
    "Parthe",
    "Rosental",
    "Südpark",
    "Kanal",
    "Spinnerei",
    "Baumwolle",
]
#: Leipzig districts with a postcode and approximate centre.
DISTRICTS = [
    ("Zentrum", "04109", 51.3397, 12.3731),
    ("Plagwitz", "04229", 51.3296, 12.3336),
    ("Connewitz", "04277", 51.3069, 12.3830),
    ("Gohlis", "04155", 51.3620, 12.3700),
    ("Lindenau", "04177", 51.3396, 12.3280),
    ("Reudnitz", "04317", 51.3350, 12.4090),
    ("Grünau", "04207", 51.3150, 12.2850),
    ("Schönefeld", "04347", 51.3650, 12.4120),
    ("Südvorstadt", "04275", 51.3200, 12.3720),
    ("Eutritzsch", "04129", 51.3680, 12.3830),
    ("Leutzsch", "04179", 51.3500, 12.3060),
    ("Paunsdorf", "04328", 51.3460, 12.4500),
]
STATUS_WEIGHTS = [("open", 70), ("reserved", 8), ("closed", 12), ("expired", 6), ("withdrawn", 4)]
UNITS = ["piece", "piece", "piece", "kg", "m2", "m", "day"]
EPOCH = datetime(2026, 1, 1)
UNTIL_BASE = date(2031, 1, 1)


def organisations(n_listings: int, rng: random.Random) -> list[dict]:
    out = []
    for i in range(max(10, n_listings // 40)):
        prefix, kind = ORG_KINDS[i % len(ORG_KINDS)]
        district, postcode, lat, lon = DISTRICTS[rng.randrange(len(DISTRICTS))]
        out.append(
            {
                "id": i + 1,
                "name": f"{prefix} {ORG_NAMES[(i // len(ORG_KINDS)) % len(ORG_NAMES)]} {i + 1}",
                "kind": kind,
                "postcode": postcode,
                "district": district,
                "lat": lat,
                "lon": lon,
                "created_at": EPOCH - timedelta(days=800),
            }
        )
    return out


def _weighted(rng: random.Random, pairs):
    total = sum(w for _, w in pairs)
    x = rng.uniform(0, total)
    for value, w in pairs:
        x -= w
        if x <= 0:
            return value
    return pairs[-1][0]


def listings(n: int, category_ids: dict[str, int], orgs: list[dict], seed: int = 42):
    """Yield n listing rows (dicts for listings.insert())."""
    rng = random.Random(seed)
    slugs = sorted(ITEMS)
    weights = [
        (s, 6 if s in ("pallets", "wood", "office-furniture", "shelving", "furniture") else 2)
        for s in slugs
    ]
    for i in range(1, n + 1):
        slug = _weighted(rng, weights)
        de_items, en_items = ITEMS[slug]
        english = rng.random() < 0.2
        kind = "request" if rng.random() < 0.25 else "offer"
        org = orgs[rng.randrange(len(orgs))]
        district, postcode, lat, lon = DISTRICTS[rng.randrange(len(DISTRICTS))]
        if english:
            item = rng.choice(en_items.split("|"))
            suffix = rng.choice(EN_REQUEST if kind == "request" else EN_OFFER)
            adjective = rng.choice(EN_ADJECTIVES) + " " if rng.random() < 0.4 else ""
            title = f"{adjective}{item} {suffix}".capitalize()
            pool = EN_SENTENCES
        else:
            item = rng.choice(de_items.split())
            suffix = rng.choice(DE_REQUEST if kind == "request" else DE_OFFER)
            adjective = rng.choice(DE_ADJECTIVES) + " " if rng.random() < 0.4 else ""
            title = f"{adjective}{item} {suffix}"
            title = title[0].upper() + title[1:]
            pool = DE_SENTENCES
        sentences = rng.sample(pool, rng.randint(3, 6))
        n_items = rng.choice([2, 3, 5, 8, 10, 12, 20, 40, 100])
        description = " ".join(
            s.format(n=n_items, item=item, district=district, material=rng.choice(MATERIALS))
            for s in sentences
        )
        created = EPOCH - timedelta(minutes=rng.randrange(0, 720 * 24 * 60))
        status = _weighted(rng, STATUS_WEIGHTS)
        # Far in the future, so that the share of effectively expired listings does not depend
        # on the day the benchmark runs.
        until = (UNTIL_BASE + timedelta(days=rng.randint(0, 900))) if rng.random() < 0.5 else None
        yield {
            "id": i,
            "kind": kind,
            "title": title[:200],
            "description": description,
            "category_id": category_ids[slug],
            "quantity": n_items,
            "quantity_remaining": n_items,
            "unit": rng.choice(UNITS),
            "condition": "good" if kind == "offer" else None,
            "price_eur": 0,
            "postcode": postcode,
            "district": district,
            "lat": lat + rng.uniform(-0.02, 0.02),
            "lon": lon + rng.uniform(-0.03, 0.03),
            "available_until": until,
            "status": status,
            "organisation_id": org["id"],
            "created_at": created,
            "updated_at": created,
        }
