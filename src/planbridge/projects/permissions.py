"""Who may do what on a project. Every management service calls one of these checks first;
routes, commands and pages never check a role themselves.

Any member reads the plan and edits tasks, links, resources, progress and blockers; project
admins also manage the project's lists, members, feed tokens and Power BI source, prune tasks
and publish versions. The operator (the command line without ``--by``) may do everything. The
role is read from the database in the acting transaction.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from planbridge.actors import CLI, Actor
from planbridge.errors import Forbidden, NotProjectAdmin, NotProjectMember
from planbridge.projects.models import Project, ProjectMember, Role

PERMISSIONS: dict[Role, list[str]] = {
    Role.member: ["read", "edit_plan"],
    Role.admin: ["read", "edit_plan", "manage_lists", "publish"],
}
"""What a role may do, as the Plan API reports it to the caller."""


def role_of(session: Session, project: Project, user_id: int) -> Role | None:
    """The user's current role in the project, or ``None`` when they are not a member."""
    return session.scalar(
        select(ProjectMember.role).where(
            ProjectMember.project_id == project.id, ProjectMember.user_id == user_id
        )
    )


def require_member(session: Session, project: Project, actor: Actor) -> None:
    """Any member of the project (or the operator)."""
    if actor.is_operator:
        return
    assert actor.user_id is not None
    if role_of(session, project, actor.user_id) is None:
        raise NotProjectMember(f"{actor.label} is not a member of project {project.code}.")


def is_admin(session: Session, project: Project, actor: Actor) -> bool:
    if actor.is_operator:
        return True
    assert actor.user_id is not None
    return role_of(session, project, actor.user_id) == Role.admin


def require_admin(session: Session, project: Project, actor: Actor, what: str) -> None:
    """A project admin (or the operator); ``what`` names the action in the refusal.

    The command line names the person and the project (``x is not an admin of project P``);
    the API and pages, whose caller is always a member, name the action refused.
    """
    if actor.is_operator:
        return
    assert actor.user_id is not None
    role = role_of(session, project, actor.user_id)
    if role == Role.admin:
        return
    if role is None or actor.via == CLI:
        raise NotProjectAdmin(f"{actor.label} is not an admin of project {project.code}.")
    raise NotProjectAdmin(
        f"Only project admins may {what}; {actor.label} is a member of {project.code}."
    )


def require_writable(project: Project) -> None:
    """An archived project's plan is read-only, for everyone and through every channel."""
    if project.archived:
        raise Forbidden(f"Project {project.code} is archived; its plan is read-only.")


def require_operator(actor: Actor, what: str) -> None:
    """Actions on the installation itself (projects, users, fair-use switches)."""
    if not actor.is_operator:
        raise Forbidden(f"Only the operator can {what}.")
