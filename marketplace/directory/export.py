"""The directory as open data: one CSV row per organisation under the same filters as the map
and the API (UTF-8 with a BOM, cells neutralised for spreadsheets). No person's name or
e-mail: only what the organisation shows publicly."""

import csv
import io

from flask import Response, current_app, url_for

from marketplace.core.cells import neutralise
from marketplace.core.errors import ValidationFailed
from marketplace.directory.filters import parse_directory_filters
from marketplace.directory.queries import list_organisation_entries

COLUMNS = (
    "id",
    "name",
    "kind",
    "postcode",
    "district",
    "lat",
    "lon",
    "functions",
    "verified_functions",
    "sites",
    "open_offers",
    "open_requests",
    "website",
    "url",
    "licence",
)


def _row(entry, licence: str) -> list:
    org, details = entry.organisation, entry.details
    sites = "; ".join(
        f"{s.name} ({s.postcode}{' ' + s.district if s.district else ''})" for s in details.sites
    )
    return [
        org.id,
        neutralise(org.name),
        org.kind,
        org.postcode,
        neutralise(org.district),
        org.lat,
        org.lon,
        " ".join(details.codes),
        " ".join(f.code for f in details.functions if f.verified),
        neutralise(sites),
        details.open_offers,
        details.open_requests,
        neutralise(org.website),
        url_for("pages.organisation", org_id=org.id, _external=True),
        licence,
    ]


def directory_csv(args) -> str:
    """The whole CSV (a region has thousands of organisations, not millions: no streaming)."""
    filters, problems = parse_directory_filters(args)
    if problems:
        raise ValidationFailed(problems)
    page = list_organisation_entries(filters, None)
    licence = current_app.config["OPEN_DATA_LICENCE"]
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for entry in page.items:
        writer.writerow(_row(entry, licence))
    return out.getvalue()


def directory_csv_response(args) -> Response:
    return Response(
        directory_csv(args),
        mimetype="text/csv",
        headers={
            "Content-Disposition": 'attachment; filename="stoffwechsel-organisations.csv"',
            "X-Content-Type-Options": "nosniff",
        },
    )
