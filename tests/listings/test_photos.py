"""The photo pipeline: content decides the type, everything is re-encoded, limits hold, and files
follow the transaction."""

import io
import os

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from marketplace.core.errors import ValidationFailed
from marketplace.extensions import db
from marketplace.listings.photos import thumbnail_name
from marketplace.listings.services import add_photos, create_listing, remove_photos
from tests.listings import images

pytestmark = pytest.mark.usefixtures("request_ctx")


def upload(data: bytes, filename: str = "foto.jpg", content_type: str = "image/jpeg"):
    return FileStorage(stream=io.BytesIO(data), filename=filename, content_type=content_type)


def stored_path(app, name: str) -> str:
    return os.path.join(app.config["UPLOAD_DIR"], name)


def stored_bytes(app, name: str) -> bytes:
    with open(stored_path(app, name), "rb") as fh:
        return fh.read()


def data():
    return {"kind": "offer", "title": "Bürostühle", "category": "office-furniture", "quantity": "6"}


def test_jpeg_with_gps_is_stored_upright_without_any_exif(app, make):
    user = make.user()
    listing = create_listing(
        user.organisation, user, data(), [upload(images.jpeg(80, 40, gps=True))]
    )
    db.session.commit()
    photo = listing.photos[0]
    content = stored_bytes(app, photo.filename)
    assert b"SecretCam" not in content
    stored = Image.open(io.BytesIO(content))
    assert stored.format == "JPEG"
    assert not stored.getexif()
    assert "exif" not in stored.info
    # orientation 6 was applied to the pixels: 80 x 40 became 40 x 80
    assert stored.size == (40, 80) == (photo.width, photo.height)
    thumb = Image.open(io.BytesIO(stored_bytes(app, thumbnail_name(photo.filename))))
    assert thumb.format == "JPEG" and not thumb.getexif()


def test_png_with_appended_payload_is_reencoded_as_jpeg(app, make):
    user = make.user()
    payload = b"<?php system($_GET['c']); ?>"
    listing = create_listing(
        user.organisation, user, data(), [upload(images.png() + payload, "bild.png", "image/png")]
    )
    db.session.commit()
    name = listing.photos[0].filename
    content = stored_bytes(app, name)
    assert payload not in content
    assert Image.open(io.BytesIO(content)).format == "JPEG"
    assert name.endswith(".jpg") and len(name) == 36 and "bild" not in name


def test_phone_multi_picture_jpeg_is_accepted(app, make):
    user = make.user()
    listing = create_listing(user.organisation, user, data(), [upload(images.mpo())])
    db.session.commit()
    stored = Image.open(io.BytesIO(stored_bytes(app, listing.photos[0].filename)))
    assert stored.format == "JPEG" and stored.size == (40, 30)


def test_transparent_png_becomes_white_not_black(app, make):
    user = make.user()
    listing = create_listing(
        user.organisation, user, data(), [upload(images.png(transparent=True), "t.png")]
    )
    db.session.commit()
    pixel = Image.open(io.BytesIO(stored_bytes(app, listing.photos[0].filename))).getpixel((5, 5))
    assert min(pixel) > 240


@pytest.mark.parametrize(
    "content",
    [b"Dies ist keine Bilddatei, nur Text.\n" * 20, images.SVG, images.bmp()],
    ids=["text-renamed-jpg", "svg", "bmp"],
)
def test_files_that_are_not_allowed_pictures_are_refused(make, content):
    user = make.user()
    with pytest.raises(ValidationFailed) as caught:
        create_listing(user.organisation, user, data(), [upload(content, "foto.jpg")])
    assert "photos" in caught.value.fields
    assert "foto.jpg" in caught.value.fields["photos"][0]


def test_decompression_bomb_is_refused_from_its_header(make):
    user = make.user()
    with pytest.raises(ValidationFailed) as caught:
        create_listing(user.organisation, user, data(), [upload(images.png_bomb(), "b.png")])
    assert "too many pixels" in caught.value.fields["photos"][0]


