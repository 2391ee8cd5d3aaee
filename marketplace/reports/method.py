"""What the method page (and the method section of the PDF report) shows: the factor table grouped
by resource type, the basis of each factor, transport factors and the yardstick."""

from dataclasses import dataclass
from decimal import Decimal

from marketplace.categories.queries import (
    FACTOR_BASIS_LABELS,
    RESOURCE_TYPE_LABELS,
    taxonomy_versions,
)
from marketplace.exchanges.impact import TRANSPORT_FACTORS_KG_PER_KM
from marketplace.exchanges.models import TRANSPORT_MODES
from marketplace.reports.figures import FactorRow
from marketplace.reports.public import GERMANY_REUSE_KG_PER_PERSON, GERMANY_REUSE_YEAR
from marketplace.reports.queries import FACTOR_PUBLICATION, factor_table


@dataclass
class Method:
    groups: dict[str, list[FactorRow]]  # resource type -> rows in taxonomy order
    resource_type_labels: dict
    basis_labels: dict
    transport: list[tuple[str, Decimal]]  # (mode label, kg CO2 per km)
    publication: str
    versions: list[str]
    yardstick_kg: Decimal = GERMANY_REUSE_KG_PER_PERSON
    yardstick_year: int = GERMANY_REUSE_YEAR

    @property
    def upper_bound_count(self) -> int:
        return sum(1 for rows in self.groups.values() for row in rows if row.upper_bound)


def get_method() -> Method:
    groups: dict[str, list[FactorRow]] = {}
    for row in factor_table():
        groups.setdefault(row.resource_type, []).append(row)
    return Method(
        groups=groups,
        resource_type_labels=RESOURCE_TYPE_LABELS,
        basis_labels=FACTOR_BASIS_LABELS,
        transport=[
            (str(TRANSPORT_MODES.get(mode, mode)), factor)
            for mode, factor in TRANSPORT_FACTORS_KG_PER_KM.items()
        ],
        publication=FACTOR_PUBLICATION,
        versions=taxonomy_versions(),
    )
