"""``planbridge audit``: the audit log of management actions."""

from __future__ import annotations

from typing import Annotated

import typer

from planbridge import audit
from planbridge.cli import runtime
from planbridge.cli.options import Json
from planbridge.cli.output import table
from planbridge.cli.runtime import handles_errors
from planbridge.projects import service as projects

audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)


@audit_app.command("list")
@handles_errors
def audit_list(
    project_ref: Annotated[str | None, typer.Argument(help="Project (default: all).")] = None,
    as_json: Json = False,
) -> None:
    """Show the audit log of management actions."""
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        project_id = projects.get_project(session, project_ref).id if project_ref else None
        rows = [
            {
                "id": e.id,
                "at": e.at,
                "actor": e.actor,
                "action": e.action,
                "subject": e.subject,
                "details": e.details,
            }
            for e in audit.events(session, project_id)
        ]
    table(rows, ["id", "at", "actor", "action", "subject"], as_json=as_json)
