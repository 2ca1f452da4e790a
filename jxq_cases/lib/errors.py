"""Domain errors with codes. The API maps each code to an HTTP status; pages show the message."""

from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID = "invalid"  # bad input: 400
    FORBIDDEN = "forbidden"  # the actor may not do this: 403
    NOT_FOUND = "not_found"  # not visible to the actor: 404
    ILLEGAL_TRANSITION = "illegal_transition"  # not allowed in the ticket's current state: 409
    CONFLICT = "conflict"  # lost a race or duplicates existing data: 409
    TOO_LARGE = "too_large"  # an upload over the size limit: 413
    UNAVAILABLE = "unavailable"  # a service we depend on (the job queue) is down; try later: 503


HTTP_STATUS = {
    ErrorCode.INVALID: 400,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.ILLEGAL_TRANSITION: 409,
    ErrorCode.CONFLICT: 409,
    ErrorCode.TOO_LARGE: 413,
    ErrorCode.UNAVAILABLE: 503,
}


class DomainError(Exception):
    """A refusal the user can act on: ``code`` decides the HTTP status, ``detail`` says why."""

    def __init__(self, code: ErrorCode, detail: str, *, errors: list | dict | None = None):
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.errors = errors

    def as_dict(self) -> dict:
        body = {"code": str(self.code), "detail": str(self.detail)}
        if self.errors is not None:
            body["errors"] = self.errors
        return body
