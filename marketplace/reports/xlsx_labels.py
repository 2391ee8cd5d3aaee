"""Sheet names and column headers of the XLSX export in the reader's language. In English the
headers stay the column names of the contract (shared/api-v1.md), which API clients read; in
German they are words. Sheet names are words in both languages."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.core.i18n import current_language

#: Header code -> (words, unit appended after the words).
_HEADERS = {
    "completed_at": (_l("Completed"), ""),
    "exchange_id": (_l("Exchange"), ""),
    "provider": (_l("Provider"), ""),
    "receiver": (_l("Receiver"), ""),
    "category": (_l("Category"), ""),
    "quantity": (_l("Quantity"), ""),
    "unit": (_l("Unit"), ""),
    "mass_kg": (_l("Mass"), " (kg)"),
    "co2e_avoided_kg": (_l("CO2e avoided"), " (kg)"),
    "factor_source": (_l("Source"), ""),
    "district": (_l("District"), ""),
    "mass_basis": (_l("Mass basis"), ""),
    "factor_basis": (_l("Basis"), ""),
    "co2e_factor": (_l("Factor"), " (kg CO2e/kg)"),
    "factor_version": (_l("Version"), ""),
    "value_eur": (_l("Value"), " (EUR)"),
    "provider_kind": (_l("Kind of the providing organisation"), ""),
    "receiver_kind": (_l("Kind of the receiving organisation"), ""),
    "from": (_l("From"), ""),
    "to": (_l("To"), ""),
    "factors": (_l("Factors"), ""),
    "factor_set": (_l("Factor set"), ""),
    "exchanges": (_l("Exchanges"), ""),
    "mass_weighed_kg": (_l("Mass weighed"), " (kg)"),
    "mass_estimated_kg": (_l("Mass estimated"), " (kg)"),
    "exchanges_mass_unknown": (_l("Mass unknown"), ""),
    "co2e_upper_bound_kg": (_l("CO2e from upper-bound factors"), " (kg)"),
    "transport_co2e_kg": (_l("Transport"), " (kg CO2e)"),
    "organisations": (_l("Organisations"), ""),
    "space_m2_days": (_l("m² × days"), ""),
    "space_hours": (_l("Hours"), ""),
    "space_days": (_l("Days"), ""),
    "value_lost_listings": (_l("Value lost: listings"), ""),
    "value_lost_mass_kg": (_l("Value lost: mass"), " (kg)"),
    "value_lost_co2e_kg": (_l("Value lost: CO2e"), " (kg)"),
    "by_month": (_l("Month"), ""),
    "by_category": (_l("Category"), ""),
    "by_district": (_l("District"), ""),
    "by_organisation_kind": (_l("Kind of organisation"), ""),
    "by_organisation": (_l("Organisation"), ""),
    "value_lost_by_category": (_l("Value lost by category"), ""),
    "value_lost_by_district": (_l("Value lost by district"), ""),
    "label": (_l("Name"), ""),
    "listings": (_l("Listings"), ""),
    "co2e_kg": (_l("CO2e"), " (kg)"),
    "group": (_l("Group"), ""),
    "key": (_l("Key"), ""),
    "loans": (_l("Loans"), ""),
    "equipment_loans": (_l("Equipment loans"), ""),
    "space_bookings": (_l("Room bookings"), ""),
    "use_days": (_l("Use-days"), ""),
    "hours": (_l("Hours"), ""),
    "m2_hours": (_l("m² × hours"), ""),
    "organisations_served": (_l("Organisations served"), ""),
    "returned_late": (_l("Returned late"), ""),
    "name": (_l("Name"), ""),
    "co2e_factor_kg_per_kg": (_l("Factor"), " (kg CO2e/kg)"),
    "basis": (_l("Basis"), ""),
    "upper_bound": (_l("Upper bound"), ""),
    "taxonomy_version": (_l("Version"), ""),
    "source": (_l("Source"), ""),
    "kg_per_unit": (_l("kg per unit"), ""),
    "default_unit": (_l("Default unit"), ""),
    "weight_source": (_l("Weight source"), ""),
}


def header(code: str) -> str:
    """A column header or row name: the code in English, words in German."""
    if current_language() == "en" or code not in _HEADERS:
        return code
    words, unit = _HEADERS[code]
    return f"{words}{unit}"


def sheet_names() -> dict[str, str]:
    """The four sheets' names in the reader's language (at most 31 characters each)."""
    return {
        "exchanges": _("Exchanges")[:31],
        "summary": _("Summary")[:31],
        "sharing": _("Sharing")[:31],
        "method": _("Method")[:31],
    }


def yes_no(value: bool) -> str:
    """An upper-bound mark: "yes"/"no" in English (as before), words in German."""
    if current_language() == "en":
        return "yes" if value else "no"
    return _("yes") if value else _("no")
