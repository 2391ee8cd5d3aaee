"""A judged set for matching: requests and offers in German and English, and request/offer pairs
judged relevant (the offer would serve the request) or not. Used by test_precision.py and by
bench/matching_precision.py.

The tricky cases are on purpose: the same category but a different thing (Aktenschrank for a
Rollcontainer, Klappstühle for a Rollcontainer, Fahrradhelme for a Fahrrad), compounds
(Schwerlastregal and Palettenregal are shelves, Obstkisten are crates), English requests for
German offers (through the taxonomy's names and the shipped substitutes), plural and umlaut
spellings (Buerostuehle, Fahrräder), and pairs that share a word but not a use (Bürostühle for a
summer party's Klappstühle, Brennholz for raised beds). An offer not judged for a request counts
as not relevant.

precision@5: for each request, the share of relevant offers among the (at most five) shown as
matches, averaged over the requests that show any; recall@5: the relevant pairs found in the
top five over all relevant pairs.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

#: key: (title, description, category slug, unit)
REQUESTS = {
    "r_europaletten": ("Suche Europaletten", "Für Hochbeete im Hof.", "pallets", "piece"),
    "r_pallets_en": ("Pallets wanted for a garden project", "", "pallets", "piece"),
    "r_crates_en": ("Crates for vegetables", "For our food sharing point.", "pallets", "piece"),
    "r_regal": ("Regal für die Werkstatt", "", "shelving", "piece"),
    "r_shelves_en": ("Shelves for our storeroom", "", "shelving", "piece"),
    "r_rollcontainer": ("Rollcontainer für Büro", "", "office-furniture", "piece"),
    "r_buerostuhl": ("Bürostuhl gesucht", "", "office-furniture", "piece"),
    "r_chairs_en": ("Office chairs for volunteers", "", "office-furniture", "piece"),
    "r_klappstuehle": ("Klappstühle für Sommerfest", "", "event-equipment", "piece"),
    "r_beamer": ("Beamer für Filmabend", "", "event-equipment", "piece"),
    "r_projector_en": ("Projector for a cinema night", "", "event-equipment", "piece"),
    "r_tables_en": ("Tables for our workshop", "", "tables", "piece"),
    "r_tische": ("Tische für Seminarraum", "", "tables", "piece"),
    "r_sofa": ("Sofa für Jugendraum", "", "sofas", "piece"),
    "r_fahrrad": ("Fahrrad für Geflüchtete", "", "bikes", "piece"),
    "r_bicycles_en": ("Bicycles for a repair workshop", "", "bikes", "piece"),
    "r_daemmplatten": ("Dämmplatten für Dachboden", "", "insulation", "m2"),
    "r_plasterboard_en": ("Plasterboard for a partition wall", "", "plasterboard", "m2"),
    "r_kuehlschrank": ("Kühlschrank für die Tafel", "", "large-appliances", "piece"),
    "r_fridge_en": ("Fridge for a food bank", "", "large-appliances", "piece"),
    "r_laptops": ("Laptops für Schülerhilfe", "", "it", "piece"),
    "r_bricks_en": ("Bricks for a garden wall", "", "bricks", "kg"),
    "r_wandfarbe": ("Wandfarbe weiß", "", "paints", "l"),
    "r_umzugskartons": ("Umzugskartons", "Für den Umzug unserer Kita.", "paper", "piece"),
    "r_holz": ("Holz für Hochbeete", "", "wood", "kg"),
    "r_autoreifen": ("Autoreifen für Werkstatt", "", "tyres", "piece"),
    "r_stoffreste": ("Stoffreste zum Nähen", "", "textiles", "kg"),
}

OFFERS = {
    "o_europaletten": ("Europaletten abzugeben", "", "pallets", "piece"),
    "o_holzpaletten": ("Holzpaletten 120x80, gebraucht", "", "pallets", "piece"),
    "o_obstkisten": ("Obstkisten aus Holz", "", "pallets", "piece"),
    "o_palettenregal": ("Palettenregal, 3 Ebenen", "", "shelving", "piece"),
    "o_schwerlastregal": ("Schwerlastregal verzinkt", "", "shelving", "piece"),
    "o_steckregale": ("Steckregale aus Metall", "", "shelving", "piece"),
    "o_lagerboxen": ("Lagerboxen, stapelbar", "", "shelving", "piece"),
    "o_rollcontainer": ("Rollcontainer mit drei Schubladen", "", "office-furniture", "piece"),
    "o_buerostuehle": ("Bürostühle, gepolstert", "", "office-furniture", "piece"),
    "o_buerostuehle_ue": ("Buerostuehle mit Armlehnen", "", "office-furniture", "piece"),
    "o_aktenschrank": ("Aktenschrank abschließbar", "", "office-furniture", "piece"),
    "o_schreibtisch": ("Schreibtisch höhenverstellbar", "", "office-furniture", "piece"),
    "o_klappstuhl": ("Klappstuhl aus Holz, 20 Stück", "", "event-equipment", "piece"),
    "o_biertisch": ("Biertischgarnitur", "", "event-equipment", "piece"),
    "o_beamer": ("Beamer Epson mit Leinwand", "", "event-equipment", "piece"),
    "o_lautsprecher": ("Lautsprecherboxen", "", "event-equipment", "piece"),
    "o_tische": ("Tische, Buche, 160x80", "", "tables", "piece"),
    "o_sofa": ("Sofa, drei Sitzer", "", "sofas", "piece"),
    "o_sessel": ("Sessel aus Leder", "", "sofas", "piece"),
    "o_fahrraeder": ("Fahrräder, 28 Zoll", "", "bikes", "piece"),
    "o_lastenrad": ("Lastenrad, gebraucht", "", "bikes", "piece"),
    "o_fahrradhelme": ("Fahrradhelme", "", "bikes", "piece"),
    "o_daemmplatten": ("Dämmplatten Steinwolle", "", "insulation", "m2"),
    "o_gipskarton": ("Gipskartonplatten, Reste", "", "plasterboard", "m2"),
    "o_kuehlschrank": ("Kühlschrank Bosch, 140 l", "", "large-appliances", "piece"),
    "o_waschmaschine": ("Waschmaschine, 7 kg", "", "large-appliances", "piece"),
    "o_laptop": ("Laptop Lenovo ThinkPad", "", "it", "piece"),
    "o_monitore": ("Monitore 24 Zoll", "", "it", "piece"),
    "o_drucker": ("Laserdrucker", "", "it", "piece"),
    "o_ziegel": ("Ziegelsteine, rot", "", "bricks", "kg"),
    "o_pflaster": ("Pflastersteine Granit", "", "concrete", "kg"),
    "o_dispersionsfarbe": ("Dispersionsfarbe weiß, 10 l", "", "paints", "l"),
    "o_klarlack": ("Klarlack für Holz", "", "paints", "l"),
    "o_kartons": ("Kartons, faltbar", "", "paper", "piece"),
    "o_papier": ("Druckerpapier A4", "", "paper", "kg"),
    "o_bretter": ("Bretter aus Lärche", "", "wood", "kg"),
    "o_spanplatten": ("Spanplatten aus Umbau", "", "wood", "kg"),
    "o_brennholz": ("Brennholz, trocken", "", "wood", "kg"),
    "o_reifen": ("Reifen 205/55 R16", "Sommerreifen, wenig gefahren.", "tyres", "piece"),
    "o_stoffreste": ("Stoffreste Baumwolle", "", "textiles", "kg"),
    "o_arbeitskleidung": ("Arbeitskleidung, Größe L", "", "textiles", "kg"),
}

T, F = True, False
#: (request, offer, relevant)
JUDGED = [
    ("r_europaletten", "o_europaletten", T),
    ("r_europaletten", "o_holzpaletten", T),
    ("r_europaletten", "o_obstkisten", F),
    ("r_europaletten", "o_palettenregal", F),
    ("r_pallets_en", "o_europaletten", T),
    ("r_pallets_en", "o_holzpaletten", T),
    ("r_pallets_en", "o_obstkisten", F),
    ("r_crates_en", "o_obstkisten", T),
    ("r_crates_en", "o_europaletten", F),
    ("r_crates_en", "o_holzpaletten", F),
    ("r_crates_en", "o_lagerboxen", F),
    ("r_regal", "o_schwerlastregal", T),
    ("r_regal", "o_steckregale", T),
    ("r_regal", "o_palettenregal", T),
    ("r_regal", "o_lagerboxen", F),
    ("r_shelves_en", "o_schwerlastregal", T),
    ("r_shelves_en", "o_steckregale", T),
    ("r_shelves_en", "o_palettenregal", T),
    ("r_shelves_en", "o_lagerboxen", F),
    ("r_rollcontainer", "o_rollcontainer", T),
    ("r_rollcontainer", "o_buerostuehle", F),
    ("r_rollcontainer", "o_aktenschrank", F),
    ("r_rollcontainer", "o_schreibtisch", F),
    ("r_rollcontainer", "o_klappstuhl", F),
    ("r_buerostuhl", "o_buerostuehle", T),
    ("r_buerostuhl", "o_buerostuehle_ue", T),
    ("r_buerostuhl", "o_aktenschrank", F),
    ("r_buerostuhl", "o_schreibtisch", F),
    ("r_chairs_en", "o_buerostuehle", T),
    ("r_chairs_en", "o_buerostuehle_ue", T),
    ("r_chairs_en", "o_schreibtisch", F),
    ("r_chairs_en", "o_rollcontainer", F),
    ("r_klappstuehle", "o_klappstuhl", T),
    ("r_klappstuehle", "o_biertisch", F),
    ("r_klappstuehle", "o_beamer", F),
    ("r_klappstuehle", "o_lautsprecher", F),
    ("r_klappstuehle", "o_buerostuehle", F),
    ("r_beamer", "o_beamer", T),
    ("r_beamer", "o_biertisch", F),
    ("r_beamer", "o_lautsprecher", F),
    ("r_projector_en", "o_beamer", T),
    ("r_projector_en", "o_lautsprecher", F),
    ("r_tables_en", "o_tische", T),
    ("r_tables_en", "o_schreibtisch", T),
    ("r_tables_en", "o_sofa", F),
    ("r_tische", "o_tische", T),
    ("r_tische", "o_schreibtisch", T),
    ("r_tische", "o_biertisch", F),
    ("r_tische", "o_sofa", F),
    ("r_sofa", "o_sofa", T),
    ("r_sofa", "o_sessel", F),
    ("r_sofa", "o_tische", F),
    ("r_fahrrad", "o_fahrraeder", T),
    ("r_fahrrad", "o_lastenrad", T),
    ("r_fahrrad", "o_fahrradhelme", F),
    ("r_bicycles_en", "o_fahrraeder", T),
    ("r_bicycles_en", "o_lastenrad", T),
    ("r_bicycles_en", "o_fahrradhelme", F),
    ("r_daemmplatten", "o_daemmplatten", T),
    ("r_daemmplatten", "o_gipskarton", F),
    ("r_plasterboard_en", "o_gipskarton", T),
    ("r_plasterboard_en", "o_daemmplatten", F),
    ("r_kuehlschrank", "o_kuehlschrank", T),
    ("r_kuehlschrank", "o_waschmaschine", F),
    ("r_fridge_en", "o_kuehlschrank", T),
    ("r_fridge_en", "o_waschmaschine", F),
    ("r_laptops", "o_laptop", T),
    ("r_laptops", "o_monitore", F),
    ("r_laptops", "o_drucker", F),
    ("r_bricks_en", "o_ziegel", T),
    ("r_bricks_en", "o_pflaster", F),
    ("r_wandfarbe", "o_dispersionsfarbe", T),
    ("r_wandfarbe", "o_klarlack", F),
    ("r_umzugskartons", "o_kartons", T),
    ("r_umzugskartons", "o_papier", F),
    ("r_holz", "o_bretter", T),
    ("r_holz", "o_spanplatten", T),
    ("r_holz", "o_brennholz", F),
    ("r_autoreifen", "o_reifen", T),
    ("r_autoreifen", "o_fahrradhelme", F),
    ("r_stoffreste", "o_stoffreste", T),
    ("r_stoffreste", "o_arbeitskleidung", F),
]
TOP = 5


@dataclass(frozen=True)
class Figures:
    precision_at_5: float
    recall_at_5: float
    pairs: int
    requests: int
    requests_showing_nothing: int
    shown: int
    #: (request title, offer title) shown as a match but not judged relevant
    misses: list


def build_judged_listings() -> dict[str, int]:
    """Every request and offer as open listings at one place (distance plays no part), requests
    of one organisation, offers of another; one commit (an import: no alerts). key -> id."""
    from marketplace.categories.models import Category
    from marketplace.core.clock import today
    from marketplace.extensions import db
    from marketplace.listings.models import Listing
    from marketplace.orgs.models import Organisation

    place = {"postcode": "10115", "district": "Mitte", "lat": 52.5321, "lon": 13.3847}
    asking = Organisation(name="Stadtteilzentrum Mitte", kind="association", **place)
    giving = Organisation(name="Kaufhaus Sammelstelle", kind="business", **place)
    db.session.add_all([asking, giving])
    categories = {c.slug: c for c in db.session.query(Category)}
    listings = {}
    for kind, organisation, rows in (("request", asking, REQUESTS), ("offer", giving, OFFERS)):
        for key, (title, description, slug, unit) in rows.items():
            listings[key] = Listing(
                kind=kind,
                title=title,
                description=description,
                category=categories[slug],
                quantity=Decimal(10),
                quantity_remaining=Decimal(10),
                unit=unit,
                condition="good" if kind == "offer" else None,
                price_eur=Decimal(0),
                available_until=today() + timedelta(days=30),
                status="open",
                organisation=organisation,
                **place,
            )
    db.session.add_all(listings.values())
    db.session.commit()
    return {key: listing.id for key, listing in listings.items()}


def evaluate(ids: dict[str, int]) -> Figures:
    """Run the candidate search (matching.queries.find_matches, top 5) for every request."""
    from marketplace.extensions import db
    from marketplace.listings.models import Listing
    from marketplace.matching.queries import find_matches

    relevant = {(r, o) for r, o, good in JUDGED if good}
    key_of = {listing_id: key for key, listing_id in ids.items()}
    precisions, found, shown, nothing, misses = [], 0, 0, 0, []
    for request_key in REQUESTS:
        listing = db.session.get(Listing, ids[request_key])
        top = [key_of.get(m.listing.id) for m in find_matches(listing, limit=TOP)]
        if not top:
            nothing += 1
            continue
        hits = [(request_key, o) in relevant for o in top]
        precisions.append(sum(hits) / len(top))
        found += sum(hits)
        shown += len(top)
        misses += [
            (REQUESTS[request_key][0], OFFERS[o][0] if o in OFFERS else o)
            for o, hit in zip(top, hits, strict=True)
            if not hit
        ]
    return Figures(
        precision_at_5=sum(precisions) / len(precisions) if precisions else 0.0,
        recall_at_5=found / len(relevant),
        pairs=len(JUDGED),
        requests=len(REQUESTS),
        requests_showing_nothing=nothing,
        shown=shown,
        misses=misses,
    )
