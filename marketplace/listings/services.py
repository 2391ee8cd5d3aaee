"""Writes on listings, shared by the web views, the API and the CLI; they flush, the caller commits."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.auth.models import User
from marketplace.categories.models import Category
from marketplace.categories.queries import get_category_by_slug
from marketplace.core.clock import today, utcnow
from marketplace.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from marketplace.core.geo import postcode_coordinates
from marketplace.core.numbers import format_number
from marketplace.core.units import UNITS
from marketplace.extensions import db
from marketplace.ledger.services import get_currency
from marketplace.listings.expiry import effective_status
from marketplace.listings.models import (
    CAPACITY_MAX,
    CONDITIONS,
    KINDS,
    LIVE_STATUSES,
    MODES,
    OWNER_ONLY_STATUSES,
    Listing,
)
from marketplace.listings.photos import (
    PreparedPhoto,
    delete_photo_rows,
    prepare_photos,
    store_photos,
)
from marketplace.orgs.models import Organisation

#: The only fields input may set; status, organisation, ids and quantity_remaining never come from it.
WRITABLE_FIELDS = (
    "kind",
    "title",
    "description",
    "category",
    "quantity",
    "unit",
    "kg_per_unit",
    "condition",
    "price_eur",
    "price_local",
    "postcode",
    "district",
    "available_until",
    "mode",
    "capacity",
)
TITLE_MIN, TITLE_MAX = 3, 200
DESCRIPTION_MAX = 5000
DISTRICT_MAX = 120
QUANTITY_MAX = Decimal("1000000000")
KG_PER_UNIT_MAX = Decimal("1000000")
PRICE_MAX = Decimal("10000000")


#: Checks other features add on a listing change (bookings: capacity and mode against the bookings
#: a listing holds); each gets the listing and the cleaned new values and returns field errors.
ChangeCheck = Callable[[Listing, dict[str, Any]], dict[str, list[str]]]
CHANGE_CHECKS: list[ChangeCheck] = []


def add_change_check(check: ChangeCheck) -> None:
    if check not in CHANGE_CHECKS:
        CHANGE_CHECKS.append(check)


class _Invalid(Exception):
    """One field's problem, collected into ValidationFailed."""


@dataclass
class _Cleaned:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    category: Category | None = None

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


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


# -- parsing -------------------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(_("Must be text."))
    return value.strip()


def _decimal(value: Any, places: int, low: Decimal, high: Decimal, *, positive=False) -> Decimal:
    """A Decimal from a number or text ("2,5" and "2.5" both work), checked against a range."""
    if isinstance(value, bool):
        raise _Invalid(_("Must be a number."))
    if isinstance(value, str):
        text = value.strip().replace(" ", "").replace("\u00a0", "")
        if "," in text and "." in text:
            # Both separators ("1.234,5" or "1,234.5"): the last one is the decimal separator.
            thousands = "." if text.rfind(",") > text.rfind(".") else ","
            text = text.replace(thousands, "")
        value = text.replace(",", ".")
    elif isinstance(value, float):
        value = str(value)
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise _Invalid(_("Must be a number.")) from None
    if not number.is_finite():
        raise _Invalid(_("Must be a number."))
    if positive and number <= 0:
        raise _Invalid(_("Must be more than 0."))
    if number < low:
        raise _Invalid(_("Must not be negative."))
    if number > high:
        raise _Invalid(_("Must be at most %(max)s.", max=format_number(high)))
    if number.normalize().as_tuple().exponent < -places:
        raise _Invalid(_("At most %(places)d decimal places.", places=places))
    return number.quantize(Decimal(1).scaleb(-places)) if places else number


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _Invalid(_("Must be a date (YYYY-MM-DD)."))


# -- validation ----------------------------------------------------------------------------------


