"""The region's open offers and requests as arrays for the allocation, and its result as pairs.

Three queries (offers, requests, pairs that already have a live exchange), no per-row queries.
Quantities go to the solver in integral milli-units (three decimals, as stored), so that rounding
is exact; pieces move in whole pieces. Only units whose hand-over counts towards the request can
meet (exchanges/impact.py): the same unit, or a request in kg or t and an offer of known mass.
"""

import time
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from flask_babel import gettext as _
from sqlalchemy import Integer, String, column, select, table

from marketplace.auth.access import require_coordinator
from marketplace.categories.models import Category
from marketplace.core.clock import today
from marketplace.core.units import MASS_UNIT_KG, UNITS, unit_mass_kg
from marketplace.extensions import db
from marketplace.listings.liveness import open_with_quantity_left
from marketplace.listings.models import Listing
from marketplace.matching import allocation
from marketplace.matching.relevance import wording_of
from marketplace.orgs.models import Organisation

MILLI = 1000
OBJECTIVES = ("co2e", "kg")
#: The exchanges table as far as matching reads it (matching must not import the exchanges
#: feature, which builds on it).
exchanges_table = table(
    "exchanges",
    column("offer_id", Integer),
    column("request_id", Integer),
    column("status", String),
)
LIVE_EXCHANGE_STATUSES = ("proposed", "accepted")


@dataclass(frozen=True)
class Row:
    """What the result page shows of one listing."""

    id: int
    title: str
    unit: str
    quantity_remaining: Decimal
    organisation_id: int
    organisation_name: str
    district: str | None
    kg_per_unit: Decimal | None  # offers: the mass of one unit, else None


@dataclass(frozen=True)
class AllocationInput:
    offers: allocation.Side
    requests: allocation.Side
    offer_rows: list[Row]
    request_rows: list[Row]
    quantum: np.ndarray  # per offer, in milli-units
    exclude: frozenset  # (offer index, request index) pairs with a live exchange already


@dataclass(frozen=True)
class Pair:
    offer: Row
    request: Row
    quantity: Decimal  # in the offer's unit
    kg: float
    co2e: float
    km: float | None


@dataclass(frozen=True)
class Totals:
    kg: float
    co2e: float
    transport: float
    pairs: int
    objective: float


@dataclass
class AllocationReport:
    objective: str
    transport_penalty: bool
    offers: int
    requests: int
    edges: int
    lp: Totals
    greedy: Totals
    pairs: list[Pair] = field(default_factory=list)
    method: str = ""
    load_s: float = 0.0
    solve_s: float = 0.0
    greedy_s: float = 0.0

    @property
    def gain_ratio(self) -> float | None:
        """LP objective / greedy objective (None when greedy found nothing)."""
        return self.lp.objective / self.greedy.objective if self.greedy.objective > 0 else None

    @property
    def gain_absolute(self) -> float:
        return self.lp.objective - self.greedy.objective


def _select(kind: str, district: str | None, category_ids: list[int] | None):
    statement = (
        select(
            Listing.id,
            Listing.title,
            Listing.description,
            Listing.unit,
            Listing.quantity_remaining,
            Listing.kg_per_unit,
            Listing.category_id,
            Listing.organisation_id,
            Listing.district,
            Listing.lat,
            Listing.lon,
            Category.parent_id,
            Category.kg_per_unit.label("category_kg"),
            Category.co2e_factor,
            Category.resource_type,
            Organisation.name.label("organisation_name"),
            Organisation.lat.label("org_lat"),
            Organisation.lon.label("org_lon"),
        )
        .join(Category, Category.id == Listing.category_id)
        .join(Organisation, Organisation.id == Listing.organisation_id)
        .where(Listing.kind == kind, open_with_quantity_left(today()))
        .order_by(Listing.created_at, Listing.id)
    )
    if district:
        statement = statement.where(Listing.district == district)
    if category_ids:
        statement = statement.where(Listing.category_id.in_(category_ids))
    return statement


