"""Region-wide allocation of open offers to open requests as a linear program (pure: numpy/scipy).

The problem is a transportation problem: every offer supplies its remaining quantity, every
request demands its remaining quantity, and one variable carries the flow (in the offer's unit)
along each candidate edge between a compatible offer and request. Maximise the sum of flow x
value per unit subject to "no offer gives more than it has" and "no request gets more than it
needs" (`ratio` converts one unit of the offer into the request's unit). With ratio 1 and
integral quantities the constraint matrix is totally unimodular, so the LP optimum HiGHS returns
at a vertex is integral; flows are still rounded down to each offer's quantum and re-checked.

Value of one unit of flow (offer unit), documented on the allocation page as well:
    kg per unit x (CO2e factor, or 1 for the kg objective) x (1, or `parent_factor` when the
    two listings share only the parent category) - transport
    transport = kg per unit x km x `transport_per_kg_km` (a van trip of 0.17 kg CO2e per km,
    there and back, spread over a typical load; linear in kg and km so the problem stays an LP)
Edges of non-positive value are dropped: moving them would cost more than it saves.

An edge needs, besides the category family, a meaningful word in common (relevance.py: shared
stems or compound heads, or words of one shipped substitutes group) when the sides carry their
wording: a Rollcontainer does not replace Klappstühle because both are furniture.

The greedy baseline serves requests first-come (in the given order); each takes from its
best-valued compatible offers until it is satisfied. `allocate` is never worse than greedy: the
rounded LP flow is topped up greedily and, should rounding ever cost more than that, greedy wins.
"""

from dataclasses import dataclass

import numpy as np

from marketplace.core.geo import haversine_km_array
from marketplace.matching.relevance import Wording, share_matrix

#: Distance assumed for the transport penalty when a listing has no coordinates.
UNKNOWN_DISTANCE_KM = 10.0
#: Relative slack of the feasibility check (floating point only; quantities are milli-units).
_TOL = 1e-9


@dataclass(frozen=True)
class Side:
    """One side of the market as arrays of equal length (offers or requests)."""

    quantity: np.ndarray  # remaining quantity (callers use integral milli-units)
    category: np.ndarray  # category id
    family: np.ndarray  # parent category id, or the category's own id at the top level
    unit: np.ndarray  # unit code (any integers; equal codes are the same unit)
    kg_per_unit: np.ndarray  # kg per unit (nan unknown); for requests: 1 for kg, 1000 for t
    organisation: np.ndarray
    lat: np.ndarray  # nan unknown
    lon: np.ndarray
    factor: np.ndarray | None = None  # offers: kg CO2e avoided per kg (nan unknown)
    #: What each listing is about; None: pairs are not checked for a word in common.
    wording: tuple[Wording, ...] | None = None

    def __len__(self) -> int:
        return len(self.quantity)


@dataclass(frozen=True)
class Edges:
    offer: np.ndarray  # index into the offers
    request: np.ndarray  # index into the requests
    km: np.ndarray  # straight-line distance, nan unknown
    ratio: np.ndarray  # request units per offer unit
    same_category: np.ndarray  # bool

    def __len__(self) -> int:
        return len(self.offer)

    def take(self, mask: np.ndarray) -> "Edges":
        return Edges(
            *(a[mask] for a in (self.offer, self.request, self.km, self.ratio, self.same_category))
        )


@dataclass(frozen=True)
class EdgeFigures:
    """Per unit of flow on each edge: kg moved, kg CO2e avoided, transport kg CO2e and value."""

    kg: np.ndarray
    co2e: np.ndarray
    transport: np.ndarray
    value: np.ndarray


@dataclass(frozen=True)
class AllocationResult:
    flow: np.ndarray  # per edge, in the offer's unit, a multiple of the offer's quantum
    objective: float
    method: str  # "lp", "lp+fill", "greedy" (the LP lost to rounding) or "empty"


