"""Cards without a photo show their category's icon: every top-level category has one, children
look like their parent, and every icon named is vendored."""

import json
import os
import re
from decimal import Decimal
from importlib import resources

from marketplace.categories.looks import (
    FALLBACK_ICON,
    TINTS,
    TOP_LEVEL_LOOKS,
    category_look,
    icons_in_use,
)
from tests import factories

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))


def shipped_categories() -> list[dict]:
    text = resources.files("marketplace.data").joinpath("categories.json").read_text("utf-8")
    return json.loads(text)["categories"]


def test_every_top_level_category_has_its_own_look():
    top = {c["slug"] for c in shipped_categories() if not c.get("parent")}
    assert top <= set(TOP_LEVEL_LOOKS)
    assert all(tint in TINTS for _, tint in TOP_LEVEL_LOOKS.values())


def test_child_categories_look_like_their_parent_and_unknown_ones_fall_back():
    children = [c for c in shipped_categories() if c.get("parent")]
    assert children
    for child in children:
        parent = child["parent"]
        while parent not in TOP_LEVEL_LOOKS:
            parent = next(c["parent"] for c in shipped_categories() if c["slug"] == parent)
        assert category_look(child["slug"]).icon == TOP_LEVEL_LOOKS[parent][0]
    assert category_look("no-such-category").icon == FALLBACK_ICON
    assert category_look(None).icon == FALLBACK_ICON


def test_every_icon_is_vendored_with_its_licence_and_in_the_makefile():
    folder = os.path.join(ROOT, "static", "vendor", "lucide")
    assert os.path.isfile(os.path.join(folder, "LICENSE"))
    with open(os.path.join(ROOT, "Makefile"), encoding="utf-8") as fh:
        listed = set(re.search(r"^LUCIDE_ICONS := (.*)$", fh.read(), re.M).group(1).split())
    for icon in icons_in_use():
        assert os.path.isfile(os.path.join(folder, f"{icon}.svg")), icon
        assert icon in listed, icon


def test_card_without_photo_shows_the_category_icon_and_names_the_category_once(client, make):
    make.listing(
        title="Tische",
        category=factories.category("tables"),
        quantity=Decimal("3"),
        quantity_remaining=Decimal("3"),
    )
    page = client.get("/listings", headers={"Accept-Language": "en"}).data.decode()
    card = page[page.index('<article class="card listing-card') :]
    card = card[: card.index("</article>")]
    icon = category_look("tables").icon
    assert f"vendor/lucide/{icon}.svg" in card
    name = factories.category("tables").name_en
    assert card.count(name) == 1
