"""Does a saved search find a given listing? Evaluated on that one listing's analysed terms, with
the search's own query parsing, so that it finds what the browse page would (compounds, both
languages, phrases, -words)."""

from marketplace.core.geo import haversine_km, postcode_coordinates
from marketplace.listings.models import Listing
from marketplace.matching.models import SavedSearch
from marketplace.search import query as search_query
from marketplace.search.analysis import MarketplaceTokenizer, sectioned

DEFAULT_RADIUS_KM = 25.0


def listing_terms(listing: Listing) -> frozenset[str]:
    """The index terms the listing's document holds (title, description, category names,
    organisation, district), as the search index analyses them."""
    category, parent = listing.category, listing.category.parent
    context = " ".join(
        part
        for part in (
            category.name_de,
            category.name_en,
            parent.name_de if parent else None,
            parent.name_en if parent else None,
            listing.organisation.name,
            listing.district,
        )
        if part
    )
    text = sectioned(listing.title, listing.description, context)
    return frozenset(token.text for token in MarketplaceTokenizer()(text))


def _group_matches(group, terms: frozenset[str]) -> bool:
    return any(all(t in terms for t in alternative) for alternative in group)


def text_matches(q: str | None, terms: frozenset[str]) -> bool:
    """Every word (or phrase) of the query is in the terms and no -word is."""
    plan = search_query.plan(search_query.parse(q))
    if not all(_group_matches(group, terms) for group in plan.groups):
        return False
    return not any(_group_matches(group, terms) for group in plan.excluded)


def search_finds(search: SavedSearch, listing: Listing, terms: frozenset[str]) -> bool:
    """The saved search's filters and words let the listing through."""
    if search.kind and search.kind != listing.kind:
        return False
    if search.category:
        slugs = {listing.category.slug}
        if listing.category.parent is not None:
            slugs.add(listing.category.parent.slug)
        if search.category not in slugs:
            return False
    if search.near:
        point = postcode_coordinates(search.near)
        if point is None or listing.lat is None or listing.lon is None:
            return False
        radius = search.radius_km or DEFAULT_RADIUS_KM
        if haversine_km(point[0], point[1], listing.lat, listing.lon) > radius:
            return False
    return text_matches(search.q, terms)
