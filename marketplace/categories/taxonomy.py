"""Load the shipped taxonomy (data/categories.json) into the categories table, idempotently.

Written with SQLAlchemy Core on a plain connection so that migrations can call it whatever the
ORM models look like later.
"""

import json
from decimal import Decimal
from importlib import resources

import sqlalchemy as sa

_categories = sa.table(
    "categories",
    sa.column("id", sa.Integer),
    sa.column("slug", sa.String),
    sa.column("parent_id", sa.Integer),
    sa.column("resource_type", sa.String),
    sa.column("name_de", sa.String),
    sa.column("name_en", sa.String),
    sa.column("default_unit", sa.String),
    sa.column("kg_per_unit", sa.Numeric),
    sa.column("co2e_factor", sa.Numeric),
    sa.column("factor_source", sa.String),
    sa.column("factor_basis", sa.String),
    sa.column("weight_source", sa.String),
    sa.column("taxonomy_version", sa.String),
    sa.column("sort_order", sa.Integer),
)


def load_taxonomy() -> dict:
    text = resources.files("marketplace.data").joinpath("categories.json").read_text("utf-8")
    return json.loads(text, parse_float=Decimal)


def sync_taxonomy(connection: sa.Connection) -> int:
    """Insert or update every shipped category by slug; returns how many rows were written."""
    taxonomy = load_taxonomy()
    version = taxonomy["version"]
    existing = dict(connection.execute(sa.select(_categories.c.slug, _categories.c.id)).all())
    written = 0
    for row in taxonomy["categories"]:
        values = {
            key: row.get(key)
            for key in (
                "slug",
                "resource_type",
                "name_de",
                "name_en",
                "default_unit",
                "kg_per_unit",
                "co2e_factor",
                "factor_source",
                "factor_basis",
                "weight_source",
                "sort_order",
            )
        }
        values["taxonomy_version"] = version
        if row["slug"] in existing:
            connection.execute(
                _categories.update().where(_categories.c.slug == row["slug"]).values(**values)
            )
        else:
            connection.execute(_categories.insert().values(**values))
        written += 1
    existing = dict(connection.execute(sa.select(_categories.c.slug, _categories.c.id)).all())
    for row in taxonomy["categories"]:
        connection.execute(
            _categories.update()
            .where(_categories.c.slug == row["slug"])
            .values(parent_id=existing.get(row["parent"]) if row["parent"] else None)
        )
    return written
