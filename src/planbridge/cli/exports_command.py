"""``planbridge exports create|list|run``: saved export actions of a project."""

from __future__ import annotations

from typing import Annotated

import typer

from planbridge.cli import runtime
from planbridge.cli.output import emit, table
from planbridge.cli.runtime import handles_errors
from planbridge.connector_api import runs
from planbridge.exports import definition as definitions
from planbridge.exports import service
from planbridge.projects import service as projects

exports_app = typer.Typer(
    help="Export actions: saved CSV/TXT extracts of a feed table, one file per version.",
    no_args_is_help=True,
)

Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
ProjectRef = Annotated[str, typer.Argument(help="Project code, id or feed id.")]
By = Annotated[
    str | None,
    typer.Option("--by", help="Email of the acting project member (default: the operator)."),
]


@exports_app.command("create")
@handles_errors
def exports_create(
    project_ref: ProjectRef,
    name: Annotated[str, typer.Option(help="Shown in the Navigator (1-100 characters).")],
    table_name: Annotated[str, typer.Option("--table", help="A feed table, e.g. tasks.")],
    file_format: Annotated[str, typer.Option("--format", help="csv or txt (tab-separated).")] = (
        "csv"
    ),
    columns: Annotated[
        str | None, typer.Option(help="Comma-separated columns (default: all).")
    ] = None,
    filters: Annotated[
        list[str] | None,
        typer.Option("--filter", help="COLUMN OP VALUE, e.g. 'status eq \"done\"'; repeatable."),
    ] = None,
    versions: Annotated[int, typer.Option(help="How many of the latest versions it covers.")] = 1,
    bom: Annotated[bool, typer.Option("--bom", help="Start files with a UTF-8 BOM.")] = False,
    by: By = None,
    as_json: Json = False,
) -> None:
    """Save an export action (project admins)."""
    definition = definitions.check(
        table=table_name,
        format=file_format,
        columns=[c.strip() for c in columns.split(",")] if columns else None,
        filters=[definitions.parse_filter(f) for f in filters or []],
        versions=versions,
        bom=bom,
    )
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        project = projects.get_project(session, project_ref)
        action = service.create_action(
            session,
            project,
            projects.actor_for(session, by),
            name=name,
            definition=definition,
            now=runtime.now(),
        )
        body = service.action_json(action)
    emit(body, as_json=as_json, text=f"saved export action {action.id} '{action.name}'")


@exports_app.command("list")
@handles_errors
def exports_list(project_ref: ProjectRef, by: By = None, as_json: Json = False) -> None:
    """List a project's export actions."""
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        project = projects.get_project(session, project_ref)
        rows = [
            service.action_json(a)
            for a in service.list_actions(session, project, projects.actor_for(session, by))
        ]
    table(rows, ["id", "name", "table", "format", "versions", "created_by"], as_json=as_json)


@exports_app.command("run")
@handles_errors
def exports_run(
    project_ref: ProjectRef,
    action: Annotated[str, typer.Argument(help="The export action's id or name.")],
    by: By = None,
    as_json: Json = False,
) -> None:
    """Write the action's missing files and print every file's manifest."""
    config = runtime.settings()
    database = runtime.database(config)
    with database.transaction() as session:
        actor = projects.actor_for(session, by)
    result = runs.run(
        database, config, actor, project_ref=project_ref, action_ref=action, now=runtime.now()
    )
    rows = [{**m.as_json(), "path": str(m.path)} for m in result.files]
    table(rows, ["version", "rows", "bytes", "sha256", "written_now", "path"], as_json=as_json)
