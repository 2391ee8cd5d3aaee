"""What each audit action is called on the page and in the export."""

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "function.verify": _l("Function verified"),
    "function.unverify": _l("Verification withdrawn"),
    "listing.hide": _l("Listing hidden"),
    "listing.restore": _l("Listing shown again"),
    "listing.uphold": _l("Hiding upheld"),
    "reports.dismiss": _l("Reports dismissed"),
    "account.limits": _l("Account limits changed"),
    "account.freeze": _l("Account frozen"),
    "account.unfreeze": _l("Account unfrozen"),
    "exchange.brokered": _l("Exchange proposed for others"),
}
