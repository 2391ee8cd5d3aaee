"""The map's points, held in memory by each worker for the viewports it clusters: every place of
every organisation and every open listing as numpy columns, filtered, counted and grouped into
the cells of a viewport's grid (grid.py) without a database round trip.

It answers what clusters.py and geojson.py answer from SQL: the same filters (function, kind,
category, district, the ids the words find), the same cells, counts and singles. It is built
from SQL on first use and again whenever the map's version (map_version.py) or the day (the
effective status of a listing depends on it) has changed; a transaction that changed the map
and has not committed reads from SQL instead."""

import gc
import threading

import numpy as np
from sqlalchemy import func, select

from marketplace.core.clock import today
from marketplace.directory.clusters import Cell
from marketplace.directory.filters import DirectoryFilters
from marketplace.directory.grid import Grid
from marketplace.directory.map_version import has_unversioned_changes, read_map_version
from marketplace.directory.models import OrganisationFunction
from marketplace.directory.queries import places_select
from marketplace.extensions import db
from marketplace.listings.liveness import effective_status_is
from marketplace.listings.models import Listing
from marketplace.orgs.models import Organisation


class Layer:
    """One layer's points as columns. For places, `rows` (SQL rows) hold what a feature shows,
    by the same index, in the order the SQL path sorts an uncut layer (by name)."""

    def __init__(self, rows: list, lat, lon, org, district, ids, extra=()):
        self.rows = rows
        self.lat = np.array(lat, dtype=np.float64)
        self.lon = np.array(lon, dtype=np.float64)
        #: index of the organisation in MapPoints' organisation columns
        self.org = np.asarray(org, dtype=np.int64)
        self.district = np.array(district, dtype=np.int64)
        #: organisation ids of places, listing ids of listings
        self.ids = np.array(ids, dtype=np.int64)
        #: category ids of listings
        self.extra = np.array(extra, dtype=np.int64)

    def subset(self, mask: np.ndarray) -> "Layer":
        """The points where mask is true, without their rows (listings are read when sent)."""
        if not len(mask):
            return self
        return Layer(
            [],
            self.lat[mask],
            self.lon[mask],
            self.org[mask],
            self.district[mask],
            self.ids[mask],
            self.extra[mask],
        )


class MapPoints:
    """Places and open offers and requests of one database at one version and day, read in
    five queries and turned into columns without a Python loop over rows where numpy can."""

    def __init__(self) -> None:
        o = Organisation
        orgs = db.session.execute(select(o.id, o.kind).order_by(o.id)).all()
        self.org_ids = np.array([row.id for row in orgs], dtype=np.int64)
        self.kind_codes: dict[str, int] = {}
        self.org_kind = np.array(
            [self.kind_codes.setdefault(row.kind, len(self.kind_codes)) for row in orgs], np.int64
        )
        self.org_functions = np.zeros(len(orgs), dtype=np.int64)
        self.codes: dict[int, list[str]] = {}
        self.function_bits: dict[str, int] = {}
        f = OrganisationFunction
        claims = db.session.execute(select(f.organisation_id, f.code).order_by(f.code)).all()
        for org_id, code in claims:
            self.codes.setdefault(org_id, []).append(code)
        if claims:
            org_ids, codes = zip(*claims, strict=True)
            # A bit per code the claims hold (A-H, and whatever else a row says, as SQL would).
            self.function_bits = {code: 1 << i for i, code in enumerate(sorted(set(codes)))}
            bits = np.array([self.function_bits[code] for code in codes], dtype=np.int64)
            np.bitwise_or.at(self.org_functions, self._org_index(org_ids), bits)
        self.district_names: dict[str | None, int] = {}

        places = select(places_select().subquery("places"))
        places = places.subquery("p")
        place_rows = db.session.execute(
            select(places, o.name.label("organisation_name"), o.kind).join(
                o, o.id == places.c.organisation_id
            )
        ).all()
        # As the SQL path sorts an uncut layer: by organisation name (in code points, as SQLite
        # compares), main place first.
        place_rows.sort(key=lambda p: (p.organisation_name, p.organisation_id, p.site_id or 0))
        self.places = self._layer(place_rows, "organisation_id")

        counted = db.session.execute(
            select(Listing.organisation_id, Listing.kind, func.count())
            .where(effective_status_is("open"))
            .group_by(Listing.organisation_id, Listing.kind)
        ).all()
        counts: dict[int, list[int]] = {}
        for org_id, kind, n in counted:
            counts.setdefault(org_id, [0, 0])[0 if kind == "offer" else 1] = int(n)
        self.open_counts = {
            org_id: (offers, requests) for org_id, (offers, requests) in counts.items()
        }

        # Only what filters and cells need: a feature's title and organisation are read for the
        # few listings an answer sends (geojson._listings_by_id), which keeps this read short:
        # one pass over ix_listings_map, which covers it. No ORDER BY: a sort by created_at
        # would read the table row by row; an uncut layer is sorted when it is sent.
        # On the session's connection, past the ORM's result layer: a third of the time for 100k.
        rows = (
            db.session.connection()
            .execute(
                select(
                    Listing.id,
                    Listing.kind,
                    Listing.lat,
                    Listing.lon,
                    Listing.category_id,
                    Listing.district,
                    Listing.organisation_id,
                ).where(
                    effective_status_is("open"), Listing.lat.is_not(None), Listing.lon.is_not(None)
                )
            )
            .all()
        )
        listings = self._layer(rows, "id", with_category=True)
        kinds = np.array([row.kind for row in rows], dtype=object)
        self.listings = {kind: listings.subset(kinds == kind) for kind in ("offer", "request")}

    def _org_index(self, org_ids) -> np.ndarray:
        return np.searchsorted(self.org_ids, np.array(org_ids, dtype=np.int64))

    def _layer(self, rows: list, id_column: str, *, with_category: bool = False) -> Layer:
        if not rows:
            return Layer([], [], [], [], [], [], [])
        columns = dict(zip(rows[0]._fields, zip(*rows, strict=True), strict=True))
        names = self.district_names
        return Layer(
            rows,
            columns["lat"],
            columns["lon"],
            self._org_index(columns["organisation_id"]),
            [names.setdefault(name, len(names)) for name in columns["district"]],
            columns[id_column],
            columns["category_id"] if with_category else (),
        )

    def matching(
        self,
        layer: Layer,
        filters: DirectoryFilters,
        *,
        ids: list[int] | None = None,
        categories: list[int] | None = None,
    ) -> np.ndarray:
        """Indexes (in the layer's order) of the points inside the bbox that match the filters,
        `ids` (what the words found: organisation ids for places, listing ids for listings)
        and `categories`."""
        west, south, east, north = filters.bbox
        mask = (layer.lat >= south) & (layer.lat <= north)
        if west <= east:
            mask &= (layer.lon >= west) & (layer.lon <= east)
        else:
            mask &= (layer.lon >= west) | (layer.lon <= east)
        if filters.functions:
            wanted = sum(self.function_bits.get(code, 0) for code in set(filters.functions))
            mask &= (self.org_functions[layer.org] & wanted) != 0
        if filters.kind:
            code = self.kind_codes.get(filters.kind, -2)
            mask &= self.org_kind[layer.org] == code
        if filters.district:
            mask &= np.isin(layer.district, self._districts_matching(filters.district))
        if categories is not None:
            mask &= np.isin(layer.extra, np.array(categories, dtype=np.int64))
        if ids is not None:
            mask &= np.isin(layer.ids, np.array(ids, dtype=np.int64))
        return np.flatnonzero(mask)

    def function_districts(self) -> tuple[dict[tuple[str, str], int], set[str], dict[str, int]]:
        """As gaps.function_matrix counts: (code, district) -> organisations with a place in the
        district, every district a place names, code -> organisations claiming it."""
        places = self.places
        names = {code: name for name, code in self.district_names.items() if name}
        named = np.isin(places.district, np.array(list(names), dtype=np.int64))
        # Distinct (organisation, district): an organisation counts once per district.
        pairs = np.unique(places.org[named] * len(self.district_names) + places.district[named])
        pair_org, pair_district = np.divmod(pairs, max(len(self.district_names), 1))
        counts = {}
        for code, bit in self.function_bits.items():
            taking = (self.org_functions[pair_org] & bit) != 0
            per_district = np.bincount(pair_district[taking], minlength=len(self.district_names))
            for district_code in np.flatnonzero(per_district).tolist():
                counts[(code, names[district_code])] = int(per_district[district_code])
        totals: dict[str, int] = {}
        for codes in self.codes.values():
            for code in codes:
                totals[code] = totals.get(code, 0) + 1
        return counts, {names[c] for c in places.district[named].tolist()}, totals

    def _districts_matching(self, district: str) -> np.ndarray:
        # As queries.district_matches: the exact name, or lower(name) == district.lower(), where
        # SQLite's lower() folds ASCII letters only.
        fold = _ascii_lower if db.engine.dialect.name == "sqlite" else str.lower
        lowered = district.lower()
        return np.array(
            [
                code
                for name, code in self.district_names.items()
                if name is not None and (name == district or fold(name) == lowered)
            ],
            dtype=np.int64,
        )


