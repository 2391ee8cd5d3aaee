"""The allocation form: objective, transport penalty and the part of the region to allocate."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField
from wtforms.fields.choices import SelectChoice

OBJECTIVE_CHOICES = [
    SelectChoice("co2e", _l("kg CO2e avoided")),
    SelectChoice("kg", _l("kg reused")),
]


class AllocationForm(FlaskForm):
    objective = RadioField(_l("Maximise"), choices=OBJECTIVE_CHOICES, default="co2e")
    transport_penalty = BooleanField(_l("Deduct transport (kg CO2e per kg and km)"), default=True)
    district = SelectField(_l("District"), choices=[], default="")
    category = SelectField(_l("Category"), choices=[], default="")

    def set_choices(self, districts: list[str], groups: dict, language: str) -> None:
        """Districts present and the category tree (children indented under their parent)."""
        self.district.choices = [SelectChoice("", _l("all districts"))] + [
            SelectChoice(d, d) for d in districts
        ]
        categories = [SelectChoice("", _l("all categories"))]
        for top_level in groups.values():
            for group in top_level:
                categories.append(SelectChoice(group.category.slug, group.category.name(language)))
                categories.extend(
                    SelectChoice(c.slug, "– " + c.name(language)) for c in group.children
                )
        self.category.choices = categories
