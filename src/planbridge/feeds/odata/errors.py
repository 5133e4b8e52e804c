"""Errors of the OData feed. Rendered as OData JSON errors by :mod:`.responses`; ``target``
names the query option or path segment at fault."""

from __future__ import annotations

from planbridge.errors import InvalidParameter, NotFound, PlanBridgeError


class InvalidQuery(InvalidParameter):
    """A query option that is malformed, or names a property or type wrongly."""

    code = "invalid_query"

    def __init__(self, message: str, *, target: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint, details={"target": target})


class NotSupported(InvalidQuery):
    """A valid OData feature this service does not implement (never silently ignored)."""

    code = "not_supported"


class ResourceNotFound(NotFound):
    code = "resource_not_found"

    def __init__(self, message: str, *, target: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint, details={"target": target})


class ServerError(PlanBridgeError):
    code = "internal_error"
    status = 500
    default_hint = "Try again later; if it persists, tell the operator the time of the request."


class MethodNotAllowed(PlanBridgeError):
    code = "method_not_allowed"
    status = 405
    default_hint = "The OData feed is read-only: use GET."
