"""An organisation's own figures: what it gave and what it received, kept apart (giver and
receiver must not both claim the same saving), its recent hand-overs, and its certificate."""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.core.clock import today
from marketplace.core.errors import NotFound, ValidationFailed
from marketplace.exchanges.models import Exchange
from marketplace.extensions import db
from marketplace.orgs.models import Organisation
from marketplace.reports.dashboard import ReportRequest, read_report_request
from marketplace.reports.filters import ReportFilters, authorise_report_filters
from marketplace.reports.queries import Summary, summarise
from marketplace.reports.scope import scoped
from marketplace.reports.sharing import summarise_sharing
from marketplace.reports.sharing_figures import SharingFigures

#: The organisation page and its certificate read only the period (factors as recorded).
PERIOD_ARGS = ("from", "to")
RECENT_EXCHANGES = 20


@dataclass
class OrganisationImpact:
    organisation: Organisation
    request: ReportRequest
    filters: ReportFilters | None
    given: Summary | None = None
    received: Summary | None = None
    recent: list[Exchange] = field(default_factory=list)
    #: Loans and bookings, apart from hand-overs: as lender (provider) and as borrower.
    lent: SharingFigures | None = None
    borrowed: SharingFigures | None = None


def get_organisation_for_impact(user, org_id: int) -> Organisation:
    """The organisation when the user may see its figures: its members, coordinators, admins.
    NotFound for an unknown id; PermissionDenied (403) for members of other organisations."""
    organisation = db.session.get(Organisation, org_id)
    if organisation is None:
        raise NotFound()
    authorise_report_filters(user, ReportFilters(organisation_id=org_id))
    return organisation


def _side_filters(filters: ReportFilters, org_id: int, side: str) -> ReportFilters:
    return replace(filters, organisation_id=org_id, side=side)


def get_organisation_impact(user, org_id: int, args: Mapping[str, str]) -> OrganisationImpact:
    """Given and received figures for the period in `args`, and the latest hand-overs in it."""
    organisation = get_organisation_for_impact(user, org_id)
    request = read_report_request(args, PERIOD_ARGS)
    impact = OrganisationImpact(organisation, request, request.filters)
    if request.filters is None:
        return impact
    filters = authorise_report_filters(user, replace(request.filters, organisation_id=org_id))
    impact.filters = filters
    impact.given = summarise(_side_filters(filters, org_id, "given"))
    impact.received = summarise(_side_filters(filters, org_id, "received"))
    impact.recent = list_recent_exchanges(filters)
    impact.lent = summarise_sharing(_side_filters(filters, org_id, "given"))
    impact.borrowed = summarise_sharing(_side_filters(filters, org_id, "received"))
    return impact


def list_recent_exchanges(filters: ReportFilters, limit: int = RECENT_EXCHANGES) -> list[Exchange]:
    """The latest completed exchanges the filters count (same conditions as the figures)."""
    stmt = (
        scoped(select(Exchange), filters)
        .order_by(Exchange.completed_at.desc(), Exchange.id.desc())
        .limit(limit)
    )
    return list(db.session.execute(stmt).unique().scalars())


@dataclass
class Certificate:
    organisation: Organisation
    side: str  # "given" | "received"
    summary: Summary
    partners: int
    issued_on: date
    sharing: SharingFigures | None = None


def get_certificate(user, org_id: int, args: Mapping[str, str]) -> Certificate:
    """The figures of one side for the period in `args` (ValidationFailed for bad input)."""
    organisation = get_organisation_for_impact(user, org_id)
    request = read_report_request(args, PERIOD_ARGS)
    side = args.get("side") or "given"
    if side not in ("given", "received"):
        request.errors["side"] = [_("Choose given or received.")]
    if request.errors or request.filters is None:
        raise ValidationFailed(request.errors)
    filters = authorise_report_filters(user, _side_filters(request.filters, org_id, side))
    summary = summarise(filters)
    # The organisation itself is one of the distinct providers and receivers it took part with.
    partners = max(summary.organisations - 1, 0) if summary.exchanges else 0
    sharing = summarise_sharing(filters)
    return Certificate(organisation, side, summary, partners, today(), sharing)
