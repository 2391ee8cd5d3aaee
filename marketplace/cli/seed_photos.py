"""Pictures for the demo listings, drawn with Pillow at seed time (nothing is downloaded): the
category's tint, a few shapes that hint at the kind of thing, and the title's first word. They are
stored like uploads (store_photos: generated names, a thumbnail, the organisation's quota count);
the upload checks are skipped, the picture being ours, which halves the time. Some listings keep
no photo on purpose, so that the category icon on cards is seen too."""

import importlib.util
import io
import os
import random
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from marketplace.categories.looks import category_look
from marketplace.listings.models import Listing
from marketplace.listings.photos import THUMBNAIL_EDGE, PreparedPhoto, store_photos

WIDTH, HEIGHT = 800, 600
#: Every sixth offer and every second request stays without a photo.
OFFER_GAP, REQUEST_GAP = 6, 2

#: The shapes drawn per icon of categories/looks.py (anything else: boxes).
MOTIFS = {
    **dict.fromkeys(("trees", "brick-wall", "newspaper", "anvil", "hammer"), "planks"),
    **dict.fromkeys(
        ("circle-dot", "bike", "wine", "milk", "apple", "paint-bucket", "palette", "shirt"),
        "circles",
    ),
    **dict.fromkeys(("door-open", "warehouse", "tent", "sprout"), "room"),
}


def seed_listing_photos(listings: list[Listing], seed: int) -> int:
    """Draw and store one picture for most of the listings; returns how many got one."""
    rng = random.Random(seed)
    done = 0
    offers = requests = 0
    for listing in listings:
        if listing.kind == "offer":
            offers += 1
            skip = offers % OFFER_GAP == 0
        else:
            requests += 1
            skip = requests % REQUEST_GAP == 0
        if skip:
            continue
        picture = draw_listing_picture(listing.title, listing.category.slug, rng)
        store_photos(listing, [_prepared(picture)], start_position=0)
        done += 1
    return done


def _prepared(image: Image.Image) -> PreparedPhoto:
    small = image.reduce(WIDTH // THUMBNAIL_EDGE)
    return PreparedPhoto(
        image=_jpeg(image), thumbnail=_jpeg(small), width=image.width, height=image.height
    )


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def draw_listing_picture(title: str, category_slug: str, rng: random.Random) -> Image.Image:
    """A calm illustrative picture: tint, motif shapes in the tint's ink, the title's first word."""
    look = category_look(category_slug)
    background, ink = (_rgb(c) for c in look.colours)
    image = Image.new("RGB", (WIDTH, HEIGHT), background)
    layer = Image.new("RGBA", (WIDTH, HEIGHT), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    _MOTIF_DRAWERS[MOTIFS.get(look.icon, "boxes")](draw, ink, rng)
    image.paste(layer, mask=layer)
    _draw_word(ImageDraw.Draw(image), _first_word(title), ink)
    return image


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _shade(ink: tuple[int, int, int], alpha: int) -> tuple[int, int, int, int]:
    return (*ink, alpha)


def _planks(draw: ImageDraw.ImageDraw, ink, rng: random.Random) -> None:
    y = 330
    for _ in range(5):
        left = rng.randint(60, 180)
        right = rng.randint(560, 740)
        draw.rounded_rectangle((left, y, right, y + 38), 10, fill=_shade(ink, rng.randint(70, 140)))
        y += 46


def _circles(draw: ImageDraw.ImageDraw, ink, rng: random.Random) -> None:
    for _ in range(6):
        r = rng.randint(50, 110)
        x = rng.randint(120, WIDTH - 120)
        y = rng.randint(330, HEIGHT - 70)
        draw.ellipse((x - r, y - r, x + r, y + r), outline=_shade(ink, 150), width=14)


def _boxes(draw: ImageDraw.ImageDraw, ink, rng: random.Random) -> None:
    x = rng.randint(90, 160)
    while x < WIDTH - 180:
        w = rng.randint(130, 200)
        h = rng.randint(110, 220)
        draw.rounded_rectangle(
            (x, HEIGHT - 50 - h, x + w, HEIGHT - 50), 12, fill=_shade(ink, rng.randint(60, 130))
        )
        x += w + rng.randint(20, 50)


def _room(draw: ImageDraw.ImageDraw, ink, rng: random.Random) -> None:
    left, right, floor = 170, 630, HEIGHT - 50
    draw.polygon([(left - 40, 360), (WIDTH // 2, 250), (right + 40, 360)], fill=_shade(ink, 110))
    draw.rectangle((left, 360, right, floor), fill=_shade(ink, 60))
    door = rng.randint(left + 60, right - 160)
    draw.rounded_rectangle((door, 420, door + 100, floor), 8, fill=_shade(ink, 150))


_MOTIF_DRAWERS = {"planks": _planks, "circles": _circles, "boxes": _boxes, "room": _room}


def _first_word(title: str) -> str:
    words = [w.strip(",.:;()") for w in title.split()]
    long_words = [w for w in words if len(w) > 3 and not w[0].isdigit()]
    return (long_words or words or ["Stoffwechsel"])[0]


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    # DejaVu Sans from matplotlib (a dependency) has the umlauts Pillow's own font lacks.
    spec = importlib.util.find_spec("matplotlib")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = os.path.join(folder, "mpl-data", "fonts", "ttf", "DejaVuSans-Bold.ttf")
        if os.path.isfile(path):
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def _draw_word(draw: ImageDraw.ImageDraw, word: str, ink) -> None:
    size = 120
    while size > 36 and draw.textlength(word, font=_font(size)) > WIDTH - 120:
        size -= 8
    font = _font(size)
    draw.text((WIDTH // 2, 150), word, font=font, fill=ink, anchor="mm")
