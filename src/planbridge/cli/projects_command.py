"""``planbridge projects`` and ``planbridge members``: projects and who works on them."""

from __future__ import annotations

from typing import Annotated

import typer

from planbridge.cli import runtime
from planbridge.cli.options import By, Json, ProjectRef, feed_url
from planbridge.cli.output import emit, table
from planbridge.cli.runtime import handles_errors
from planbridge.projects import management, members
from planbridge.projects import service as projects

projects_app = typer.Typer(help="Projects.", no_args_is_help=True)
members_app = typer.Typer(help="Project members.", no_args_is_help=True)


@projects_app.command("list")
@handles_errors
def projects_list(as_json: Json = False) -> None:
    """List projects with their feed URL and state."""
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        rows = [
            {
                "id": p.id,
                "code": p.code,
                "name": p.name,
                "tier": p.tier.value,
                "integration": "enabled" if p.integration_enabled else "disabled",
                "feed": "suspended" if p.feed_suspended else "serving",
                "archived": p.archived,
                "feed_url": feed_url(config, p),
            }
            for p in projects.list_projects(session)
        ]
    table(rows, ["id", "code", "name", "tier", "integration", "feed", "feed_url"], as_json=as_json)


@projects_app.command("create")
@handles_errors
def projects_create(
    name: Annotated[str, typer.Option(help="Project name.")],
    code: Annotated[str, typer.Option(help="Short code, e.g. RIV01.")],
    organisation: Annotated[str, typer.Option("--org", help="Organisation name.")] = "Default",
    timezone: Annotated[str, typer.Option(help="IANA timezone.")] = "UTC",
    tier: Annotated[str, typer.Option(help="free, pro or enterprise.")] = "pro",
    as_json: Json = False,
) -> None:
    """Create a project (with a Monday-Friday calendar)."""
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        project = management.create_project(
            session,
            projects.actor_for(session, None),
            name=name,
            code=code,
            organisation=organisation,
            timezone=timezone,
            tier=tier,
        )
    emit(
        {"id": project.id, "code": project.code, "feed_url": feed_url(config, project)},
        as_json=as_json,
        text=f"created project {project.code} (id {project.id}); "
        f"feed URL {feed_url(config, project)}",
    )


@members_app.command("add")
@handles_errors
def members_add(
    project_ref: ProjectRef,
    email: Annotated[str, typer.Argument(help="The user's email.")],
    role: Annotated[str, typer.Option(help="admin or member.")] = "member",
    by: By = None,
    as_json: Json = False,
) -> None:
    """Add a user to a project (or change their role)."""
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        project = projects.get_project(session, project_ref)
        members.add(session, project, projects.actor_for(session, by), email, role)
        user_email = projects.get_user(session, email).email
    _member_changed(project.code, user_email, role, as_json)


def _member_changed(code: str, email: str, role: str, as_json: bool) -> None:
    emit(
        {"project": code, "email": email, "role": role},
        as_json=as_json,
        text=f"{email} is now {role} of {code}",
    )


@members_app.command("role")
@handles_errors
def members_role(
    project_ref: ProjectRef,
    email: Annotated[str, typer.Argument(help="The member's email.")],
    role: Annotated[str, typer.Option(help="admin or member.")],
    by: By = None,
    as_json: Json = False,
) -> None:
    """Change a member's role. The last admin of a project cannot be demoted."""
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        project = projects.get_project(session, project_ref)
        members.change_role(session, project, projects.actor_for(session, by), email, role)
        user_email = projects.get_user(session, email).email
    _member_changed(project.code, user_email, role, as_json)


@members_app.command("remove")
@handles_errors
def members_remove(
    project_ref: ProjectRef,
    email: Annotated[str, typer.Argument(help="The member's email.")],
    by: By = None,
    as_json: Json = False,
) -> None:
    """Remove a member from a project. The last admin of a project cannot be removed."""
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        project = projects.get_project(session, project_ref)
        members.remove(session, project, projects.actor_for(session, by), email)
    emit(
        {"project": project.code, "email": email, "removed": True},
        as_json=as_json,
        text=f"{email} is no longer a member of {project.code}",
    )


@projects_app.command("archive")
@handles_errors
def projects_archive(project_ref: ProjectRef, by: By = None, as_json: Json = False) -> None:
    """Archive a project: its plan becomes read-only over the Plan API."""
    _archive(project_ref, by, True, as_json)


@projects_app.command("unarchive")
@handles_errors
def projects_unarchive(project_ref: ProjectRef, by: By = None, as_json: Json = False) -> None:
    """Make an archived project's plan writable again."""
    _archive(project_ref, by, False, as_json)


def _archive(project_ref: str, by: str | None, archived: bool, as_json: bool) -> None:
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        project = projects.get_project(session, project_ref)
        management.set_archived(
            session, project, projects.actor_for(session, by), archived=archived
        )
    state = "archived" if archived else "active"
    emit(
        {"project": project.code, "archived": archived},
        as_json=as_json,
        text=f"project {project.code} {state}",
    )


@projects_app.command("tier")
@handles_errors
def projects_tier(
    project_ref: ProjectRef,
    tier: Annotated[str, typer.Argument(help="free, pro or enterprise.")],
    as_json: Json = False,
) -> None:
    """Change a project's tier (operator). The free tier has no Power BI source."""
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        project = projects.get_project(session, project_ref)
        management.set_tier(session, project, projects.actor_for(session, None), tier)
    emit(
        {"project": project.code, "tier": tier},
        as_json=as_json,
        text=f"project {project.code} is now on the {tier} tier",
    )
