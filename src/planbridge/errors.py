"""Typed domain errors. Each carries its wire code, HTTP status, message and hint.

They are mapped to HTTP once (``planbridge.http_errors``) and to one CLI line once
(``planbridge.cli``), so every surface shows the same words.
"""

from __future__ import annotations

from typing import Any, ClassVar


class PlanBridgeError(Exception):
    """Base of every error a user can cause. Never carries a secret."""

    code: ClassVar[str] = "error"
    status: ClassVar[int] = 400
    default_hint: ClassVar[str] = ""

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        headers: dict[str, str] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint if hint is not None else self.default_hint
        self.headers = headers or {}
        self.details = details or {}


class NotFound(PlanBridgeError):
    code = "not_found"
    status = 404


class ProjectNotFound(NotFound):
    code = "project_not_found"
    default_hint = "Check the project id in the feed URL; copy it again from PlanBridge."


class InvalidInput(PlanBridgeError):
    code = "invalid_input"
    status = 422


class Conflict(PlanBridgeError):
    code = "conflict"
    status = 409


class DatabaseNotEmpty(Conflict):
    """A restore would replace the data of a database that already has a schema."""

    code = "database_not_empty"
    default_hint = "add --force to replace it, or set PLANBRIDGE_DATABASE_URL to a new database"


class BackupFailed(PlanBridgeError):
    """A backup or restore could not be made (missing tool, unreadable file, wrong engine)."""

    code = "backup_failed"
    status = 500


class InvalidParameter(PlanBridgeError):
    code = "invalid_parameter"
    status = 400


class TokenInQuery(PlanBridgeError):
    code = "token_in_query"
    status = 400
    default_hint = (
        "Send the token in the header `Authorization: Bearer <token>`, never in the URL. "
        "Revoke this token: URLs end up in logs and browser history."
    )


class InvalidToken(PlanBridgeError):
    """Any authentication failure: missing, malformed, unknown, expired or revoked token."""

    code = "invalid_token"
    status = 401
    default_hint = (
        "Send `Authorization: Bearer <token>` with an active token of this project. "
        "In Power BI use the Anonymous credential kind and put the header in Advanced options."
    )

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(
            message,
            hint=hint,
            headers={
                "WWW-Authenticate": f'Bearer realm="planbridge", error="invalid_token", '
                f'error_description="{message}"'
            },
        )


class Forbidden(PlanBridgeError):
    code = "forbidden"
    status = 403


class NotProjectAdmin(Forbidden):
    code = "not_project_admin"
    default_hint = "Only a project admin may do this; ask one to do it or to promote you."


class NotProjectMember(Forbidden):
    code = "not_project_member"
    default_hint = "Ask a project admin to add you to the project."


class IntegrationDisabled(Forbidden):
    code = "integration_disabled"
    default_hint = "A project admin can enable the Power BI source for this project."


class ProjectSuspended(Forbidden):
    code = "project_suspended"
    default_hint = "The operator suspended this project's feed for fair use; contact them."


class PlanNotEligible(Forbidden):
    code = "plan_not_eligible"
    default_hint = "Only pro and enterprise projects can enable the Power BI source."


class ResponseTooLarge(PlanBridgeError):
    code = "response_too_large"
    status = 422


class RateLimited(PlanBridgeError):
    code = "rate_limited"
    status = 429


class DatabaseUnavailable(PlanBridgeError):
    """The database cannot serve right now (down, read-only, busy): retry later."""

    code = "database_unavailable"
    status = 503
    default_hint = (
        "The database is unavailable for a moment; nothing was changed. Retry after the "
        "number of seconds in Retry-After."
    )
