"""Listing input checked and cleaned, field by field, for create_listing and update_listing
(services.py): every problem of one submit collected into one ValidationFailed."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from marketplace.categories.models import Category
from marketplace.categories.queries import get_category_by_slug
from marketplace.core.clock import today
from marketplace.core.geo import postcode_coordinates
from marketplace.core.numbers import NotANumber, format_number, parse_decimal
from marketplace.core.units import UNITS
from marketplace.ledger.services import get_currency
from marketplace.listings.models import (
    CAPACITY_MAX,
    CONDITIONS,
    KINDS,
    MODES,
    Listing,
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


class Invalid(Exception):
    """One field's problem, collected into ValidationFailed."""


@dataclass
class Cleaned:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    category: Category | None = None

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


# -- parsing -------------------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid(_("Must be text."))
    return value.strip()


def _decimal(value: Any, places: int, low: Decimal, high: Decimal, *, positive=False) -> Decimal:
    """A Decimal from a number or text ("2,5" and "2.5" both work), checked against a range."""
    try:
        number = parse_decimal(value)
    except NotANumber:
        raise Invalid(_("Must be a number.")) from None
    if positive and number <= 0:
        raise Invalid(_("Must be more than 0."))
    if number < low:
        raise Invalid(_("Must not be negative."))
    if number > high:
        raise Invalid(_("Must be at most %(max)s.", max=format_number(high)))
    if number.normalize().as_tuple().exponent < -places:
        raise Invalid(_("At most %(places)d decimal places.", places=places))
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
    raise Invalid(_("Must be a date (YYYY-MM-DD)."))


# -- validation ----------------------------------------------------------------------------------


def clean(data: Mapping[str, Any], organisation: Organisation, listing: Listing | None) -> Cleaned:
    """Check the writable fields present in data (all of them on creation)."""
    creating = listing is None
    given = {name: data[name] for name in WRITABLE_FIELDS if name in data}
    out = Cleaned()

    def check(name, parse):
        if name not in given and not creating:
            return
        try:
            out.values[name] = parse(given.get(name))
        except Invalid as problem:
            out.fail(name, str(problem))

    def kind(value):
        if creating:
            if not isinstance(value, str) or value not in KINDS:
                raise Invalid(_("Choose offer or request."))
            return value
        if not _blank(value) and value != listing.kind:
            raise Invalid(_("An offer cannot become a request or vice versa; post a new listing."))
        return listing.kind

    def title(value):
        text = _text(value) if not _blank(value) else ""
        if len(text) < TITLE_MIN:
            raise Invalid(_("At least %(min)d characters.", min=TITLE_MIN))
        if len(text) > TITLE_MAX:
            raise Invalid(_("At most %(max)d characters.", max=TITLE_MAX))
        return text

    def description(value):
        text = "" if value is None else _text(value)
        if len(text) > DESCRIPTION_MAX:
            raise Invalid(_("At most %(max)d characters.", max=DESCRIPTION_MAX))
        return text

    def category(value):
        found = get_category_by_slug(value.strip()) if isinstance(value, str) else None
        if found is None:
            raise Invalid(_("Choose one of the categories."))
        out.category = found
        return found

    def quantity(value):
        if _blank(value):
            raise Invalid(_("Please give a quantity."))
        return _decimal(value, 3, Decimal(0), QUANTITY_MAX, positive=True)

    def optional_decimal(places, high):
        return lambda value: None if _blank(value) else _decimal(value, places, Decimal(0), high)

    def local_price(value):
        price = optional_decimal(2, PRICE_MAX)(value)
        if price is not None and get_currency() is None:
            raise Invalid(_("No local currency is set up in this region."))
        return price

    def postcode(value):
        code = organisation.postcode if _blank(value) else _text(value)
        coordinates = postcode_coordinates(code)
        if coordinates is None:
            raise Invalid(_("Unknown postcode; please give a five-digit German postcode."))
        out.values["lat"], out.values["lon"] = coordinates
        return code

    def district(value):
        text = None if _blank(value) else _text(value)
        if text is not None and len(text) > DISTRICT_MAX:
            raise Invalid(_("At most %(max)d characters.", max=DISTRICT_MAX))
        return text

    def available_until(value):
        if _blank(value):
            return None
        day = _date(value)
        if day < today():
            raise Invalid(_("The date lies in the past."))
        return day

    def mode(value):
        if _blank(value):
            return "give" if creating else listing.mode
        if not isinstance(value, str) or value not in MODES:
            raise Invalid(_("Choose give, lend or book."))
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


def _check_unit_and_condition(given: dict, out: Cleaned, listing: Listing | None) -> None:
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
    given: dict, out: Cleaned, organisation: Organisation, creating: bool
) -> None:
    """Without a district, a listing at the organisation's postcode takes its district."""
    if "postcode" not in out.values or not _blank(given.get("district")):
        return
    if creating or "district" in given or "postcode" in given:
        same_place = out.values["postcode"] == organisation.postcode
        out.values["district"] = organisation.district if same_place else None
