"""Web forms for listings; the services do the real validation and their errors land on these fields."""

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from marketplace.categories.queries import RESOURCE_TYPE_LABELS, CategoryGroup
from marketplace.core.i18n import current_language
from marketplace.core.numbers import format_number
from marketplace.core.region import add_region_placeholders
from marketplace.core.unit_labels import UNIT_LABELS
from marketplace.listings.models import CAPACITY_MAX, CONDITIONS, Listing
from marketplace.listings.validation import WRITABLE_FIELDS


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ListingForm(FlaskForm):
    kind = RadioField(
        _l("What is it?"),
        choices=[
            SelectChoice("offer", _l("Offer: we have something to pass on")),
            SelectChoice("request", _l("Request: we are looking for something")),
        ],
        default="offer",
        validators=[InputRequired(_l("Choose offer or request."))],
    )
    title = StringField(
        _l("Title"),
        validators=[InputRequired()],
        render_kw={"maxlength": 200, "minlength": 3},
    )
    description = TextAreaField(_l("Description"), render_kw={"maxlength": 5000, "rows": 6})
    category = SelectField(_l("Category"), validators=[InputRequired()])
    quantity = StringField(
        _l("Quantity"), validators=[InputRequired()], render_kw={"inputmode": "decimal"}
    )
    unit = SelectField(_l("Unit"))
    kg_per_unit = StringField(_l("Weight per unit in kg"), render_kw={"inputmode": "decimal"})
    condition = SelectField(
        _l("Condition (offers)"),
        choices=[SelectChoice("", _l("not stated"))]
        + [SelectChoice(key, label) for key, label in CONDITIONS.items()],
    )
    price_eur = StringField(_l("Price in EUR"), default="0", render_kw={"inputmode": "decimal"})
    #: Shown only once the region has its own currency (the template asks local_currency()).
    price_local = StringField(_l("Price in the local currency"), render_kw={"inputmode": "decimal"})
    postcode = StringField(
        _l("Postcode"), render_kw={"inputmode": "numeric", "maxlength": 5, "autocomplete": "off"}
    )
    district = StringField(_l("District"), render_kw={"maxlength": 120})
    available_until = DateField(_l("Available until"), validators=[Optional()])
    mode = RadioField(
        _l("What happens to it?"),
        choices=[
            SelectChoice("give", _l("Give away")),
            SelectChoice("lend", _l("Lend")),
            SelectChoice("book", _l("Book by the hour or by the day")),
        ],
        default="give",
        validators=[Optional()],
    )
    capacity = StringField(
        _l("Number of identical items"),
        default="1",
        render_kw={"inputmode": "numeric", "type": "number", "min": 1, "max": CAPACITY_MAX},
    )
    photos = MultipleFileField(
        _l("Photos"),
        render_kw={"accept": "image/jpeg,image/png,image/webp,image/gif,image/heic,image/heif"},
    )
    remove_photos = CheckboxListField(_l("Remove photos"), coerce=int, choices=[])
    #: Photos kept from a submit that had an error (listings/kept_photos.py): their folder's
    #: token, and the ones ticked for removal (names checked there, so no choices here).
    photo_token = HiddenField()
    drop_kept = SelectMultipleField(choices=[], validate_choice=False)

    def __init__(
        self,
        *args,
        categories: dict[str, list[CategoryGroup]],
        listing: Listing | None = None,
        **kw,
    ):
        if listing is not None and "data" not in kw and "obj" not in kw:
            kw["data"] = initial_data(listing)
        super().__init__(*args, **kw)
        add_region_placeholders(self)
        self.category.choices = category_choices(categories)
        self.unit.choices = [SelectChoice("", _l("the category's usual unit"))] + [
            SelectChoice(key, label) for key, label in UNIT_LABELS.items()
        ]
        if listing is not None:
            del self.kind  # an offer never becomes a request
            self.remove_photos.choices = [
                SelectChoice(photo.id, str(photo.id)) for photo in listing.photos
            ]
        else:
            del self.remove_photos

    def listing_data(self) -> dict:
        """What the service gets; status, organisation and the like are not even on the form."""
        return {name: self[name].data for name in WRITABLE_FIELDS if name in self}

    def uploads(self) -> list:
        return [f for f in (self.photos.data or []) if getattr(f, "filename", "")]

    def kept_to_drop(self) -> list[str]:
        return [str(name) for name in (self.drop_kept.data or [])]

    def photo_ids_to_remove(self) -> list[int]:
        return list(self.remove_photos.data or []) if "remove_photos" in self else []


def category_choices(groups: dict[str, list[CategoryGroup]]) -> list[SelectChoice]:
    """<optgroup>s by resource type; sub-categories indented under their parent."""
    language = current_language()
    choices = [SelectChoice("", _l("Choose a category"))]
    for resource_type, top_level in groups.items():
        label = str(RESOURCE_TYPE_LABELS.get(resource_type, resource_type))
        for group in top_level:
            choices.append(
                SelectChoice(group.category.slug, group.category.name(language), optgroup=label)
            )
            choices.extend(
                SelectChoice(child.slug, "– " + child.name(language), optgroup=label)
                for child in group.children
            )
    return choices


def _number_text(value: Decimal | None) -> str:
    return "" if value is None else format_number(Decimal(value).normalize(), format="0.####")


def initial_data(listing: Listing) -> dict:
    """The edit form filled from a listing."""
    return {
        "title": listing.title,
        "description": listing.description,
        "category": listing.category.slug if listing.category else "",
        "quantity": _number_text(listing.quantity),
        "unit": listing.unit,
        "kg_per_unit": _number_text(listing.kg_per_unit),
        "condition": listing.condition or "",
        "price_eur": format_number(listing.price_eur or 0, format="0.00")
        if listing.price_eur
        else "0",
        "price_local": format_number(listing.price_local, format="0.00")
        if listing.price_local is not None
        else "",
        "postcode": listing.postcode,
        "district": listing.district or "",
        "available_until": listing.available_until
        if isinstance(listing.available_until, date)
        else None,
        "mode": listing.mode,
        "capacity": str(listing.capacity),
    }
