"""API v1: reports (contract: shared/api-v1.md, "Reports"); the same queries as the dashboard."""

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from marketplace.api.auth import api_user, token_required
from marketplace.api.schemas import ErrorOutput
from marketplace.orgs.models import ORGANISATION_KINDS
from marketplace.reports import downloads
from marketplace.reports.exports import CSV_COLUMNS, summary_dict
from marketplace.reports.filters import (
    FACTOR_MODES,
    SIDES,
    ReportFilters,
    authorise_report_filters,
    parse_report_filters,
)
from marketplace.reports.queries import summarise

blp = Blueprint("api_reports", __name__, description="reports")

_BEARER = [{"bearerAuth": []}]
_NO_TOKEN = "No valid bearer token."  # noqa: S105 - a description, not a secret
_FORBIDDEN = "A member asked for another organisation's figures (coordinators see all)."
_INVALID = "A bad date (not YYYY-MM-DD, or from after to), category, organisation or option."


# -- schemas -------------------------------------------------------------------------------------


class ReportQuerySchema(Schema):
    """Validated by parse_report_filters (422 with the field's problem); documented here."""

    date_from = fields.String(
        data_key="from", metadata={"format": "date", "description": "Inclusive (Europe/Berlin)."}
    )
    date_to = fields.String(
        data_key="to", metadata={"format": "date", "description": "Inclusive (Europe/Berlin)."}
    )
    category = fields.String(
        metadata={"description": "A category slug; a parent includes its children."}
    )
    district = fields.String(metadata={"description": "The offer's district."})
    organisation_id = fields.String(
        metadata={"description": "Provider or receiver; members: only their own (implied)."}
    )
    side = fields.String(metadata={"enum": list(SIDES), "description": "With organisation_id."})
    organisation_kind = fields.String(
        metadata={"enum": list(ORGANISATION_KINDS), "description": "The provider's kind."}
    )
    factors = fields.String(
        metadata={
            "enum": list(FACTOR_MODES),
            "description": "CO2e as recorded at completion (default) or with current factors.",
        }
    )


class _Figures(Schema):
    label = fields.String(metadata={"description": "In the caller's language."})
    exchanges = fields.Integer()
    mass_kg = fields.Float()
    co2e_avoided_kg = fields.Float()


class ByCategory(_Figures):
    category = fields.String()


class ByMonth(_Figures):
    month = fields.String(metadata={"description": "YYYY-MM (Europe/Berlin); empty months are 0."})


class ByDistrict(_Figures):
    district = fields.String(metadata={"description": "The offer's district; empty if none."})


class ByOrganisationKind(_Figures):
    organisation_kind = fields.String()


class ByOrganisation(_Figures):
    organisation_id = fields.String(metadata={"description": "The provider."})


class LostGroup(Schema):
    category = fields.String()
    district = fields.String()
    label = fields.String()
    listings = fields.Integer()
    mass_kg = fields.Float()
    co2e_kg = fields.Float()


class ValueLostSchema(Schema):
    listings = fields.Integer()
    mass_kg = fields.Float()
    co2e_kg = fields.Float(metadata={"description": "With the categories' current factors."})
    by_category = fields.List(fields.Nested(LostGroup))
    by_district = fields.List(fields.Nested(LostGroup))


class SpaceSchema(Schema):
    m2_days = fields.Float()
    hours = fields.Float()
    days = fields.Float()


class SummarySchema(Schema):
    date_from = fields.String(data_key="from", allow_none=True, metadata={"format": "date"})
    date_to = fields.String(data_key="to", allow_none=True, metadata={"format": "date"})
    exchanges = fields.Integer(metadata={"description": "Completed exchanges only."})
    mass_kg = fields.Float()
    mass_weighed_kg = fields.Float()
    mass_estimated_kg = fields.Float()
    exchanges_mass_unknown = fields.Integer()
    co2e_avoided_kg = fields.Float(metadata={"description": "Reported apart from any footprint."})
    co2e_upper_bound_kg = fields.Float(metadata={"description": "Part from upper-bound factors."})
    transport_co2e_kg = fields.Float(metadata={"description": "Never subtracted."})
    value_eur = fields.Float()
    organisations = fields.Integer(metadata={"description": "Distinct providers and receivers."})
    space_shared = fields.Nested(SpaceSchema)
    by_category = fields.List(fields.Nested(ByCategory))
    by_month = fields.List(fields.Nested(ByMonth))
    by_district = fields.List(fields.Nested(ByDistrict))
    by_organisation_kind = fields.List(fields.Nested(ByOrganisationKind))
    by_organisation = fields.List(fields.Nested(ByOrganisation))
    value_lost = fields.Nested(ValueLostSchema)
    factors = fields.String(metadata={"enum": list(FACTOR_MODES)})
    factor_set = fields.String(metadata={"description": "Publisher, year, table and taxonomy."})


# -- endpoints -----------------------------------------------------------------------------------


def _filters() -> ReportFilters:
    """From the raw query string, so that parse_report_filters names each bad field."""
    return authorise_report_filters(api_user(), parse_report_filters(request.args))


def _documented(view):
    view = blp.arguments(ReportQuerySchema, location="query", as_kwargs=True)(view)
    view = blp.alt_response(401, schema=ErrorOutput, description=_NO_TOKEN)(view)
    view = blp.alt_response(403, schema=ErrorOutput, description=_FORBIDDEN)(view)
    view = blp.alt_response(422, schema=ErrorOutput, description=_INVALID)(view)
    return blp.doc(security=_BEARER)(view)


@blp.route("/reports/summary")
@token_required
@_documented
@blp.response(200, SummarySchema)
def summary(**_args):
    """Totals and breakdowns of completed exchanges for a period (all time without from/to)."""
    data = summary_dict(summarise(_filters()))
    data["date_from"], data["date_to"] = data.pop("from"), data.pop("to")
    return data


_CSV_DOC = {
    "description": "One row per completed exchange, UTF-8 with BOM; columns: "
    + ", ".join(CSV_COLUMNS)
    + ". Dot decimals; text cells starting with = + - @ tab CR get a leading quote.",
    "content": {"text/csv": {"schema": {"type": "string"}}},
}
_XLSX_DOC = {
    "description": "Sheets Exchanges (numeric cells), Summary and Method (factor table).",
    "content": {
        downloads.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
    },
}


@blp.route("/reports/exchanges.csv")
@token_required
@_documented
@blp.doc(responses={"200": _CSV_DOC})
def exchanges_csv(**_args):
    """The completed exchanges behind the summary, as CSV (streamed)."""
    return downloads.csv_response(_filters())


@blp.route("/reports/exchanges.xlsx")
@token_required
@_documented
@blp.doc(responses={"200": _XLSX_DOC})
def exchanges_xlsx(**_args):
    """The same as a spreadsheet, with the summary and the method."""
    return downloads.xlsx_response(_filters())
