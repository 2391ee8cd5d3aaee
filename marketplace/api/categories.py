"""API v1: categories (GET /api/v1/categories)."""

from decimal import Decimal

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from marketplace.categories.queries import list_categories
from marketplace.core.i18n import current_language

blp = Blueprint("api_categories", __name__, description="categories")


class Number(fields.Decimal):
    """A Decimal read exactly and written as a JSON number (Flask would write Decimal as a string)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_nan", False)
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        number = Decimal(value)
        return int(number) if number == number.to_integral_value() else float(number)


class CategorySchema(Schema):
    slug = fields.String(required=True)
    name = fields.Method(
        "get_name", metadata={"type": "string", "description": "In the caller's language."}
    )
    resource_type = fields.String(metadata={"enum": ["material", "equipment", "space"]})
    default_unit = fields.String()
    kg_per_unit = Number(allow_none=True, metadata={"description": "Typical kg per default unit."})
    co2e_factor = Number(
        allow_none=True,
        metadata={"description": "kg CO2e avoided per kg reused; null where no sourced factor."},
    )
    factor_source = fields.String(allow_none=True)

    def get_name(self, category) -> str:
        return category.name(current_language())


class CategoryListSchema(Schema):
    items = fields.List(fields.Nested(CategorySchema))


@blp.route("/categories")
@blp.response(200, CategoryListSchema)
def list_all():
    """Every category with its default unit, typical weight and CO2e factor."""
    return {"items": list_categories()}
