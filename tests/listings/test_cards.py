"""A listing card leads with its first photo: the thumbnail, sized against layout shift, lazy."""

import io
import re
from datetime import date
from decimal import Decimal

from marketplace.extensions import db
from tests.listings import images
from tests.listings.test_views import form


def test_card_leads_with_the_first_photo_lazily_and_sized(client, make, login_as):
    login_as(make.user())
    photos = [(io.BytesIO(images.jpeg(800, 600)), "a.jpg"), (io.BytesIO(images.png()), "b.png")]
    client.post("/listings/new", data=form(photos=photos), content_type="multipart/form-data")
    page = client.get("/listings", headers={"Accept-Language": "en"}).data.decode()
    thumbs = re.findall(r'<img class="card-thumb"[^>]*>', page)
    assert len(thumbs) == 1
    thumb = thumbs[0]
    assert re.search(r'src="/photos/[0-9a-f]{32}-t\.jpg"', thumb)
    assert 'loading="lazy"' in thumb and 'width="400"' in thumb and 'height="300"' in thumb
    assert 'alt="Photo: Eichenholz-Reste"' in thumb
    assert "card-icon" not in page


def _card_of(page: str, listing_id: int) -> str:
    start = page.index(f'href="/listings/{listing_id}"')
    return page[page.rindex("<article", 0, start) : page.index("</article>", start)]


def test_a_kept_card_follows_every_change_of_its_listing(client, make):
    """Cards are kept per process (listings/cards.py): each change of what a card shows, one at
    a time, shows at once, in each language."""
    listing = make.listing(title="Gitterboxen", quantity=Decimal("10"))
    db.session.commit()
    en = {"Accept-Language": "en"}

    def card() -> str:
        return _card_of(client.get("/listings", headers=en).data.decode(), listing.id)

    first = card()
    assert "Gitterboxen" in first and "10 pieces" in first
    assert card() == first
    changes = [
        ("title", "Gitterboxen <b>verzinkt</b>", "Gitterboxen &lt;b&gt;verzinkt&lt;/b&gt;"),
        ("quantity_remaining", Decimal("4"), "4 pieces"),
        ("price_eur", Decimal("12.5"), "12.50"),
        ("available_until", date(2031, 5, 17), "May 17, 2031"),
        ("district", "Gohlis", "Gohlis"),
    ]
    for field, value, shown in changes:
        setattr(listing, field, value)
        db.session.commit()
        assert shown in card(), field
    listing.organisation.name = "Neuer Name e.V."
    db.session.commit()
    assert "Neuer Name e.V." in card()
    assert "<b>" not in card()

    german = _card_of(
        client.get("/listings", headers={"Accept-Language": "de"}).data.decode(), listing.id
    )
    assert "Menge" in german and "Quantity" not in german


def test_search_cards_carry_their_own_marks_and_snippet(client, make):
    listing = make.listing(title="Europaletten", description="Zwölf Europaletten, trocken gelagert")
    db.session.commit()
    browse = _card_of(client.get("/listings").data.decode(), listing.id)
    assert "card-snippet" not in browse and "<mark>" not in browse
    found = _card_of(client.get("/listings?q=trocken").data.decode(), listing.id)
    assert 'class="card-snippet"' in found and "<mark>trocken</mark>" in found
    assert "\x00" not in found
    again = _card_of(client.get("/listings").data.decode(), listing.id)
    assert again == browse
