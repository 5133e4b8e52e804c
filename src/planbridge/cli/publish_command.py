"""``planbridge publish`` and ``planbridge metrics``: versions and the metrics stored with them."""

from __future__ import annotations

from typing import Annotated

import typer

from planbridge.cli import runtime
from planbridge.cli.options import By, Json, ProjectRef
from planbridge.cli.output import emit, progress_bar
from planbridge.cli.runtime import handles_errors
from planbridge.projects import service as projects
from planbridge.publishing import checks
from planbridge.publishing import metrics as metrics_service
from planbridge.publishing import service as publishing

metrics_app = typer.Typer(help="Last Planner metrics stored with versions.", no_args_is_help=True)


@handles_errors
def publish(
    project_ref: ProjectRef,
    name: Annotated[
        str | None, typer.Option(help="Version name (default: 'Week NN YYYY').")
    ] = None,
    comment: Annotated[str | None, typer.Option(help="Comment stored with the version.")] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="Email of the publishing member (default: operator).")
    ] = None,
    as_json: Json = False,
) -> None:
    """Freeze the live plan into a new immutable, numbered version."""
    config = runtime.settings()
    db = runtime.database(config)
    with progress_bar(not as_json) as report, db.transaction() as session:
        project = projects.get_project(session, project_ref)
        now = runtime.now()
        warnings = checks.publish_warnings(session, project, now=now)
        version = publishing.publish(
            session,
            project,
            projects.actor_for(session, by),
            now=now,
            chunk_rows=config.publish_chunk_rows,
            name=name,
            comment=comment,
            progress=lambda done, total: report("publish", done, total),
        )
    emit(
        {
            "version_id": version.id,
            "number": version.number,
            "name": version.name,
            "tasks": version.task_count,
            "published_at": version.published_at,
            "warnings": warnings,
        },
        as_json=as_json,
        text=f"published {project.code} version {version.number} '{version.name}' "
        f"({version.task_count} tasks)" + "".join(f"\nwarning: {w}" for w in warnings),
    )


@metrics_app.command("rebuild")
@handles_errors
def metrics_rebuild(project_ref: ProjectRef, by: By = None, as_json: Json = False) -> None:
    """Recompute every version's metrics (after a formula change). Idempotent."""
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        project = projects.get_project(session, project_ref)
        report = metrics_service.rebuild(
            session, project, projects.actor_for(session, by), chunk_rows=config.publish_chunk_rows
        )
    emit(
        {"project": project.code, "versions": report.versions, "changed": report.changed},
        as_json=as_json,
        text=f"rebuilt metrics of {report.versions} versions of {project.code}; "
        f"{report.changed} changed",
    )
