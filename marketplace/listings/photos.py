"""Listing photos: type decided by Pillow from the content, turned upright, downscaled to
PHOTO_MAX_EDGE and re-encoded as JPEG (drops EXIF/GPS and anything appended), stored under
generated names outside static/ and cleaned up with the transaction."""

import io
import logging
import os
import re
import secrets
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from marketplace.extensions import db
from marketplace.listings.models import Photo

log = logging.getLogger("marketplace.listings.photos")

# iPhones write HEIC by default; the opener teaches Pillow the "HEIF" format (decoded by libheif).
register_heif_opener()

#: Formats Pillow must recognise in the content; the file name and the browser's type are ignored.
#: Only these decoders are even tried (no EPS, no SVG). MPO is the JPEG variant many phones write.
OPEN_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "HEIF")
ALLOWED_FORMATS = frozenset({*OPEN_FORMATS, "MPO"})
THUMBNAIL_EDGE = 400
JPEG_QUALITY = 85
#: Only names this module generates are ever served: 32 hex digits, optional "-t", ".jpg".
NAME_PATTERN = re.compile(r"^[0-9a-f]{32}(-t)?\.jpg$")


@dataclass
class PreparedPhoto:
    """A checked, re-encoded photo held in memory until the listing is saved."""

    image: bytes
    thumbnail: bytes
    width: int
    height: int

    @property
    def size_bytes(self) -> int:
        return len(self.image) + len(self.thumbnail)


class PhotoRejected(ValueError):
    """One upload is not an acceptable picture; the message is meant for people."""


def thumbnail_name(filename: str) -> str:
    return filename[: -len(".jpg")] + "-t.jpg"


def photo_filename_for(name: str) -> str | None:
    """The Photo.filename a served name belongs to, or None when the name is not one of ours."""
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        return None
    return name.replace("-t.jpg", ".jpg")


def _upload_dir() -> str:
    path = current_app.config["UPLOAD_DIR"]
    os.makedirs(path, exist_ok=True)
    return path


def _read_limited(upload, max_bytes: int) -> bytes:
    """Read at most max_bytes + 1 so that an oversized file is detected without reading it all."""
    stream = getattr(upload, "stream", upload)
    if isinstance(stream, bytes | bytearray):
        return bytes(stream[: max_bytes + 1])
    return stream.read(max_bytes + 1)


def _upload_label(upload, index: int) -> str:
    name = getattr(upload, "filename", None) or ""
    return os.path.basename(name)[:80] or _("Photo %(number)d", number=index + 1)


