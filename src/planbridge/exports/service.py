"""Export actions: save, list, find and delete them (admins manage, members read), plan a run
and record what it wrote. Functions flush, never commit; each change writes its audit row in
the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planbridge import audit
from planbridge.actors import Actor
from planbridge.errors import Conflict, InvalidInput, NotFound, ResponseTooLarge
from planbridge.exports import definition as definitions
from planbridge.exports.definition import Definition
from planbridge.exports.models import ExportAction, ExportFile
from planbridge.projects.models import Project
from planbridge.projects.permissions import require_admin, require_member
from planbridge.publishing.models import Version


class ExportActionNotFound(NotFound):
    code = "export_action_not_found"
    default_hint = "List the project's export actions: planbridge exports list PROJECT"


class NoPublishedVersion(NotFound):
    code = "no_published_version"
    default_hint = "Publish a version of the plan first; an export reads published versions."


class DownloadTooLarge(ResponseTooLarge):
    code = "download_too_large"
    default_hint = (
        "Narrow the export action (fewer columns, a filter, fewer versions), or ask the "
        "operator about PLANBRIDGE_EXPORT_MAX_MB."
    )


def cap_bytes(max_mb: float) -> int:
    return int(max_mb * 1024 * 1024)


def size_words(max_mb: float) -> str:
    """``5120`` → ``5 GB``; sizes that are not whole GiB are said in MB."""
    if max_mb >= 1024 and max_mb % 1024 == 0:
        return f"{int(max_mb // 1024)} GB"
    return f"{max_mb:g} MB"


def too_large(max_mb: float) -> DownloadTooLarge:
    return DownloadTooLarge(
        f"PlanBridge supports file downloads up to {size_words(max_mb)} in size.",
        details={"max_bytes": cap_bytes(max_mb)},
    )


@dataclass(frozen=True, slots=True)
class RunPlan:
    action: ExportAction
    definition: Definition
    versions: list[Version]
    """Newest first: the versions the action covers now."""
    written: dict[int, ExportFile]
    """Files already written, by version id."""


def definition_of(action: ExportAction) -> Definition:
    return definitions.check(
        table=action.table_name,
        format=action.format,
        columns=action.columns,
        filters=action.filters,
        versions=action.versions,
        bom=action.bom,
    )


def create_action(
    session: Session,
    project: Project,
    actor: Actor,
    *,
    name: str,
    definition: Definition,
    now: dt.datetime,
) -> ExportAction:
    require_admin(session, project, actor, "save export actions")
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise InvalidInput(
            "An export action's name must have 1 to 100 characters.",
            hint="Name it after what it holds, e.g. 'Open tasks'.",
        )
    if _by_name(session, project, name) is not None:
        raise Conflict(
            f"Project {project.code} already has an export action named '{name}'.",
            hint="Choose another name, or delete the old action first.",
        )
    all_columns = definition.columns == definition.table.column_names
    action = ExportAction(
        project_id=project.id,
        name=name,
        table_name=definition.table.name,
        format=definition.format,
        columns=None if all_columns else list(definition.columns),
        filters=[f.as_json() for f in definition.filters],
        versions=definition.versions,
        bom=definition.bom,
        created_by=actor.label,
        created_at=now,
    )
    session.add(action)
    session.flush()
    audit.record(
        session,
        actor,
        "export_action.create",
        project_id=project.id,
        subject=name,
        table=action.table_name,
        format=action.format,
    )
    return action


def list_actions(session: Session, project: Project, actor: Actor) -> list[ExportAction]:
    require_member(session, project, actor)
    return list(
        session.scalars(
            select(ExportAction)
            .where(ExportAction.project_id == project.id)
            .order_by(ExportAction.name)
        )
    )


def get_action(session: Session, project: Project, actor: Actor, ref: str) -> ExportAction:
    """An action of the project by id or by name."""
    require_member(session, project, actor)
    action = None
    if ref.isdigit():
        action = session.scalar(
            select(ExportAction).where(
                ExportAction.project_id == project.id, ExportAction.id == int(ref)
            )
        )
    action = action or _by_name(session, project, ref)
    if action is None:
        raise ExportActionNotFound(f"Project {project.code} has no export action '{ref}'.")
    return action


def delete_action(session: Session, project: Project, actor: Actor, action: ExportAction) -> None:
    require_admin(session, project, actor, "delete export actions")
    audit.record(session, actor, "export_action.delete", project_id=project.id, subject=action.name)
    session.delete(action)
    session.flush()


def plan_run(
    session: Session,
    project: Project,
    actor: Actor,
    action: ExportAction,
    *,
    now: dt.datetime,
    history_days: int,
) -> RunPlan:
    """The versions a run covers now and the files already written for them. Reads only
    published versions, so it never waits for the live plan."""
    require_member(session, project, actor)
    cutoff = now - dt.timedelta(days=history_days)
    versions = list(
        session.scalars(
            select(Version)
            .where(Version.project_id == project.id, Version.published_at >= cutoff)
            .order_by(Version.published_at.desc(), Version.number.desc())
            .limit(action.versions)
        )
    )
    if not versions:
        raise NoPublishedVersion(
            f"Project {project.code} has no version published in the last {history_days} days."
        )
    return RunPlan(action, definition_of(action), versions, files_by_version(session, action))


def files_by_version(session: Session, action: ExportAction) -> dict[int, ExportFile]:
    rows = session.scalars(select(ExportFile).where(ExportFile.action_id == action.id))
    return {f.version_id: f for f in rows}


def record_run(
    session: Session,
    project: Project,
    actor: Actor,
    action: ExportAction,
    files: Sequence[ExportFile],
) -> None:
    """Record newly written files and audit the run; a run that wrote nothing (every file
    existed: a repeated preview or download) leaves no row."""
    if not files:
        return
    for file in files:
        session.add(file)
    session.flush()
    audit.record(
        session,
        actor,
        "export_action.run",
        project_id=project.id,
        subject=action.name,
        files_written=len(files),
    )


def action_json(action: ExportAction) -> dict[str, Any]:
    definition = definition_of(action)
    types = {c.name: c.type for c in definition.table.columns}
    return {
        "id": action.id,
        "name": action.name,
        "table": action.table_name,
        "format": action.format,
        "columns": list(definition.columns),
        "column_types": [types[name] for name in definition.columns],
        "filters": action.filters,
        "versions": action.versions,
        "bom": action.bom,
        "created_by": action.created_by,
        "created_at": action.created_at.isoformat().replace("+00:00", "Z"),
    }


def _by_name(session: Session, project: Project, name: str) -> ExportAction | None:
    return session.scalar(
        select(ExportAction).where(ExportAction.project_id == project.id, ExportAction.name == name)
    )
