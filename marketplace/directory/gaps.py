"""Which functions the region's actors take in which district, and where nobody does: the
function x district matrix (public on /map/gaps, and in the coordinators' dashboard).

An organisation counts in every district where it has a place (its own postcode or a further
site); a district is one that any organisation or site names."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import func, select

from marketplace.directory.functions import RegionFunction, function_catalogue
from marketplace.directory.models import OrganisationFunction, OrganisationSite
from marketplace.directory.points import current_points
from marketplace.extensions import db
from marketplace.orgs.models import Organisation


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

    def fingerprint(self, language: str) -> tuple:
        """Everything the matrix's markup shows in `language`."""
        return (
            tuple((f.code, f.name_in(language), f.gap_in(language)) for f in self.functions),
            tuple(self.districts),
            tuple(sorted(self.counts.items())),
            tuple(sorted(self.totals.items())),
        )

    @property
    def gap_count(self) -> int:
        return len(self.functions) * len(self.districts) - len(self.counts)


def district_order(name: str) -> tuple[str, str]:
    """Alphabetical whatever the case; names differing in case only, in a fixed order."""
    return name.casefold(), name


def _district_pairs() -> sa.Subquery:
    """Distinct (organisation, district) of every place that names a district."""
    o, s = Organisation.__table__.c, OrganisationSite.__table__.c
    return sa.union(
        select(o.id.label("organisation_id"), o.district).where(
            o.district.is_not(None), o.district != ""
        ),
        select(s.organisation_id, s.district).where(s.district.is_not(None), s.district != ""),
    ).subquery("pairs")


def _districts() -> sa.CompoundSelect:
    """Every district a place names: a union of the districts alone, which deduplicates 63
    names rather than every (organisation, district) pair again."""
    o, s = Organisation.__table__.c, OrganisationSite.__table__.c
    return sa.union(
        select(o.district).where(o.district.is_not(None), o.district != ""),
        select(s.district).where(s.district.is_not(None), s.district != ""),
    )


def function_matrix() -> GapMatrix:
    """Counts of organisations per function and district: from the map's points when this
    worker holds them fresh (the map builds them; a page of the matrix alone is not worth a
    build), else in three grouped reads."""
    points = current_points(build=False)
    if points is not None:
        counts, districts, totals = points.function_districts()
        return GapMatrix(
            function_catalogue().functions, sorted(districts, key=district_order), counts, totals
        )
    return _function_matrix_from_sql()


def _function_matrix_from_sql() -> GapMatrix:
    """The pairs are distinct, so a plain count(*) counts organisations."""
    pairs = _district_pairs()
    rows = db.session.execute(
        select(OrganisationFunction.code, pairs.c.district, func.count())
        .join(pairs, pairs.c.organisation_id == OrganisationFunction.organisation_id)
        .group_by(OrganisationFunction.code, pairs.c.district)
    ).all()
    districts = db.session.scalars(_districts()).all()
    totals = db.session.execute(
        select(OrganisationFunction.code, func.count()).group_by(OrganisationFunction.code)
    ).all()
    return GapMatrix(
        functions=function_catalogue().functions,
        districts=sorted(districts, key=district_order),
        counts={(code, d): int(n) for code, d, n in rows},
        totals={code: int(n) for code, n in totals},
    )
