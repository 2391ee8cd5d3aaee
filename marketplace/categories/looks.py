"""How a category looks when a listing has no photo: one lucide icon and one calm tint per
top-level category of the shipped taxonomy; child categories look like their top-level parent.
Pure: reads categories.json, imports neither Flask nor db (the demo seed draws with it too)."""

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

#: Icon for a category the table does not know (a new top-level category, or none at all).
FALLBACK_ICON = "package"
FALLBACK_TINT = "sand"

#: Top-level category slug -> (lucide icon name, tint). The icons are vendored one file each
#: under static/vendor/lucide/ by `make vendor`; a test checks that every one is there.
TOP_LEVEL_LOOKS: dict[str, tuple[str, str]] = {
    "wood": ("trees", "brown"),
    "metals": ("anvil", "slate"),
    "plastics": ("milk", "blue"),
    "textiles": ("shirt", "rose"),
    "paper": ("newspaper", "sand"),
    "glass": ("wine", "teal"),
    "construction": ("brick-wall", "brown"),
    "tyres": ("circle-dot", "slate"),
    "food": ("apple", "green"),
    "craft-materials": ("palette", "violet"),
    "paints": ("paint-bucket", "violet"),
    "furniture": ("armchair", "sand"),
    "it": ("laptop", "blue"),
    "electrical": ("plug", "teal"),
    "tools": ("wrench", "slate"),
    "kitchen": ("cooking-pot", "rose"),
    "event-equipment": ("tent", "violet"),
    "bikes": ("bike", "green"),
    "rooms": ("door-open", "sand"),
    "storage-space": ("warehouse", "blue"),
    "workshop-space": ("hammer", "brown"),
    "open-land": ("sprout", "green"),
}

#: Tint -> (background, ink) as RGB hex; static/css/app.css has the same pairs as .tint-NAME.
TINTS: dict[str, tuple[str, str]] = {
    "green": ("#e3f1e8", "#1d6b47"),
    "brown": ("#f1e7dc", "#7a4b24"),
    "slate": ("#e6eaef", "#3e4c5e"),
    "blue": ("#e2ecf7", "#2a4f86"),
    "rose": ("#f6e4e6", "#8a3644"),
    "sand": ("#f5eedb", "#6b5417"),
    "teal": ("#dff0ef", "#1f6663"),
    "violet": ("#ece6f4", "#5a3f86"),
}


@dataclass(frozen=True)
class CategoryLook:
    icon: str
    tint: str

    @property
    def colours(self) -> tuple[str, str]:
        return TINTS[self.tint]


@cache
def _top_level_of() -> dict[str, str]:
    """Every shipped slug -> the slug of its top-level ancestor."""
    text = resources.files("marketplace.data").joinpath("categories.json").read_text("utf-8")
    parents = {c["slug"]: c.get("parent") for c in json.loads(text)["categories"]}

    def root(slug: str) -> str:
        seen = set()
        while parents.get(slug) and slug not in seen:
            seen.add(slug)
            slug = parents[slug]
        return slug

    return {slug: root(slug) for slug in parents}


def category_look(slug: str | None) -> CategoryLook:
    """The icon and tint for a category slug (None or unknown: the fallback)."""
    top = _top_level_of().get(slug or "", slug or "")
    icon, tint = TOP_LEVEL_LOOKS.get(top, (FALLBACK_ICON, FALLBACK_TINT))
    return CategoryLook(icon=icon, tint=tint)


def icons_in_use() -> list[str]:
    return sorted({icon for icon, _ in TOP_LEVEL_LOOKS.values()} | {FALLBACK_ICON})
