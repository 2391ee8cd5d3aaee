"""A listing card leads with its first photo: the thumbnail, sized against layout shift, lazy."""

import io
import re

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
