"""The coordinator check, once: features that show or change every organisation's data (the
match board and allocation, moderation, the local currency's accounts, regional reports,
brokered proposals, verified functions) refuse anyone else with a PermissionDenied (a 403 page,
or 403 JSON from the API), each with its own explanation."""

from marketplace.core.errors import PermissionDenied


def require_coordinator(user, message: str) -> None:
    """PermissionDenied(message) unless `user` is a coordinator or an admin (None and anonymous
    visitors are neither)."""
    if not getattr(user, "is_coordinator", False):
        raise PermissionDenied(message)