def candidate_edges(offers: Side, requests: Side, *, k: int = 30, exclude=frozenset()) -> Edges:
    """For each request, the k nearest compatible offers: same category or parent category,
    a meaningful word in common (when the sides carry wording), another organisation, and a
    quantity that counts towards the request (same unit, or the request counts kg/t and the
    offer's mass is known). `exclude`: (offer, request) index pairs."""
    parts = []
    for family in np.unique(requests.family):
        r_idx = np.flatnonzero(requests.family == family)
        o_idx = np.flatnonzero(offers.family == family)
        if len(o_idx) == 0:
            continue
        km = haversine_km_array(
            requests.lat[r_idx, None],
            requests.lon[r_idx, None],
            offers.lat[None, o_idx],
            offers.lon[None, o_idx],
        )
        same_unit = requests.unit[r_idx, None] == offers.unit[None, o_idx]
        by_mass = ~np.isnan(requests.kg_per_unit[r_idx, None]) & ~np.isnan(
            offers.kg_per_unit[None, o_idx]
        )
        ok = (same_unit | by_mass) & (
            requests.organisation[r_idx, None] != offers.organisation[None, o_idx]
        )
        if requests.wording is not None and offers.wording is not None:
            ok &= share_matrix(
                [requests.wording[i] for i in r_idx.tolist()],
                [offers.wording[j] for j in o_idx.tolist()],
            )
        # Unknown distances rank after every known one, incompatible pairs after those.
        rank = np.where(ok, np.where(np.isnan(km), 1e9, km), np.inf)
        keep = min(k, len(o_idx))
        nearest = (
            np.argpartition(rank, keep - 1, axis=1)[:, :keep]
            if keep < len(o_idx)
            else (np.broadcast_to(np.arange(len(o_idx)), (len(r_idx), len(o_idx))))
        )
        rows = np.repeat(np.arange(len(r_idx)), nearest.shape[1])
        cols = nearest.ravel()
        valid = ok[rows, cols]
        rows, cols = rows[valid], cols[valid]
        o, r = o_idx[cols], r_idx[rows]
        ratio = np.where(
            same_unit[rows, cols], 1.0, offers.kg_per_unit[o] / requests.kg_per_unit[r]
        )
        parts.append((o, r, km[rows, cols], ratio, offers.category[o] == requests.category[r]))
    if not parts:
        empty = np.array([], dtype=np.int64)
        return Edges(empty, empty, np.array([]), np.array([]), np.array([], dtype=bool))
    edges = Edges(*(np.concatenate([p[i] for p in parts]) for i in range(5)))
    if exclude:
        pairs = set(exclude)
        mask = np.fromiter(
            (
                (o, r) not in pairs
                for o, r in zip(edges.offer.tolist(), edges.request.tolist(), strict=True)
            ),
            dtype=bool,
            count=len(edges),
        )
        edges = edges.take(mask)
    return edges


def edge_figures(
    offers: Side,
    edges: Edges,
    *,
    objective: str = "co2e",
    transport_per_kg_km: float = 0.0034,
    transport_penalty: bool = True,
    parent_factor: float = 0.8,
    unit_scale: float = 1.0,
) -> EdgeFigures:
    """Figures per unit of flow; `unit_scale` converts a flow unit into an offer unit (1/1000 for
    milli-units)."""
    kg = np.nan_to_num(offers.kg_per_unit[edges.offer], nan=0.0) * unit_scale
    factor = (
        np.nan_to_num(offers.factor[edges.offer], nan=0.0) if offers.factor is not None else 0.0
    )
    co2e = kg * factor
    km = np.where(np.isnan(edges.km), UNKNOWN_DISTANCE_KM, edges.km)
    transport = kg * km * transport_per_kg_km
    gain = (co2e if objective == "co2e" else kg) * np.where(edges.same_category, 1.0, parent_factor)
    value = gain - (transport if transport_penalty else 0.0)
    return EdgeFigures(kg=kg, co2e=co2e, transport=transport, value=value)


def _quanta(quantum, offers_of_edges: np.ndarray) -> np.ndarray:
    """The quantum of each edge: None 1, a number for all, or an array per offer."""
    if quantum is None:
        return np.ones(len(offers_of_edges))
    quantum = np.asarray(quantum, dtype=float)
    if quantum.ndim == 0:
        return np.full(len(offers_of_edges), float(quantum))
    return quantum[offers_of_edges]


def allocate(
    supply, demand, edges_offer, edges_request, value, *, ratio=None, quantum=None, order=None
) -> AllocationResult:
    """The flow maximising sum(flow x value) within supplies and demands (HiGHS LP), rounded down
    to the offers' quanta, topped up greedily, and never worse than `greedy` in request order."""
    # scipy on first use: its import is 0.7 s of every process start (workers, CLI commands)
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    supply, demand = np.asarray(supply, float), np.asarray(demand, float)
    eo, er = np.asarray(edges_offer, np.int64), np.asarray(edges_request, np.int64)
    value = np.asarray(value, float)
    ratio = np.ones(len(eo)) if ratio is None else np.asarray(ratio, float)
    q = _quanta(quantum, eo)
    keep = value > 0
    if not keep.any():
        return AllocationResult(np.zeros(len(eo)), 0.0, "empty")
    idx = np.flatnonzero(keep)
    o_used, o_row = np.unique(eo[idx], return_inverse=True)
    r_used, r_row = np.unique(er[idx], return_inverse=True)
    n = len(idx)
    matrix = coo_matrix(
        (
            np.concatenate([np.ones(n), ratio[idx]]),
            (np.concatenate([o_row, len(o_used) + r_row]), np.concatenate([np.arange(n)] * 2)),
        ),
        shape=(len(o_used) + len(r_used), n),
    ).tocsr()
    bounds_ub = np.minimum(supply[eo[idx]], demand[er[idx]] / ratio[idx])
    result = linprog(
        -value[idx],
        A_ub=matrix,
        b_ub=np.concatenate([supply[o_used], demand[r_used]]),
        bounds=np.column_stack([np.zeros(n), np.maximum(bounds_ub, 0)]),
        method="highs",
    )
    flow = np.zeros(len(eo))
    if result.status == 0:
        flow[idx] = np.floor(np.maximum(result.x, 0) / q[idx] + 1e-6) * q[idx]
        flow = _repair(supply, demand, eo, er, value, ratio, q, flow)
    method = "lp" if result.status == 0 else "greedy"
    before = float(flow @ value)
    sequence = np.flatnonzero(keep)[np.argsort(-value[keep] / ratio[keep], kind="stable")]
    flow = _fill(supply, demand, eo, er, ratio, q, flow, sequence)
    objective = float(flow @ value)
    if objective > before + 1e-9 * max(1.0, abs(before)):
        method = "lp+fill"
    baseline = greedy(supply, demand, eo, er, value, order=order, ratio=ratio, quantum=quantum)
    if baseline.objective > objective:
        return AllocationResult(baseline.flow, baseline.objective, "greedy")
    return AllocationResult(flow, objective, method)