def test_too_large_file_is_refused_and_nothing_is_saved(app, make, monkeypatch):
    monkeypatch.setitem(app.config, "PHOTO_MAX_BYTES", 20_000)
    user = make.user()
    big = images.noisy_jpeg()
    assert len(big) > 20_000
    before = (
        set(os.listdir(app.config["UPLOAD_DIR"]))
        if os.path.isdir(app.config["UPLOAD_DIR"])
        else set()
    )
    with pytest.raises(ValidationFailed) as caught:
        create_listing(user.organisation, user, data(), [upload(big)])
    assert "larger than" in caught.value.fields["photos"][0]
    db.session.rollback()
    from marketplace.listings.models import Listing

    assert db.session.query(Listing).count() == 0
    after = (
        set(os.listdir(app.config["UPLOAD_DIR"]))
        if os.path.isdir(app.config["UPLOAD_DIR"])
        else set()
    )
    assert after == before


def test_sixth_photo_is_refused(make):
    user = make.user()
    listing = create_listing(
        user.organisation, user, data(), [upload(images.jpeg()) for _ in range(5)]
    )
    db.session.commit()
    assert len(listing.photos) == 5
    with pytest.raises(ValidationFailed) as caught:
        add_photos(listing, user, [upload(images.jpeg())])
    assert "at most 5" in caught.value.fields["photos"][0]
    with pytest.raises(ValidationFailed):
        create_listing(user.organisation, user, data(), [upload(images.jpeg()) for _ in range(6)])


def test_organisation_quota_is_enforced(app, make, monkeypatch):
    user = make.user()
    first = create_listing(user.organisation, user, data(), [upload(images.noisy_jpeg())])
    db.session.commit()
    used = first.photos[0].size_bytes
    monkeypatch.setitem(app.config, "PHOTO_QUOTA_BYTES_PER_ORG", used + 1000)
    with pytest.raises(ValidationFailed) as caught:
        create_listing(user.organisation, user, data(), [upload(images.noisy_jpeg())])
    assert "storage is full" in caught.value.fields["photos"][0]


def test_files_are_deleted_when_the_transaction_rolls_back(app, make):
    user = make.user()
    listing = create_listing(user.organisation, user, data(), [upload(images.jpeg())])
    name = listing.photos[0].filename
    assert os.path.exists(stored_path(app, name))
    db.session.rollback()
    assert not os.path.exists(stored_path(app, name))
    assert not os.path.exists(stored_path(app, thumbnail_name(name)))


def test_removed_photo_files_go_only_after_commit(app, make):
    user = make.user()
    listing = create_listing(user.organisation, user, data(), [upload(images.jpeg())])
    db.session.commit()
    photo = listing.photos[0]
    name = photo.filename
    remove_photos(listing, user, [photo.id])
    assert os.path.exists(stored_path(app, name))
    db.session.commit()
    assert not os.path.exists(stored_path(app, name))
    assert not os.path.exists(stored_path(app, thumbnail_name(name)))
    assert listing.photos == []


def test_phone_sized_jpeg_is_downscaled_to_2048_upright_without_location(app, make):
    user = make.user()
    content = images.phone_jpeg(4000, 3000)
    listing = create_listing(user.organisation, user, data(), [upload(content, "IMG_0001.JPG")])
    db.session.commit()
    photo = listing.photos[0]
    stored = Image.open(io.BytesIO(stored_bytes(app, photo.filename)))
    # held sideways: 4000 x 3000 upright is 3000 x 4000, long side brought down to 2048
    assert stored.size == (1536, 2048) == (photo.width, photo.height)
    assert not stored.getexif()
    assert photo.size_bytes < len(content)


def test_heic_from_an_iphone_is_accepted_and_stored_as_jpeg(app, make):
    user = make.user()
    listing = create_listing(
        user.organisation, user, data(), [upload(images.heic(120, 80), "IMG_0002.HEIC", "")]
    )
    db.session.commit()
    stored = Image.open(io.BytesIO(stored_bytes(app, listing.photos[0].filename)))
    assert stored.format == "JPEG"
    assert stored.size == (120, 80)


def test_quota_counts_the_downscaled_size_not_the_upload(app, make, monkeypatch):
    user = make.user()
    content = images.phone_jpeg(4000, 3000)
    first = create_listing(user.organisation, user, data(), [upload(content)])
    db.session.commit()
    stored_size = first.photos[0].size_bytes
    assert stored_size < len(content)
    # room for one more stored photo, though not for one more upload of that size
    monkeypatch.setitem(app.config, "PHOTO_QUOTA_BYTES_PER_ORG", 2 * stored_size + 1000)
    create_listing(user.organisation, user, data(), [upload(content)])
    db.session.commit()
    with pytest.raises(ValidationFailed) as caught:
        create_listing(user.organisation, user, data(), [upload(content)])
    assert "storage is full" in caught.value.fields["photos"][0]
