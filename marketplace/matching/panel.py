"""What the matching templates show: the panel of a listing page, the alerts of /matches."""

from dataclasses import dataclass, field
from decimal import Decimal

from flask_login import current_user
from markupsafe import Markup

from marketplace.core.fragments import cached_fragment, render_fragment
from marketplace.core.i18n import current_language
from marketplace.listings.liveness import effective_status
from marketplace.listings.mass import mass_of, unit_mass_of
from marketplace.listings.models import LIVE_STATUSES, Listing
from marketplace.listings.page_cache import page_version
from marketplace.listings.queries import listing_finder
from marketplace.matching.candidates import dismissals_stamp
from marketplace.matching.models import MatchAlert
from marketplace.matching.queries import Match, find_candidates
from marketplace.matching.reasons import describe_all, from_json

PANEL_SIZE = 5
#: Counterparts sharing only a category, shown apart and without a score.
MAYBE_SIZE = 3


@dataclass
class PanelItem:
    match: Match
    #: For the one-click proposal (a request page of the viewer's organisation): how much of the
    #: offer to ask for, in the offer's unit; None: no proposal button.
    propose_quantity: Decimal | None = None

    @property
    def percent(self) -> int:
        return round(self.match.score * 100)


@dataclass
class Panel:
    listing: Listing
    #: The viewer's organisation owns the listing: it may propose and dismiss.
    own: bool
    items: list[PanelItem] = field(default_factory=list)
    #: "Maybe also of interest": the same category, no word in common.
    maybe: list[Match] = field(default_factory=list)


def proposal_quantity(offer: Listing, request: Listing) -> Decimal:
    """min(offer remaining, request remaining), the request converted into the offer's unit
    through kg where the units differ (all of the offer when they cannot be compared)."""
    available = offer.quantity_remaining
    wanted = request.quantity_remaining
    if offer.unit != request.unit:
        wanted_kg = mass_of(request, wanted)
        per_unit = unit_mass_of(offer)
        if wanted_kg is None or not per_unit:
            return available
        wanted = (wanted_kg / per_unit).quantize(Decimal("0.001"))
    return max(Decimal("0.001"), min(available, wanted))


def match_panel(listing: Listing) -> Markup:
    """Template global: the panel's markup, kept under the listing index's version (every
    listing it shows, the listing itself and the day) and keyed by the listing, its "not
    interested" pairs, the viewer's organisation (it may propose and dismiss) and the language.
    Scoring the candidates and rendering their lines cost about 4 ms a view."""
    if listing.kind not in ("offer", "request") or effective_status(listing) not in LIVE_STATUSES:
        return Markup("")
    viewer = current_user.organisation_id if current_user.is_authenticated else None
    return cached_fragment(
        "match_panel",
        lambda: (
            (listing.id, dismissals_stamp(listing.id), viewer, current_language()),
            page_version() if listing_finder() is not None else None,
        ),
        lambda: render_fragment("matching/_panel_body.html", listing=listing),
    )


def listing_matches(listing: Listing) -> Panel | None:
    """Template global: the listing page's panel, or None for a listing that is not live."""
    if listing.kind not in ("offer", "request") or effective_status(listing) not in LIVE_STATUSES:
        return None
    viewer = current_user.organisation_id if current_user.is_authenticated else None
    own = viewer is not None and viewer == listing.organisation_id
    found = find_candidates(
        listing, limit=PANEL_SIZE, maybe_limit=MAYBE_SIZE, viewer_organisation_id=viewer
    )
    panel = Panel(listing=listing, own=own, maybe=found.maybe)
    for match in found.matches:
        quantity = None
        if own and listing.kind == "request":
            quantity = proposal_quantity(match.listing, listing)
        panel.items.append(PanelItem(match, quantity))
    return panel


@dataclass
class AlertView:
    alert: MatchAlert
    reasons: list[str]

    @property
    def percent(self) -> int | None:
        return round(self.alert.score * 100) if self.alert.score is not None else None


def alert_views(alerts: list[MatchAlert]) -> list[AlertView]:
    return [AlertView(a, describe_all(from_json(a.reasons))) for a in alerts]
