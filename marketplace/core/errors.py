"""Domain errors raised by services; web views flash them, the API turns them into JSON errors."""


class DomainError(Exception):
    """A rule of the domain refused the operation; `message` is meant for people."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str = "", *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class NotFound(DomainError):
    """The object does not exist, or the caller may not know that it does."""

    status = 404
    code = "not_found"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class ValidationFailed(DomainError):
    """Input broke a rule; `fields` maps field names to problems, copied onto forms or into 422s."""

    status = 422
    code = "validation_failed"

    def __init__(self, fields: dict[str, list[str]], message: str = ""):
        super().__init__(message or "; ".join(m for ms in fields.values() for m in ms))
        self.fields = fields


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_requests"

    def __init__(self, message: str = "", retry_after: int = 60):
        super().__init__(message)
        self.retry_after = retry_after


def raise_access_errors(error: DomainError) -> None:
    """For web views that explain a refusal on the page they return to: a missing right or a
    missing object is not a refusal to explain but a 403 or 404 page (the error handler's), as
    the API answers 403 or 404 JSON."""
    if isinstance(error, PermissionDenied | NotFound):
        raise error