def greedy(
    supply, demand, edges_offer, edges_request, value, *, order=None, ratio=None, quantum=None
) -> AllocationResult:
    """First come, first served: requests in `order` (default: by index, e.g. by creation time),
    each taking from its best-valued offers (per unit of its own demand) while any is left."""
    supply, demand = np.asarray(supply, float), np.asarray(demand, float)
    eo, er = np.asarray(edges_offer, np.int64), np.asarray(edges_request, np.int64)
    value = np.asarray(value, float)
    ratio = np.ones(len(eo)) if ratio is None else np.asarray(ratio, float)
    q = _quanta(quantum, eo)
    rank = np.arange(len(demand))
    if order is not None:
        rank[np.asarray(order, np.int64)] = np.arange(len(demand))
    candidates = np.flatnonzero(value > 0)
    per_demand = value[candidates] / ratio[candidates]
    sequence = candidates[np.lexsort((-per_demand, rank[er[candidates]]))]
    flow = _fill(supply, demand, eo, er, ratio, q, np.zeros(len(eo)), sequence)
    return AllocationResult(flow, float(flow @ value), "greedy")


def _fill(supply, demand, eo, er, ratio, q, flow, sequence) -> np.ndarray:
    """Walk the edges in `sequence`, moving as much as is left on both ends (whole quanta)."""
    flow = flow.copy()
    s_left = supply - np.bincount(eo, weights=flow, minlength=len(supply))
    d_left = demand - np.bincount(er, weights=flow * ratio, minlength=len(demand))
    for e in sequence.tolist():
        o, r = eo[e], er[e]
        amount = min(s_left[o], d_left[r] / ratio[e])
        if amount <= 0:
            continue
        amount = np.floor(amount / q[e] + 1e-9) * q[e]
        while amount > 0 and (amount > s_left[o] or amount * ratio[e] > d_left[r]):
            amount -= q[e]
        if amount <= 0:
            continue
        flow[e] += amount
        s_left[o] -= amount
        d_left[r] -= amount * ratio[e]
    return flow


def _repair(supply, demand, eo, er, value, ratio, q, flow) -> np.ndarray:
    """Take whole quanta off the least valuable edges of any offer or request that rounding (or
    solver tolerance) left over its limit."""
    flow = flow.copy()
    for ends, limit, weight in ((eo, supply, np.ones(len(eo))), (er, demand, ratio)):
        used = np.bincount(ends, weights=flow * weight, minlength=len(limit))
        for node in np.flatnonzero(used > limit).tolist():
            excess = used[node] - limit[node]
            for e in sorted(
                np.flatnonzero((ends == node) & (flow > 0)).tolist(), key=lambda i: value[i]
            ):
                if excess <= 0:
                    break
                steps = min(np.ceil(excess / (weight[e] * q[e]) - 1e-12), flow[e] / q[e])
                flow[e] -= steps * q[e]
                excess -= steps * q[e] * weight[e]
    return flow


def is_feasible(supply, demand, edges_offer, edges_request, flow, *, ratio=None) -> bool:
    """No offer gives more than it has, no request gets more than it needs, no flow negative."""
    flow = np.asarray(flow, float)
    ratio = np.ones(len(flow)) if ratio is None else np.asarray(ratio, float)
    supply, demand = np.asarray(supply, float), np.asarray(demand, float)
    given = np.bincount(np.asarray(edges_offer, np.int64), weights=flow, minlength=len(supply))
    got = np.bincount(
        np.asarray(edges_request, np.int64), weights=flow * ratio, minlength=len(demand)
    )
    return bool(
        (flow >= 0).all()
        and (given <= supply + _TOL * np.maximum(1, supply)).all()
        and (got <= demand + _TOL * np.maximum(1, demand)).all()
    )