def _offer_kg(row) -> Decimal | None:
    return unit_mass_kg(
        row.unit,
        resource_type=row.resource_type,
        listing_kg_per_unit=row.kg_per_unit,
        category_kg_per_unit=row.category_kg,
    )


def _side(rows, *, offers: bool) -> allocation.Side:
    def column(getter, dtype=float):
        return np.fromiter((getter(r) for r in rows), dtype=dtype, count=len(rows))

    def coordinate(r, own, fallback):
        value = own if own is not None else fallback
        return np.nan if value is None else float(value)

    if offers:
        kg = column(lambda r: np.nan if (m := _offer_kg(r)) is None else float(m))
    else:
        # A request counts by mass only in kg or t (exchanges/impact.quantity_towards_request).
        kg = column(lambda r: float(MASS_UNIT_KG.get(r.unit, np.nan)))
    return allocation.Side(
        quantity=column(lambda r: int(Decimal(r.quantity_remaining) * MILLI)),
        category=column(lambda r: r.category_id, np.int64),
        family=column(lambda r: r.parent_id or r.category_id, np.int64),
        unit=column(lambda r: UNITS.index(r.unit) if r.unit in UNITS else -1, np.int64),
        kg_per_unit=kg,
        organisation=column(lambda r: r.organisation_id, np.int64),
        lat=column(lambda r: coordinate(r, r.lat, r.org_lat)),
        lon=column(lambda r: coordinate(r, r.lon, r.org_lon)),
        factor=column(lambda r: np.nan if r.co2e_factor is None else float(r.co2e_factor))
        if offers
        else None,
        wording=tuple(wording_of(r.title or "", r.description or "") for r in rows),
    )


def _row(r, *, offer: bool) -> Row:
    return Row(
        id=r.id,
        title=r.title,
        unit=r.unit,
        quantity_remaining=Decimal(r.quantity_remaining),
        organisation_id=r.organisation_id,
        organisation_name=r.organisation_name,
        district=r.district,
        kg_per_unit=_offer_kg(r) if offer else None,
    )


def load_allocation_input(
    district: str | None = None, category_ids: list[int] | None = None
) -> AllocationInput:
    """Open offers and open requests (optionally of one district and some categories)."""
    offer_rows = db.session.execute(_select("offer", district, category_ids)).all()
    request_rows = db.session.execute(_select("request", district, category_ids)).all()
    ex = exchanges_table.c
    live = db.session.execute(
        select(ex.offer_id, ex.request_id).where(
            ex.request_id.is_not(None), ex.status.in_(LIVE_EXCHANGE_STATUSES)
        )
    ).all()
    offer_index = {r.id: i for i, r in enumerate(offer_rows)}
    request_index = {r.id: i for i, r in enumerate(request_rows)}
    exclude = frozenset(
        (offer_index[o], request_index[r])
        for o, r in live
        if o in offer_index and r in request_index
    )
    quantum = np.array([MILLI if r.unit == "piece" else 1 for r in offer_rows], dtype=float)
    return AllocationInput(
        offers=_side(offer_rows, offers=True),
        requests=_side(request_rows, offers=False),
        offer_rows=[_row(r, offer=True) for r in offer_rows],
        request_rows=[_row(r, offer=False) for r in request_rows],
        quantum=quantum,
        exclude=exclude,
    )