def reencode(data: bytes, *, max_pixels: int, max_edge: int) -> PreparedPhoto:
    """Decode with Pillow (JPEG, PNG, WebP, GIF, HEIC only), turn upright, flatten to RGB, shrink
    so that the long side is at most max_edge and re-encode as JPEG; raises PhotoRejected."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=OPEN_FORMATS) as image:
                if image.format not in ALLOWED_FORMATS:
                    raise PhotoRejected(
                        _("Only JPEG, PNG, WebP, GIF and HEIC pictures are accepted.")
                    )
                # Checked on the header, before any pixel is decoded (decompression bombs).
                if image.width * image.height > max_pixels:
                    raise PhotoRejected(_("The picture has too many pixels."))
                image.seek(0)
                # A phone JPEG is decoded at 1/2, 1/4 or 1/8 scale straight away when that is
                # still at least max_edge: a fraction of the memory and time of a full decode.
                image.draft("RGB", (max_edge, max_edge))
                upright = ImageOps.exif_transpose(image)
                rgb = _flatten(upright)
    except PhotoRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise PhotoRejected(_("The picture has too many pixels.")) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise PhotoRejected(_("This file is not a picture we can read.")) from error
    rgb.thumbnail((max_edge, max_edge), Image.Resampling.LANCZOS)
    full = _jpeg(rgb, JPEG_QUALITY)
    small = rgb.copy()
    small.thumbnail((THUMBNAIL_EDGE, THUMBNAIL_EDGE), Image.Resampling.LANCZOS)
    return PreparedPhoto(image=full, thumbnail=_jpeg(small, 80), width=rgb.width, height=rgb.height)


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on a white background (transparent areas would otherwise turn black)."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    # No exif= and no icc_profile=: nothing of the original's metadata is carried over.
    image.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


def organisation_photo_bytes(organisation_id: int) -> int:
    return int(
        db.session.execute(
            select(func.coalesce(func.sum(Photo.size_bytes), 0)).where(
                Photo.organisation_id == organisation_id
            )
        ).scalar_one()
    )


def prepare_photos(
    uploads: Iterable,
    *,
    organisation_id: int,
    existing_count: int,
    freed_bytes: int = 0,
    kept: Sequence[PreparedPhoto] = (),
) -> tuple[list[PreparedPhoto], list[str]]:
    """Check and re-encode uploads in memory (nothing is written) and add the photos kept from an
    earlier submit; the quota counts the stored (downscaled) sizes. Returns (photos, problems)."""
    config = current_app.config
    kept = list(kept)
    prepared, problems = reencode_uploads(uploads, existing_count=existing_count + len(kept))
    photos = kept + prepared
    if photos and not problems:
        used = organisation_photo_bytes(organisation_id) - freed_bytes
        if used + sum(p.size_bytes for p in photos) > int(config["PHOTO_QUOTA_BYTES_PER_ORG"]):
            problems.append(
                _(
                    "Your organisation's photo storage is full. Remove photos from old listings "
                    "first."
                )
            )
    return photos, problems


def reencode_uploads(
    uploads: Iterable, *, existing_count: int
) -> tuple[list[PreparedPhoto], list[str]]:
    """The per-listing count, the upload size and the picture itself, each upload on its own:
    the good ones come back even when another one is refused."""
    config = current_app.config
    uploads = [u for u in uploads if _has_content(u)]
    problems: list[str] = []
    if not uploads:
        return [], problems
    limit = int(config["PHOTOS_PER_LISTING"])
    if existing_count + len(uploads) > limit:
        problems.append(
            _("A listing can have at most %(limit)d photos.", limit=limit)
            if existing_count == 0
            else _(
                "A listing can have at most %(limit)d photos; it has %(count)d already.",
                limit=limit,
                count=existing_count,
            )
        )
        return [], problems
    max_bytes = int(config["PHOTO_MAX_BYTES"])
    prepared: list[PreparedPhoto] = []
    for index, upload in enumerate(uploads):
        label = _upload_label(upload, index)
        data = _read_limited(upload, max_bytes)
        if len(data) > max_bytes:
            problems.append(
                _(
                    "%(name)s is larger than %(mb)s MB.",
                    name=label,
                    mb=f"{max_bytes / 1024 / 1024:g}",
                )
            )
            continue
        try:
            prepared.append(
                reencode(
                    data,
                    max_pixels=int(config["PHOTO_MAX_PIXELS"]),
                    max_edge=int(config["PHOTO_MAX_EDGE"]),
                )
            )
        except PhotoRejected as error:
            problems.append(f"{label}: {error}")
    return prepared, problems


def _has_content(upload) -> bool:
    """Browsers send an empty part when no file was chosen."""
    if upload is None:
        return False
    if isinstance(upload, bytes | bytearray):
        return bool(upload)
    return bool(getattr(upload, "filename", "") or getattr(upload, "content_length", 0))


def store_photos(listing, prepared: Sequence[PreparedPhoto], *, start_position: int) -> list[Photo]:
    """Write the files and add Photo rows; the files are deleted again if the transaction rolls back."""
    rows = []
    for offset, photo in enumerate(prepared):
        filename = write_image_files(photo)
        row = Photo(
            listing=listing,
            organisation_id=listing.organisation_id,
            filename=filename,
            width=photo.width,
            height=photo.height,
            size_bytes=photo.size_bytes,
            position=start_position + offset,
        )
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    return rows


def write_image_files(photo: PreparedPhoto) -> str:
    """Write a re-encoded picture and its thumbnail under a generated name (returned); the files
    are deleted again if the transaction rolls back. Listing photos and organisation logos."""
    directory = _upload_dir()
    filename = secrets.token_hex(16) + ".jpg"
    for name, content in ((filename, photo.image), (thumbnail_name(filename), photo.thumbnail)):
        path = os.path.join(directory, name)
        _pending(db.session())["written"].append(path)
        with open(path, "xb") as fh:
            fh.write(content)
    return filename


def discard_image_files(filename: str) -> None:
    """Delete a picture written by write_image_files, and its thumbnail, once the transaction
    has committed."""
    directory = _upload_dir()
    _pending(db.session())["obsolete"].extend(
        os.path.join(directory, name) for name in (filename, thumbnail_name(filename))
    )


def discard_files_after_commit(paths: Iterable[str]) -> None:
    """Delete files (not ours to track otherwise, e.g. kept uploads) once the transaction commits."""
    _pending(db.session())["obsolete"].extend(paths)


def delete_photo_rows(photos: Iterable[Photo]) -> None:
    """Remove photos; their files are deleted once the transaction has committed."""
    for photo in photos:
        discard_image_files(photo.filename)
        if photo.listing is not None and photo in photo.listing.photos:
            photo.listing.photos.remove(photo)
        db.session.delete(photo)
    db.session.flush()


# Files follow the transaction: written ones are removed on rollback, removed ones deleted on commit.
def _pending(session: Session) -> dict[str, list[str]]:
    return session.info.setdefault("photo_files", {"written": [], "obsolete": []})


def _unlink_all(paths: list[str]) -> None:
    for path in paths:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        except OSError:
            log.exception("Could not delete photo file %s", path)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released; the real commit is still to come
    pending = session.info.pop("photo_files", None)
    if pending:
        _unlink_all(pending["obsolete"])


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    """Rolled back or closed without a commit: the files written for it must go too."""
    if transaction.parent is not None:
        return
    pending = session.info.pop("photo_files", None)
    if pending:
        _unlink_all(pending["written"])
