"""``planbridge powerbi``: ready-to-paste Power Query for a project."""

from __future__ import annotations

from typing import Annotated

import typer

from planbridge.cli import runtime
from planbridge.cli.options import Json, ProjectRef
from planbridge.cli.output import emit
from planbridge.cli.runtime import handles_errors
from planbridge.feeds import powerquery
from planbridge.projects import service as projects

powerbi_app = typer.Typer(help="Power BI and Excel helpers.", no_args_is_help=True)


@powerbi_app.command("snippet")
@handles_errors
def powerbi_snippet(
    project_ref: ProjectRef,
    incremental: Annotated[
        bool, typer.Option("--incremental", help="Use the incremental-refresh template.")
    ] = False,
    limit: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Versions to load (limit=; default 5). Not with --incremental: each partition "
            "asks for its whole range.",
        ),
    ] = None,
    table: Annotated[
        str | None,
        typer.Option(
            help="Return this one table (default with --incremental: tasks; without: the "
            "record of all tables).",
        ),
    ] = None,
    as_json: Json = False,
) -> None:
    """Print one whole Power Query (M) query for a project, for the Advanced Editor.

    It reads the token from a PlanBridgeToken parameter (never printed); --incremental also
    reads Power BI's RangeStart and RangeEnd parameters.
    """
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        project = projects.get_project(session, project_ref)
    text = powerquery.snippet(
        base_url=config.public_url,
        api_id=project.api_id,
        project_name=f"{project.name} ({project.code})",
        incremental=incremental,
        limit=limit,
        table=table,
    )
    if as_json:
        emit({"project": project.code, "m": text}, as_json=True)
    else:
        typer.echo(text, nl=False)
