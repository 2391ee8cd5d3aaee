"""Which functions the region's actors take in which district, and where nobody does: the
function x district matrix (public on /map/gaps, and in the coordinators' dashboard).

An organisation counts in every district where it has a place (its own postcode or a further
site); a district is one that any organisation or site names."""

from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from marketplace.directory.functions import RegionFunction, function_catalogue
from marketplace.directory.models import OrganisationFunction
from marketplace.directory.queries import places_select
from marketplace.extensions import db


@dataclass(frozen=True)
class GapMatrix:
    functions: tuple[RegionFunction, ...]
    districts: list[str]
    #: (function code, district) -> number of organisations; missing means none.
    counts: dict[tuple[str, str], int]
    #: function code -> organisations taking it anywhere.
    totals: dict[str, int]

    def count(self, code: str, district: str) -> int:
        return self.counts.get((code, district), 0)

    def gaps(self) -> list[tuple[RegionFunction, str]]:
        return [(f, d) for f in self.functions for d in self.districts if not self.count(f.code, d)]

    @property
    def gap_count(self) -> int:
        return len(self.functions) * len(self.districts) - len(self.counts)


def function_matrix() -> GapMatrix:
    """Counts of organisations per function and district. Two plain reads joined in Python:
    a GROUP BY over the union of places and sites cost SQLite ~90 ms at 10,000 organisations."""
    places = places_select().subquery("places")
    districts_of: dict[int, set[str]] = defaultdict(set)
    for org_id, district in db.session.execute(
        select(places.c.organisation_id, places.c.district).where(
            places.c.district.is_not(None), places.c.district != ""
        )
    ):
        districts_of[org_id].add(district)
    counts: Counter = Counter()
    totals: Counter = Counter()
    for org_id, code in db.session.execute(
        select(OrganisationFunction.organisation_id, OrganisationFunction.code)
    ):
        totals[code] += 1
        for district in districts_of.get(org_id, ()):
            counts[(code, district)] += 1
    all_districts = set().union(*districts_of.values()) if districts_of else set()
    return GapMatrix(
        functions=function_catalogue().functions,
        districts=sorted(all_districts, key=str.casefold),
        counts=dict(counts),
        totals=dict(totals),
    )
