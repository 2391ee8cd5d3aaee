"""The booking state machine: which side may do what from which status (pure: no Flask, no db).

(new) --request[borrower]--> requested --accept[provider]--> accepted --checkout[provider]--> active
      requested --decline[provider]--> declined
      requested, accepted --cancel[both]--> cancelled
      active --return[provider]--> returned
An extension (a later end) is asked for by the borrower while accepted or active and answered by
the provider; it does not change the status. "Overdue" is not a status: it is an active booking
past its end.
"""

from dataclasses import dataclass

from marketplace.core.errors import InvalidTransition, PermissionDenied

PROVIDER = "provider"
BORROWER = "borrower"
ROLES = (PROVIDER, BORROWER)

ACTIONS = (
    "request",
    "accept",
    "decline",
    "checkout",
    "return",
    "cancel",
    "extend",
    "answer_extension",
)
FINAL_STATUSES = frozenset({"declined", "cancelled", "returned"})


@dataclass(frozen=True)
class Rule:
    to_status: str | None  # None: the status stays
    from_statuses: frozenset[str | None]
    roles: frozenset[str]


RULES: dict[str, Rule] = {
    "request": Rule("requested", frozenset({None}), frozenset({BORROWER})),
    "accept": Rule("accepted", frozenset({"requested"}), frozenset({PROVIDER})),
    "decline": Rule("declined", frozenset({"requested"}), frozenset({PROVIDER})),
    "checkout": Rule("active", frozenset({"accepted"}), frozenset({PROVIDER})),
    "return": Rule("returned", frozenset({"active"}), frozenset({PROVIDER})),
    "cancel": Rule("cancelled", frozenset({"requested", "accepted"}), frozenset(ROLES)),
    "extend": Rule(None, frozenset({"accepted", "active"}), frozenset({BORROWER})),
    "answer_extension": Rule(None, frozenset({"accepted", "active"}), frozenset({PROVIDER})),
}


def next_status(action: str, status: str | None, role: str | None) -> str | None:
    """The status after `action` (None: unchanged); PermissionDenied when the role may never do
    it (403), InvalidTransition when not from this status (409)."""
    rule = RULES.get(action)
    if rule is None:
        raise InvalidTransition(f"Unknown action {action!r}.")
    if role not in rule.roles:
        raise PermissionDenied(f"The {role or 'caller'} may not {action} this booking.")
    if status not in rule.from_statuses:
        raise InvalidTransition(f"This booking is {status or 'new'}; it cannot {action} now.")
    return rule.to_status if rule.to_status is not None else status


def can(action: str, status: str | None, role: str | None) -> bool:
    rule = RULES.get(action)
    return rule is not None and role in rule.roles and status in rule.from_statuses


def allowed_actions(status: str | None, role: str | None) -> list[str]:
    """What `role` may do now, in the order a page offers it."""
    return [action for action in ACTIONS if action != "request" and can(action, status, role)]
