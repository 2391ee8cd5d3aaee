"""Web pages: the category taxonomy with its weights, CO2e factors and sources."""

from decimal import Decimal

from flask import Blueprint, render_template

from marketplace.categories.looks import category_look
from marketplace.categories.queries import (
    FACTOR_BASIS_LABELS,
    RESOURCE_TYPE_LABELS,
    grouped_categories,
    taxonomy_versions,
)
from marketplace.core.numbers import format_number

bp = Blueprint("categories", __name__)
bp.add_app_template_global(category_look, "category_look")


def format_figure(value: Decimal | None) -> str:
    """A factor or weight with up to four decimals (0,0056 must not become 0,006)."""
    return "" if value is None else format_number(value, format="#,##0.0###")


@bp.get("/categories")
def index():
    return render_template(
        "categories/index.html",
        groups=grouped_categories(),
        versions=taxonomy_versions(),
        resource_type_labels=RESOURCE_TYPE_LABELS,
        basis_labels=FACTOR_BASIS_LABELS,
        format_figure=format_figure,
    )
