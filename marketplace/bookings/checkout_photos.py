"""The condition photo taken at check-out: checked and re-encoded by Pillow exactly like listing
photos and organisation logos (type from the content, EXIF dropped, a generated name under
UPLOAD_DIR, deleted again if the transaction rolls back), and served only to those who may see
the booking."""

import os

from flask import current_app
from flask_babel import gettext as _

from marketplace.auth.models import User
from marketplace.bookings import services, workflow
from marketplace.bookings.models import Booking
from marketplace.bookings.queries import role_of
from marketplace.core.errors import ValidationFailed
from marketplace.listings.photos import (
    PhotoRejected,
    photo_filename_for,
    reencode,
    thumbnail_name,
    write_image_files,
)


def _chosen(upload) -> bool:
    """Browsers send an empty part when no file was chosen."""
    return upload is not None and bool(getattr(upload, "filename", ""))


def store_checkout_photo(upload) -> str:
    """Re-encode and write an uploaded picture; its generated file name. ValidationFailed (field
    `photo`) when it is not a picture we accept."""
    config = current_app.config
    max_bytes = int(config["PHOTO_MAX_BYTES"])
    data = getattr(upload, "stream", upload).read(max_bytes + 1)
    if not data:
        raise ValidationFailed({"photo": [_("Please choose a picture file.")]})
    if len(data) > max_bytes:
        raise ValidationFailed(
            {"photo": [_("The picture is larger than %(mb)s MB.", mb=f"{max_bytes / 2**20:g}")]}
        )
    try:
        prepared = reencode(
            data,
            max_pixels=int(config["PHOTO_MAX_PIXELS"]),
            max_edge=int(config["PHOTO_MAX_EDGE"]),
        )
    except PhotoRejected as error:
        raise ValidationFailed({"photo": [str(error)]}) from None
    return write_image_files(prepared)


def check_out_with_photo(user: User, booking: Booking, note: str | None, upload=None) -> Booking:
    """Check out (provider) with a condition note and, when one was chosen, a photo. The upload
    is only read once the user may check out, so that nobody else can store files."""
    photo = None
    if _chosen(upload) and workflow.can("checkout", booking.status, role_of(user, booking)):
        photo = store_checkout_photo(upload)
    return services.check_out_booking(user, booking, note, photo)


def checkout_photo_path(booking: Booking, *, small: bool = False) -> str | None:
    """The file of a booking's check-out photo on disk, or None when it has none."""
    filename = photo_filename_for(booking.checkout_photo or "")
    if filename is None:
        return None
    name = thumbnail_name(filename) if small else filename
    path = os.path.join(current_app.config["UPLOAD_DIR"], name)
    return path if os.path.exists(path) else None
