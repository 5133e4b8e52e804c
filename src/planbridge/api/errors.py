"""Errors only the Plan API raises: the preconditions of optimistic concurrency."""

from __future__ import annotations

from planbridge.errors import PlanBridgeError


class PreconditionRequired(PlanBridgeError):
    code = "precondition_required"
    status = 428
    default_hint = (
        'GET the task, then send its ETag back as `If-Match: "<row_version>"` so that '
        "two tools cannot silently overwrite each other."
    )


class VersionMismatch(PlanBridgeError):
    code = "version_mismatch"
    status = 412
    default_hint = (
        "Someone changed the task since you read it: GET it again, re-apply your change, and "
        "send the new ETag."
    )