def solve_allocation(
    data: AllocationInput,
    *,
    objective: str = "co2e",
    transport_penalty: bool = True,
    nearest: int = 30,
    parent_factor: float = 0.8,
    transport_per_kg_km: float = 0.0034,
) -> AllocationReport:
    """Allocate by LP and by greedy first-come on the same candidate edges; the LP's pairs."""
    started = time.perf_counter()
    edges = allocation.candidate_edges(data.offers, data.requests, k=nearest, exclude=data.exclude)
    figures = allocation.edge_figures(
        data.offers,
        edges,
        objective=objective,
        transport_per_kg_km=transport_per_kg_km,
        transport_penalty=transport_penalty,
        parent_factor=parent_factor,
        unit_scale=1 / MILLI,
    )
    arguments = (
        data.offers.quantity,
        data.requests.quantity,
        edges.offer,
        edges.request,
        figures.value,
    )
    options = {"ratio": edges.ratio, "quantum": data.quantum}
    lp = allocation.allocate(*arguments, **options)
    solved = time.perf_counter()
    baseline = allocation.greedy(*arguments, **options)
    done = time.perf_counter()
    flow = _exact(data, edges, lp.flow)
    return AllocationReport(
        objective=objective,
        transport_penalty=transport_penalty,
        offers=len(data.offers),
        requests=len(data.requests),
        edges=len(edges),
        lp=_totals(flow, figures),
        greedy=_totals(baseline.flow, figures),
        pairs=_pairs(data, edges, figures, flow),
        method=lp.method,
        solve_s=solved - started,
        greedy_s=done - solved,
    )


def _totals(flow: np.ndarray, figures: allocation.EdgeFigures) -> Totals:
    return Totals(
        kg=float(flow @ figures.kg),
        co2e=float(flow @ figures.co2e),
        transport=float(flow @ figures.transport),
        pairs=int((flow > 0).sum()),
        objective=float(flow @ figures.value),
    )


def _exact(data: AllocationInput, edges: allocation.Edges, flow: np.ndarray) -> np.ndarray:
    """Integral milli-units, re-checked in integers against what is left on both ends (the
    request side through the float ratio can overshoot by a rounding error: cut a quantum)."""
    flow = np.rint(flow)
    if not allocation.is_feasible(
        data.offers.quantity,
        data.requests.quantity,
        edges.offer,
        edges.request,
        flow,
        ratio=edges.ratio,
    ):
        raise RuntimeError("allocation exceeds a supply or demand")
    left = {int(r): int(q) for r, q in enumerate(data.requests.quantity)}
    for e in np.flatnonzero(flow > 0).tolist():
        r, step = int(edges.request[e]), float(data.quantum[edges.offer[e]])
        while flow[e] > 0 and int(np.ceil(flow[e] * edges.ratio[e] - 1e-6)) > left[r]:
            flow[e] -= step
        left[r] -= int(np.ceil(flow[e] * edges.ratio[e] - 1e-6))
    return np.maximum(flow, 0)


def _pairs(data, edges, figures, flow) -> list[Pair]:
    pairs = []
    for e in np.flatnonzero(flow > 0).tolist():
        km = float(edges.km[e])
        pairs.append(
            Pair(
                offer=data.offer_rows[int(edges.offer[e])],
                request=data.request_rows[int(edges.request[e])],
                quantity=Decimal(int(flow[e])) / MILLI,
                kg=float(flow[e] * figures.kg[e]),
                co2e=float(flow[e] * figures.co2e[e]),
                km=None if np.isnan(km) else km,
            )
        )
    pairs.sort(key=lambda p: (-p.co2e, -p.kg, p.request.id, p.offer.id))
    return pairs


def run_allocation(
    config,
    *,
    viewer,
    objective: str = "co2e",
    transport_penalty: bool = True,
    district: str | None = None,
    category_ids: list[int] | None = None,
    release=None,
) -> AllocationReport:
    """Load, then solve with the configured parameters; `release()` ends the read transaction
    before the solver runs (a POST holds SQLite's write lock). Coordinators only."""
    require_coordinator(viewer, _("Only coordinators can compute the allocation."))
    started = time.perf_counter()
    data = load_allocation_input(district, category_ids)
    loaded = time.perf_counter()
    if release is not None:
        release()
    report = solve_allocation(
        data,
        objective=objective if objective in OBJECTIVES else "co2e",
        transport_penalty=transport_penalty,
        nearest=int(config.get("ALLOCATION_NEAREST_OFFERS", 30)),
        parent_factor=float(config.get("ALLOCATION_PARENT_CATEGORY_FACTOR", 0.8)),
        transport_per_kg_km=float(config.get("ALLOCATION_TRANSPORT_KG_CO2E_PER_KG_KM", 0.0034)),
    )
    report.load_s = loaded - started
    return report
