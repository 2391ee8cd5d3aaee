"""Writes on listings, shared by the web views, the API and the CLI; they flush, the caller commits."""

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.auth.models import User
from marketplace.core.clock import utcnow
from marketplace.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from marketplace.extensions import db
from marketplace.listings.liveness import effective_status
from marketplace.listings.models import (
    LIVE_STATUSES,
    OWNER_ONLY_STATUSES,
    Listing,
)
from marketplace.listings.photos import (
    PreparedPhoto,
    delete_photo_rows,
    prepare_photos,
    store_photos,
)
from marketplace.listings.validation import (
    CHANGE_CHECKS,
    Cleaned,
    clean,
)
from marketplace.orgs.models import Organisation

# -- rights ---------------------------------------------------------------------------------------


def is_member(user: User | None, organisation_id: int) -> bool:
    return user is not None and getattr(user, "organisation_id", None) == organisation_id


def _require_member(listing: Listing, user: User | None) -> None:
    """Only members of the owning organisation change a listing; a withdrawn one others never see."""
    if is_member(user, listing.organisation_id):
        return
    if listing.status in OWNER_ONLY_STATUSES:
        raise NotFound()
    raise PermissionDenied(_("Only members of the organisation that posted it can change it."))


def _require_editable(listing: Listing) -> None:
    if effective_status(listing) not in LIVE_STATUSES:
        raise InvalidTransition(_("Only open or reserved listings can be changed."))


def check_can_edit(listing: Listing, user: User | None) -> None:
    """Raise unless the user may change the listing now (NotFound, PermissionDenied, InvalidTransition)."""
    _require_member(listing, user)
    _require_editable(listing)


# -- services ------------------------------------------------------------------------------------


def create_listing(
    organisation: Organisation,
    user: User,
    data: Mapping[str, Any],
    photos: Iterable = (),
    kept: Sequence[PreparedPhoto] = (),
) -> Listing:
    """Post an offer or a request for the user's organisation, with optional photos (uploads, and
    photos kept from an earlier submit that had an error)."""
    if not is_member(user, organisation.id):
        raise PermissionDenied(_("You can only post listings for your own organisation."))
    cleaned = clean(data, organisation, None)
    prepared, problems = prepare_photos(
        photos, organisation_id=organisation.id, existing_count=0, kept=kept
    )
    if problems:
        cleaned.errors["photos"] = problems
    if cleaned.errors:
        raise ValidationFailed(cleaned.errors)
    values = cleaned.values
    listing = Listing(
        **{name: value for name, value in values.items() if name != "category"},
        category=values["category"],
        quantity_remaining=values["quantity"],
        status="open",
        organisation=organisation,
        organisation_id=organisation.id,
        created_by_id=user.id,
    )
    db.session.add(listing)
    db.session.flush()
    store_photos(listing, prepared, start_position=0)
    return listing


def update_listing(
    listing: Listing,
    user: User,
    data: Mapping[str, Any],
    photos: Iterable = (),
    remove_photo_ids: Iterable[int] = (),
    kept: Sequence[PreparedPhoto] = (),
) -> Listing:
    """Change the writable fields present in data; a new quantity keeps what exchanges took."""
    _require_member(listing, user)
    _require_editable(listing)
    cleaned = clean(data, listing.organisation, listing)
    new_remaining = None
    if "quantity" in cleaned.values:
        new_remaining = _remaining_after(listing, cleaned)
    remove_ids = {int(i) for i in remove_photo_ids}
    removed = [photo for photo in listing.photos if photo.id in remove_ids]
    prepared, problems = prepare_photos(
        photos,
        organisation_id=listing.organisation_id,
        existing_count=len(listing.photos) - len(removed),
        freed_bytes=sum(photo.size_bytes for photo in removed),
        kept=kept,
    )
    if problems:
        cleaned.errors["photos"] = problems
    for check in CHANGE_CHECKS:
        for name, messages in check(listing, cleaned.values).items():
            cleaned.errors.setdefault(name, []).extend(messages)
    if cleaned.errors:
        raise ValidationFailed(cleaned.errors)

    for name, value in cleaned.values.items():
        setattr(listing, name, value)
    if new_remaining is not None:
        listing.quantity_remaining = new_remaining
        if new_remaining > 0 and listing.status == "reserved":
            listing.status = "open"
        elif new_remaining == 0 and listing.status == "open":
            listing.status = "reserved"  # nothing left unreserved
    if removed:
        delete_photo_rows(removed)
    next_position = max((photo.position for photo in listing.photos), default=-1) + 1
    store_photos(listing, prepared, start_position=next_position)
    db.session.flush()
    return listing


def _remaining_after(listing: Listing, cleaned: Cleaned) -> Decimal | None:
    """New remaining = new quantity - (quantity - remaining), read under a row lock so that a
    concurrent acceptance cannot slip in between; a field error when it would be negative."""
    quantity, remaining = db.session.execute(
        select(Listing.quantity, Listing.quantity_remaining)
        .where(Listing.id == listing.id)
        .with_for_update()
    ).one()
    taken = Decimal(quantity) - Decimal(remaining)
    new_remaining = cleaned.values["quantity"] - taken
    if new_remaining < 0:
        cleaned.fail(
            "quantity",
            _(
                "Exchanges have already taken %(taken)s; the quantity cannot be less.",
                taken=f"{taken.normalize():f}",
            ),
        )
        return None
    return new_remaining


def withdraw_listing(listing: Listing, user: User) -> Listing:
    """Take a listing off the market; nothing is erased and the organisation still sees it."""
    _require_member(listing, user)
    if listing.status == "withdrawn":
        return listing
    _require_editable(listing)
    listing.status = "withdrawn"
    listing.ended_at = utcnow()
    db.session.flush()
    return listing


def add_photos(listing: Listing, user: User, uploads: Iterable) -> list:
    """Add photos to a live listing of the user's organisation."""
    _require_member(listing, user)
    _require_editable(listing)
    prepared, problems = prepare_photos(
        uploads, organisation_id=listing.organisation_id, existing_count=len(listing.photos)
    )
    if problems:
        raise ValidationFailed({"photos": problems})
    next_position = max((photo.position for photo in listing.photos), default=-1) + 1
    return store_photos(listing, prepared, start_position=next_position)


def remove_photos(listing: Listing, user: User, photo_ids: Iterable[int]) -> int:
    """Remove some of a listing's photos (files go once the transaction commits)."""
    _require_member(listing, user)
    ids = {int(i) for i in photo_ids}
    removed = [photo for photo in listing.photos if photo.id in ids]
    delete_photo_rows(removed)
    return len(removed)
