"""record_action: called by the services of coordinators' and admins' actions, in the same
transaction, so that an action and its entry commit or roll back together."""

from marketplace.audit.models import ACTIONS, AuditEntry
from marketplace.extensions import db


def record_action(
    actor, action: str, *, organisation_id: int | None = None, subject: str = "", details=""
) -> AuditEntry:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = AuditEntry(
        actor_id=actor.id,
        actor_name=(actor.name or actor.email or "")[:200],
        actor_role=actor.role,
        action=action,
        organisation_id=organisation_id,
        subject=subject[:200],
        details=str(details)[:4000],
    )
    db.session.add(entry)
    return entry
