"""Optimistic concurrency: a task's ETag is its ``row_version``; writes must send it back."""

from __future__ import annotations

from planbridge.api.errors import PreconditionRequired, VersionMismatch
from planbridge.errors import InvalidParameter
from planbridge.planning.models import Task


def etag(task: Task) -> str:
    return f'"{task.row_version}"'


def sent_versions(if_match: str) -> list[int]:
    """The versions in an ``If-Match`` header: ``"3"``, ``3`` or ``W/"3"``, comma-separated."""
    versions = []
    for raw in if_match.split(","):
        value = raw.strip().removeprefix("W/").strip('"').strip()
        if not value.isdigit():
            raise InvalidParameter(
                f"If-Match '{if_match}' is not a task version.",
                hint='Send the ETag of the task as you read it, e.g. If-Match: "3". '
                "'*' is not accepted: it would overwrite changes you have not seen.",
                details={"field": "If-Match"},
            )
        versions.append(int(value))
    return versions


def require_match(if_match: str | None, task: Task) -> None:
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(
            f"Changing task {task.activity_id} needs an If-Match header with its version.",
            details={"current_version": task.row_version},
        )
    sent = sent_versions(if_match)
    if task.row_version not in sent:
        raise VersionMismatch(
            f"Task {task.activity_id} is at version {task.row_version}, not "
            f"{', '.join(str(v) for v in sent)}: it changed since you read it.",
            headers={"ETag": etag(task)},
            details={"current_version": task.row_version, "sent_versions": sent},
        )
