"""A photo uploaded with a listing form that comes back with an error is kept: shown as a preview,
removable, attached when the form is fixed, private to its uploader, swept after a day."""

import io
import os
import re
import time

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.listings.kept_photos import sweep_stale_kept_photos
from marketplace.listings.models import Listing, Photo
from tests.listings import images
from tests.listings.test_views import form

PREVIEW = re.compile(r'src="(/listings/kept-photos/([0-9a-f]{32})/([0-9a-f]{32})-t\.jpg)"')


def post(client, path="/listings/new", **changes):
    return client.post(path, data=form(**changes), content_type="multipart/form-data")


def test_photo_survives_a_missing_title_and_is_attached_once_it_is_fixed(
    app, client, make, login_as
):
    login_as(make.user())
    first = post(client, title="", photos=[(io.BytesIO(images.jpeg(300, 200)), "hof.jpg")])
    assert first.status_code == 200
    page = first.data.decode()
    assert 'class="error"' in page
    assert db.session.execute(select(Listing)).first() is None
    preview_url, token, _ = PREVIEW.search(page).groups()
    assert f'value="{token}"' in page  # the hidden field carries the token
    preview = client.get(preview_url)
    assert preview.status_code == 200 and preview.mimetype == "image/jpeg"

    second = post(client, photo_token=token)
    assert second.status_code == 302
    listing = db.session.execute(select(Listing)).scalar_one()
    assert [(p.width, p.height) for p in listing.photos] == [(300, 200)]
    assert client.get(f"/photos/{listing.photos[0].filename}").status_code == 200
    assert client.get(preview_url).status_code == 404  # the kept copy is gone after the commit


def test_kept_photo_can_be_removed_and_new_ones_join_it(client, make, login_as):
    login_as(make.user())
    photos = [(io.BytesIO(images.jpeg(100, 50)), "a.jpg"), (io.BytesIO(images.png()), "b.png")]
    page = post(client, title="", photos=photos).data.decode()
    found = PREVIEW.findall(page)
    assert len(found) == 2
    token, drop = found[0][1], found[0][2] + ".jpg"
    page = post(
        client,
        title="",
        photo_token=token,
        drop_kept=[drop],
        photos=[(io.BytesIO(images.jpeg(40, 40)), "c.jpg")],
    ).data.decode()
    assert len(PREVIEW.findall(page)) == 2 and drop not in page
    assert post(client, photo_token=token).status_code == 302
    listing = db.session.execute(select(Listing)).scalar_one()
    assert sorted((p.width, p.height) for p in listing.photos) == [(40, 40), (60, 60)]


def test_kept_photos_are_private_to_their_uploader(client, make, login_as):
    login_as(make.user())
    page = post(client, title="", photos=[(io.BytesIO(images.jpeg()), "a.jpg")]).data.decode()
    preview_url, token, _ = PREVIEW.search(page).groups()
    login_as(make.user())
    assert client.get(preview_url).status_code == 404
    # someone else's token attaches nothing
    assert post(client, photo_token=token).status_code == 302
    assert db.session.execute(select(Photo)).first() is None


def test_pixel_bomb_is_a_clear_form_error_and_good_photos_are_kept(client, make, login_as):
    login_as(make.user())
    photos = [(io.BytesIO(images.png_bomb()), "bomb.png"), (io.BytesIO(images.jpeg()), "ok.jpg")]
    response = post(client, photos=photos)
    assert response.status_code == 200
    page = response.data.decode()
    assert "bomb.png: The picture has too many pixels." in page
    assert db.session.execute(select(Listing)).first() is None
    assert len(PREVIEW.findall(page)) == 1


def test_kept_photos_are_swept_after_a_day(app, client, make, login_as):
    login_as(make.user())
    page = post(client, title="", photos=[(io.BytesIO(images.jpeg()), "a.jpg")]).data.decode()
    preview_url = PREVIEW.search(page).group(1)
    with app.test_request_context():
        assert sweep_stale_kept_photos() == 0
        root = os.path.join(app.config["UPLOAD_DIR"], "kept")
        for user_dir in os.scandir(root):
            for folder in os.scandir(user_dir.path):
                day_ago = time.time() - 25 * 3600
                os.utime(folder.path, (day_ago, day_ago))
        assert sweep_stale_kept_photos() >= 1
    assert client.get(preview_url).status_code == 404
