"""Organisation logos: checked and re-encoded by Pillow exactly like listing photos (type from the
content, EXIF and appended payloads dropped, generated names outside static/), smaller."""

import os

from flask import current_app
from flask_babel import gettext as _

from marketplace.auth.models import User
from marketplace.core.errors import ValidationFailed
from marketplace.directory.services import require_profile_editor
from marketplace.extensions import db
from marketplace.listings.photos import (
    PhotoRejected,
    discard_image_files,
    photo_filename_for,
    reencode,
    thumbnail_name,
    write_image_files,
)
from marketplace.orgs.models import Organisation

#: A logo is shown at most about 160 px wide; 512 px keeps it sharp on dense screens.
LOGO_MAX_EDGE = 512


def set_logo(organisation: Organisation, actor: User, upload) -> None:
    """Replace the organisation's logo with an uploaded picture; ValidationFailed (field `logo`)
    when it is not a picture we accept."""
    require_profile_editor(organisation, actor)
    max_bytes = int(current_app.config["PHOTO_MAX_BYTES"])
    stream = getattr(upload, "stream", upload)
    data = stream.read(max_bytes + 1) if stream is not None else b""
    if not data:
        raise ValidationFailed({"logo": [_("Please choose a picture file.")]})
    if len(data) > max_bytes:
        raise ValidationFailed(
            {"logo": [_("The picture is larger than %(mb)s MB.", mb=f"{max_bytes / 2**20:g}")]}
        )
    try:
        prepared = reencode(
            data,
            max_pixels=int(current_app.config["PHOTO_MAX_PIXELS"]),
            max_edge=LOGO_MAX_EDGE,
        )
    except PhotoRejected as error:
        raise ValidationFailed({"logo": [str(error)]}) from None
    if organisation.logo_filename:
        discard_image_files(organisation.logo_filename)
    organisation.logo_filename = write_image_files(prepared)
    db.session.flush()


def remove_logo(organisation: Organisation, actor: User) -> None:
    require_profile_editor(organisation, actor)
    if organisation.logo_filename:
        discard_image_files(organisation.logo_filename)
        organisation.logo_filename = None
        db.session.flush()


def logo_path(organisation: Organisation, *, small: bool = False) -> str | None:
    """The file of an organisation's logo on disk, or None when it has none."""
    filename = photo_filename_for(organisation.logo_filename or "")
    if filename is None:
        return None
    name = thumbnail_name(filename) if small else filename
    path = os.path.join(current_app.config["UPLOAD_DIR"], name)
    return path if os.path.exists(path) else None
