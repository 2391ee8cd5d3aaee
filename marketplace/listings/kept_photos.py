"""Photos uploaded with a listing form that came back with an error are kept, so that nobody picks
them again: re-encoded once, written under UPLOAD_DIR/kept/<user id>/<token>/ (the token travels
in a hidden field), shown as previews with "remove", attached when the form is saved and swept
after a day. A folder per user and token, no table: nothing here outlives a day."""

import contextlib
import io
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass

from flask import current_app
from PIL import Image

from marketplace.listings.photos import (
    PreparedPhoto,
    discard_files_after_commit,
    reencode_uploads,
    thumbnail_name,
)

MAX_AGE_SECONDS = 24 * 3600
#: Forms a person may have open at once with kept photos; older ones are swept first.
MAX_TOKENS_PER_USER = 5
TOKEN_PATTERN = re.compile(r"^[0-9a-f]{32}$")
#: 16 hex digits of the time (so names sort in upload order) and 16 random ones.
NAME_PATTERN = re.compile(r"^[0-9a-f]{32}\.jpg$")


@dataclass(frozen=True)
class KeptPhotos:
    token: str
    names: list[str]


def _root() -> str:
    return os.path.join(current_app.config["UPLOAD_DIR"], "kept")


def _folder(user_id: int, token: str) -> str:
    return os.path.join(_root(), str(int(user_id)), token)


def valid_token(token: str | None) -> str | None:
    return token if isinstance(token, str) and TOKEN_PATTERN.match(token) else None


def kept_names(user_id: int, token: str | None) -> list[str]:
    """The kept photos of this user and token, in upload order (none for a foreign token)."""
    if not valid_token(token):
        return []
    try:
        names = os.listdir(_folder(user_id, token))
    except FileNotFoundError:
        return []
    return sorted(name for name in names if NAME_PATTERN.match(name))


def kept_file_path(user_id: int, token: str, name: str) -> str | None:
    """A kept picture or its thumbnail, only within the user's own folder."""
    full = name.replace("-t.jpg", ".jpg")
    if not valid_token(token) or full not in kept_names(user_id, token):
        return None
    path = os.path.join(_folder(user_id, token), name)
    return path if os.path.isfile(path) else None


def keep_uploads(
    user_id: int, token: str | None, uploads: list, *, drop: list[str], existing_count: int
) -> tuple[KeptPhotos, list[str]]:
    """Drop the kept photos the person ticked, re-encode new uploads and keep the good ones;
    returns what is kept now and the problems of refused uploads."""
    sweep_stale_kept_photos()
    token = valid_token(token) or secrets.token_hex(16)
    folder = _folder(user_id, token)
    for name in set(drop) & set(kept_names(user_id, token)):
        for path in (os.path.join(folder, name), os.path.join(folder, thumbnail_name(name))):
            _unlink(path)
    names = kept_names(user_id, token)
    prepared, problems = reencode_uploads(uploads, existing_count=existing_count + len(names))
    if prepared:
        _forget_oldest_forms(user_id, keep=folder)
        os.makedirs(folder, exist_ok=True)
    for photo in prepared:
        name = f"{time.time_ns():016x}{secrets.token_hex(8)}.jpg"
        for file_name, content in ((name, photo.image), (thumbnail_name(name), photo.thumbnail)):
            with open(os.path.join(folder, file_name), "xb") as fh:
                fh.write(content)
    return KeptPhotos(token=token, names=kept_names(user_id, token)), problems


def load_kept_photos(user_id: int, kept: KeptPhotos) -> list[PreparedPhoto]:
    """The kept photos, ready for store_photos (they were re-encoded when they were kept)."""
    folder = _folder(user_id, kept.token)
    photos = []
    for name in kept.names:
        with open(os.path.join(folder, name), "rb") as fh:
            image = fh.read()
        with open(os.path.join(folder, thumbnail_name(name)), "rb") as fh:
            thumbnail = fh.read()
        with Image.open(io.BytesIO(image)) as decoded:
            width, height = decoded.size
        photos.append(PreparedPhoto(image=image, thumbnail=thumbnail, width=width, height=height))
    return photos


def forget_kept_photos(user_id: int, kept: KeptPhotos) -> None:
    """Once the listing that took them is committed, the kept copies go."""
    folder = _folder(user_id, kept.token)
    discard_files_after_commit(
        os.path.join(folder, file_name)
        for name in kept.names
        for file_name in (name, thumbnail_name(name))
    )


def sweep_stale_kept_photos(max_age_seconds: int = MAX_AGE_SECONDS) -> int:
    """Remove kept-photo folders untouched for a day (and emptied ones); returns how many."""
    root = _root()
    cutoff = time.time() - max_age_seconds
    removed = 0
    for user_dir in _subdirs(root):
        for folder in _subdirs(user_dir):
            try:
                stale = os.path.getmtime(folder) < cutoff or not os.listdir(folder)
            except FileNotFoundError:
                continue
            if stale:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
    return removed


def _forget_oldest_forms(user_id: int, keep: str) -> None:
    others = [f for f in _subdirs(os.path.join(_root(), str(int(user_id)))) if f != keep]
    folders = sorted(others, key=_mtime)
    for folder in folders[: max(0, len(folders) - MAX_TOKENS_PER_USER + 1)]:
        shutil.rmtree(folder, ignore_errors=True)


def _subdirs(path: str) -> list[str]:
    try:
        return [entry.path for entry in os.scandir(path) if entry.is_dir(follow_symlinks=False)]
    except FileNotFoundError:
        return []


def _mtime(path: str) -> float:
    try:
        return os.path.getmtime(path)
    except FileNotFoundError:
        return 0.0


def _unlink(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
