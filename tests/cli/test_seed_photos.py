"""The demo region comes with pictures drawn at seed time, so a first start does not look empty,
and leaves some listings without one so that the category icons show too."""

import os
from datetime import datetime

from PIL import Image
from sqlalchemy import func, select

from marketplace.cli.seed import seed_demo_region
from marketplace.extensions import db
from marketplace.listings.models import Listing, Photo
from marketplace.listings.photos import thumbnail_name


def test_most_demo_listings_have_a_picture_and_some_show_their_icon(app, app_ctx):
    region = seed_demo_region(now=datetime(2026, 3, 2, 9, 30), password_hash="not-a-real-hash")
    listings = db.session.execute(select(func.count(Listing.id))).scalar_one()
    with_photo = db.session.execute(
        select(func.count(func.distinct(Photo.listing_id)))
    ).scalar_one()
    assert region.photos == with_photo
    assert with_photo > listings / 2
    assert with_photo < listings
    photo = db.session.execute(select(Photo).limit(1)).scalar_one()
    assert photo.size_bytes > 0 and photo.organisation_id == photo.listing.organisation_id
    for name in (photo.filename, thumbnail_name(photo.filename)):
        path = os.path.join(app.config["UPLOAD_DIR"], name)
        with Image.open(path) as image:
            assert image.format == "JPEG"
    db.session.rollback()
