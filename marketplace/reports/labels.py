"""Labels of report groups in the current language."""

from flask_babel import gettext as _

from marketplace.orgs.models import ORGANISATION_KINDS


def district_label(district: str | None) -> str:
    return district or _("no district")


def organisation_kind_label(kind: str | None) -> str:
    return str(ORGANISATION_KINDS.get(kind or "", kind or _("unknown")))
