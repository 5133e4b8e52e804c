"""``planbridge integration`` and ``planbridge feed``: the Power BI source switch and the
operator's fair-use controls."""

from __future__ import annotations

from typing import Annotated

import typer

from planbridge.cli import runtime
from planbridge.cli.options import By, Json, ProjectRef, feed_url
from planbridge.cli.output import emit
from planbridge.cli.runtime import handles_errors
from planbridge.integrations import service as integrations
from planbridge.projects import service as projects

integration_app = typer.Typer(help="The Power BI source switch of a project.", no_args_is_help=True)
feed_app = typer.Typer(help="Operator controls of a project's feed.", no_args_is_help=True)


def _switch(project_ref: str, by: str | None, enabled: bool, as_json: bool) -> None:
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        project = projects.get_project(session, project_ref)
        integrations.set_integration(
            session, project, projects.actor_for(session, by), enabled=enabled
        )
    state = "enabled" if enabled else "disabled"
    emit(
        {"project": project.code, "integration": state, "feed_url": feed_url(config, project)},
        as_json=as_json,
        text=f"Power BI source of {project.code} {state}; feed URL {feed_url(config, project)}",
    )


@integration_app.command("enable")
@handles_errors
def integration_enable(project_ref: ProjectRef, by: By = None, as_json: Json = False) -> None:
    """Switch the Power BI source on (pro and enterprise projects only)."""
    _switch(project_ref, by, True, as_json)


@integration_app.command("disable")
@handles_errors
def integration_disable(project_ref: ProjectRef, by: By = None, as_json: Json = False) -> None:
    """Switch the Power BI source off: the feed answers 403 integration_disabled."""
    _switch(project_ref, by, False, as_json)


def _suspend(project_ref: str, suspended: bool, reason: str | None, as_json: bool) -> None:
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        project = projects.get_project(session, project_ref)
        integrations.set_feed_suspended(
            session, project, projects.actor_for(session, None), suspended=suspended, reason=reason
        )
    state = "suspended" if suspended else "serving"
    emit(
        {"project": project.code, "feed": state},
        as_json=as_json,
        text=f"feed of {project.code} {state}",
    )


@feed_app.command("suspend")
@handles_errors
def feed_suspend(
    project_ref: ProjectRef,
    reason: Annotated[str | None, typer.Option(help="Shown to the feed's clients.")] = None,
    as_json: Json = False,
) -> None:
    """Suspend a project's feed (403 project_suspended) for fair use."""
    _suspend(project_ref, True, reason, as_json)


@feed_app.command("resume")
@handles_errors
def feed_resume(project_ref: ProjectRef, as_json: Json = False) -> None:
    """Resume a suspended feed."""
    _suspend(project_ref, False, None, as_json)