def cells_of(layer: Layer, rows: np.ndarray, grid: Grid) -> tuple[list[Cell], np.ndarray]:
    """The cells of these points, ordered by (x, y), and the points alone in their cells."""
    lat, lon = layer.lat[rows], layer.lon[rows]
    # The same double arithmetic as clusters.cell_index in SQL, so that a point lands in the
    # same cell.
    x = np.floor((lon + 180) / grid.lon_step).astype(np.int64)
    y = np.floor((lat + 90) / grid.lat_step).astype(np.int64)
    x0, y0 = int(x.min()), int(y.min())
    height = int(y.max()) - y0 + 1
    local = (x - x0) * height + (y - y0)
    counts = np.bincount(local)
    lat_sums = np.bincount(local, weights=lat)
    lon_sums = np.bincount(local, weights=lon)
    occupied = np.flatnonzero(counts)
    cells = [
        Cell(
            int(c // height) + x0,
            int(c % height) + y0,
            int(counts[c]),
            float(lat_sums[c]) / int(counts[c]),
            float(lon_sums[c]) / int(counts[c]),
        )
        for c in occupied.tolist()
    ]
    return cells, rows[counts[local] == 1]


def _ascii_lower(text: str) -> str:
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

_lock = threading.Lock()
_held: dict[str, tuple[tuple, MapPoints]] = {}


def current_points(*, build: bool = True) -> MapPoints | None:
    """This worker's points of the current version, built when missing or stale (unless not
    to `build`); None when the caller must read from SQL (no version row, this transaction's
    own uncommitted writes, or stale points not to be built)."""
    if has_unversioned_changes(db.session):
        return None
    # The version is read before the points: a write committed in between makes the points
    # newer than their key, and the next request builds them again, never the other way round.
    token = read_map_version()
    if token is None:
        return None
    engine_key = str(db.engine.url)
    key = (token, today())
    with _lock:
        held = _held.get(engine_key)
        if held is None or held[0] != key:
            if not build:
                return None
            held = _held[engine_key] = (key, _build())
    return held[1]


def _build() -> MapPoints:
    # Some 200k rows and tuples, none of them in a cycle: the cyclic collector would walk the
    # growing heap again and again and take about half the time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return MapPoints()
    finally:
        if collecting:
            gc.enable()
