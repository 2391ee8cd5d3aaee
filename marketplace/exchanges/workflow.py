"""The exchange state machine: which side may do what from which status (pure: no Flask, no db).

(new) --propose[receiver]--> proposed --accept[provider]--> accepted --complete[both]--> completed
                             proposed --decline[provider]--> declined
                             proposed, accepted --cancel[both]--> cancelled
"""

from dataclasses import dataclass

from marketplace.core.errors import InvalidTransition, PermissionDenied

PROVIDER = "provider"
RECEIVER = "receiver"
ROLES = (PROVIDER, RECEIVER)

ACTIONS = ("propose", "accept", "decline", "cancel", "complete")
STATUSES = ("proposed", "accepted", "declined", "cancelled", "completed")
#: Statuses from which nothing happens any more.
FINAL_STATUSES = frozenset({"declined", "cancelled", "completed"})


@dataclass(frozen=True)
class Rule:
    to_status: str
    from_statuses: frozenset[str | None]
    roles: frozenset[str]


RULES: dict[str, Rule] = {
    "propose": Rule("proposed", frozenset({None}), frozenset({RECEIVER})),
    "accept": Rule("accepted", frozenset({"proposed"}), frozenset({PROVIDER})),
    "decline": Rule("declined", frozenset({"proposed"}), frozenset({PROVIDER})),
    "cancel": Rule("cancelled", frozenset({"proposed", "accepted"}), frozenset(ROLES)),
    "complete": Rule("completed", frozenset({"accepted"}), frozenset(ROLES)),
}


def next_status(action: str, status: str | None, role: str | None) -> str:
    """The status after `action`; PermissionDenied when the role may never do it (403),
    InvalidTransition when not from this status (409)."""
    rule = RULES.get(action)
    if rule is None:
        raise InvalidTransition(f"Unknown action {action!r}.")
    if role not in rule.roles:
        raise PermissionDenied(_ROLE_MESSAGES[action])
    if status not in rule.from_statuses:
        raise InvalidTransition(_status_message(action, status))
    return rule.to_status


def can(action: str, status: str | None, role: str | None) -> bool:
    rule = RULES.get(action)
    return rule is not None and role in rule.roles and status in rule.from_statuses


def allowed_actions(status: str | None, role: str | None) -> list[str]:
    """What `role` may do now, in the order the page offers it."""
    return [action for action in ACTIONS if action != "propose" and can(action, status, role)]


# Messages are plain English here (this module imports no Flask); services translate by `code`.
_ROLE_MESSAGES = {
    "propose": "Only another organisation can propose to take an offer.",
    "accept": "Only the offering organisation can accept.",
    "decline": "Only the offering organisation can decline.",
    "cancel": "Only the two organisations of the exchange can cancel it.",
    "complete": "Only the two organisations of the exchange can confirm the hand-over.",
}


def _status_message(action: str, status: str | None) -> str:
    return f"This exchange is {status or 'new'}; it cannot be {_PAST[action]} now."


_PAST = {
    "propose": "proposed",
    "accept": "accepted",
    "decline": "declined",
    "cancel": "cancelled",
    "complete": "completed",
}
