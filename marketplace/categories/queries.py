"""Reads of the shipped category taxonomy (names, weights, CO2e factors and their sources)."""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from marketplace.categories.models import RESOURCE_TYPES, Category
from marketplace.core.kept_reads import kept_read
from marketplace.extensions import db

#: Names of the resource types for headings and <optgroup>s.
RESOURCE_TYPE_LABELS = {
    "material": _l("Materials"),
    "equipment": _l("Equipment"),
    "space": _l("Space"),
}
#: What a factor's basis means, in a word (the categories page explains them).
FACTOR_BASIS_LABELS = {
    "primary_minus_reuse": _l("primary minus re-use"),
    "upper_bound": _l("upper bound"),
    "product_study": _l("product study"),
}


@dataclass
class CategoryGroup:
    """A top-level category with its sub-categories, for grouped lists and <optgroup>s."""

    category: Category
    children: list[Category] = field(default_factory=list)


def list_categories() -> list[Category]:
    """Every category, by resource type (material, equipment, space) then taxonomy order."""
    rows = db.session.execute(select(Category).order_by(Category.sort_order, Category.id)).scalars()
    order = {rtype: index for index, rtype in enumerate(RESOURCE_TYPES)}
    return sorted(rows, key=lambda c: (order.get(c.resource_type, len(order)), c.sort_order, c.id))


def get_category_by_slug(slug: str | None) -> Category | None:
    if not slug or not isinstance(slug, str):
        return None
    return db.session.execute(select(Category).where(Category.slug == slug)).scalar_one_or_none()


def known_category_slug(slug: str | None, errors: dict[str, list[str]]) -> str | None:
    """A category slug asked for in a filter: kept when a category has it, else an error on the
    field "category" and no category (the listings' and the directory's filters)."""
    if slug and not _category_exists(slug):
        errors.setdefault("category", []).append(str(_l("Unknown category.")))
        return None
    return slug or None


def _category_exists(slug: str) -> bool:
    """Asked on every filtered list page: kept until the next write (core/kept_reads.py)."""
    found = kept_read(
        "category_slugs", slug, lambda: get_category_by_slug(slug) is not None or None
    )
    return bool(found)


def category_ids_with_descendants(category: Category) -> list[int]:
    """The category's id and those of all categories below it (choosing a parent includes them)."""
    children: dict[int | None, list[int]] = {}
    for cat_id, parent_id in db.session.execute(select(Category.id, Category.parent_id)):
        children.setdefault(parent_id, []).append(cat_id)
    ids, todo = [], [category.id]
    while todo:
        current = todo.pop()
        if current in ids:
            continue
        ids.append(current)
        todo.extend(children.get(current, []))
    return ids


def grouped_categories(categories: list[Category] | None = None) -> dict[str, list[CategoryGroup]]:
    """{resource_type: [CategoryGroup(parent, children)]}, every resource type present in order."""
    categories = list_categories() if categories is None else categories
    groups: dict[str, list[CategoryGroup]] = {rtype: [] for rtype in RESOURCE_TYPES}
    by_id: dict[int, CategoryGroup] = {}
    for category in categories:
        if category.parent_id is None:
            group = CategoryGroup(category)
            by_id[category.id] = group
            groups.setdefault(category.resource_type, []).append(group)
    for category in categories:
        if category.parent_id is not None:
            parent_group = by_id.get(category.parent_id)
            if parent_group is not None:
                parent_group.children.append(category)
            else:  # a deeper level or an orphan: show it at the top rather than lose it
                groups.setdefault(category.resource_type, []).append(CategoryGroup(category))
    return groups


def taxonomy_versions() -> list[str]:
    """The taxonomy version(s) the loaded categories come from (one after a clean sync)."""
    rows = db.session.execute(select(Category.taxonomy_version).distinct()).scalars()
    return sorted(v for v in rows if v)