def _clean(
    data: Mapping[str, Any], organisation: Organisation, listing: Listing | None
) -> _Cleaned:
    """Check the writable fields present in data (all of them on creation)."""
    creating = listing is None
    given = {name: data[name] for name in WRITABLE_FIELDS if name in data}
    out = _Cleaned()

    def check(name, parse):
        if name not in given and not creating:
            return
        try:
            out.values[name] = parse(given.get(name))
        except _Invalid as problem:
            out.fail(name, str(problem))

    def kind(value):
        if creating:
            if not isinstance(value, str) or value not in KINDS:
                raise _Invalid(_("Choose offer or request."))
            return value
        if not _blank(value) and value != listing.kind:
            raise _Invalid(_("An offer cannot become a request or vice versa; post a new listing."))
        return listing.kind

    def title(value):
        text = _text(value) if not _blank(value) else ""
        if len(text) < TITLE_MIN:
            raise _Invalid(_("At least %(min)d characters.", min=TITLE_MIN))
        if len(text) > TITLE_MAX:
            raise _Invalid(_("At most %(max)d characters.", max=TITLE_MAX))
        return text

    def description(value):
        text = "" if value is None else _text(value)
        if len(text) > DESCRIPTION_MAX:
            raise _Invalid(_("At most %(max)d characters.", max=DESCRIPTION_MAX))
        return text

    def category(value):
        found = get_category_by_slug(value.strip()) if isinstance(value, str) else None
        if found is None:
            raise _Invalid(_("Choose one of the categories."))
        out.category = found
        return found

    def quantity(value):
        if _blank(value):
            raise _Invalid(_("Please give a quantity."))
        return _decimal(value, 3, Decimal(0), QUANTITY_MAX, positive=True)

    def optional_decimal(places, high):
        return lambda value: None if _blank(value) else _decimal(value, places, Decimal(0), high)

    def local_price(value):
        price = optional_decimal(2, PRICE_MAX)(value)
        if price is not None and get_currency() is None:
            raise _Invalid(_("No local currency is set up in this region."))
        return price

    def postcode(value):
        code = organisation.postcode if _blank(value) else _text(value)
        coordinates = postcode_coordinates(code)
        if coordinates is None:
            raise _Invalid(_("Unknown postcode; please give a five-digit German postcode."))
        out.values["lat"], out.values["lon"] = coordinates
        return code

    def district(value):
        text = None if _blank(value) else _text(value)
        if text is not None and len(text) > DISTRICT_MAX:
            raise _Invalid(_("At most %(max)d characters.", max=DISTRICT_MAX))
        return text

    def available_until(value):
        if _blank(value):
            return None
        day = _date(value)
        if day < today():
            raise _Invalid(_("The date lies in the past."))
        return day

    def mode(value):
        if _blank(value):
            return "give" if creating else listing.mode
        if not isinstance(value, str) or value not in MODES:
            raise _Invalid(_("Choose give, lend or book."))
        return value

    def capacity(value):
        if _blank(value):
            return 1 if creating else listing.capacity
        number = _decimal(value, 0, Decimal(1), Decimal(CAPACITY_MAX), positive=True)
        return int(number)

    check("kind", kind)
    check("title", title)
    check("description", description)
    check("category", category)
    check("quantity", quantity)
    check("kg_per_unit", optional_decimal(4, KG_PER_UNIT_MAX))
    check("price_eur", optional_decimal(2, PRICE_MAX))
    check("price_local", local_price)
    check("postcode", postcode)
    check("district", district)
    check("available_until", available_until)
    check("mode", mode)
    check("capacity", capacity)
    _check_unit_and_condition(given, out, listing)
    _default_district(given, out, organisation, creating)
    if "price_eur" in out.values and out.values["price_eur"] is None:
        out.values["price_eur"] = Decimal("0.00")
    return out


def _check_unit_and_condition(given: dict, out: _Cleaned, listing: Listing | None) -> None:
    category = out.category or (listing.category if listing is not None else None)
    if "unit" in given or listing is None:
        unit = given.get("unit")
        if _blank(unit):
            if category is not None:
                out.values["unit"] = category.default_unit
            elif "category" not in out.errors:
                out.fail("unit", _("Choose a unit."))
        elif isinstance(unit, str) and unit in UNITS:
            out.values["unit"] = unit
        else:
            out.fail("unit", _("Choose one of the units."))
    kind = out.values.get("kind") or (listing.kind if listing is not None else None)
    if kind == "request":
        # Conditions describe what is offered; a request has none.
        if "condition" in given or listing is None or listing.condition is not None:
            out.values["condition"] = None
    elif "condition" in given or listing is None:
        condition = given.get("condition")
        if _blank(condition):
            out.values["condition"] = None
        elif isinstance(condition, str) and condition in CONDITIONS:
            out.values["condition"] = condition
        else:
            out.fail("condition", _("Choose one of the conditions."))


def _default_district(
    given: dict, out: _Cleaned, organisation: Organisation, creating: bool
) -> None:
    """Without a district, a listing at the organisation's postcode takes its district."""
    if "postcode" not in out.values or not _blank(given.get("district")):
        return
    if creating or "district" in given or "postcode" in given:
        same_place = out.values["postcode"] == organisation.postcode
        out.values["district"] = organisation.district if same_place else None


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
    cleaned = _clean(data, organisation, None)
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
    cleaned = _clean(data, listing.organisation, listing)
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


def _remaining_after(listing: Listing, cleaned: _Cleaned) -> Decimal | None:
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
