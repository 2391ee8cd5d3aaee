"""The shipped category taxonomy with weights and CO2e factors."""

from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db

RESOURCE_TYPES = ("material", "equipment", "space")


class Category(db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    resource_type: Mapped[str] = mapped_column(String(20))
    name_de: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    default_unit: Mapped[str] = mapped_column(String(10))
    #: Typical weight of one default unit, where a source gives one.
    kg_per_unit: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    #: kg CO2e avoided per kg reused; None where no sourced factor exists.
    co2e_factor: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))
    factor_source: Mapped[str | None] = mapped_column(String(300))
    #: primary_minus_reuse | upper_bound | product_study
    factor_basis: Mapped[str | None] = mapped_column(String(30))
    weight_source: Mapped[str | None] = mapped_column(String(300))
    #: Version of the shipped taxonomy this row was loaded from.
    taxonomy_version: Mapped[str] = mapped_column(String(20))
    sort_order: Mapped[int] = mapped_column(default=0)

    parent: Mapped["Category | None"] = relationship(remote_side=[id])

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_de
