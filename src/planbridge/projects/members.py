"""A project's members as an acting user manages them: add, change a role, remove. Each
function checks that the actor is a project admin (or the operator), refuses to leave a project
that has admins without one, and writes the audit row in the caller's transaction."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planbridge import audit
from planbridge.actors import Actor
from planbridge.errors import Conflict, InvalidInput, NotFound
from planbridge.projects import service
from planbridge.projects.models import Project, ProjectMember, Role, User
from planbridge.projects.permissions import require_admin

MANAGE = "manage the project's members"


def _role(role: str) -> Role:
    if role not in Role.__members__:
        raise InvalidInput(f"Unknown role '{role}'.", hint="Allowed: admin, member.")
    return Role(role)


def _membership(session: Session, project: Project, user: User) -> ProjectMember | None:
    return session.scalar(
        select(ProjectMember).where(
            ProjectMember.project_id == project.id, ProjectMember.user_id == user.id
        )
    )


def _admins(session: Session, project: Project) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(ProjectMember)
            .where(ProjectMember.project_id == project.id, ProjectMember.role == Role.admin)
        )
        or 0
    )


def _keep_an_admin(session: Session, project: Project, member: ProjectMember, what: str) -> None:
    """Refuse to take away the project's last admin (the operator can still add one)."""
    if member.role == Role.admin and _admins(session, project) <= 1:
        raise Conflict(
            f"Cannot {what} the last admin of project {project.code}.",
            hint="Make another member an admin first.",
        )


def add(session: Session, project: Project, actor: Actor, email: str, role: str) -> ProjectMember:
    """Add a user to the project, or set the role of one who is already a member."""
    require_admin(session, project, actor, MANAGE)
    user = service.get_user(session, email)
    wanted = _role(role)
    existing = _membership(session, project, user)
    if existing is not None and wanted != Role.admin:
        _keep_an_admin(session, project, existing, "demote")
    member = service.add_member(session, project, user, wanted.value)
    audit.record(session, actor, "member.add", project_id=project.id, subject=user.email, role=role)
    return member


def change_role(
    session: Session, project: Project, actor: Actor, email: str, role: str
) -> ProjectMember:
    require_admin(session, project, actor, MANAGE)
    user = service.get_user(session, email)
    wanted = _role(role)
    member = _membership(session, project, user)
    if member is None:
        raise NotFound(f"{user.email} is not a member of project {project.code}.")
    if wanted != Role.admin:
        _keep_an_admin(session, project, member, "demote")
    before = member.role
    member.role = wanted
    session.flush()
    audit.record(
        session,
        actor,
        "member.role",
        project_id=project.id,
        subject=user.email,
        role=wanted.value,
        previous=before.value,
    )
    return member


def remove(session: Session, project: Project, actor: Actor, email: str) -> None:
    require_admin(session, project, actor, MANAGE)
    user = service.get_user(session, email)
    member = _membership(session, project, user)
    if member is None:
        raise NotFound(f"{user.email} is not a member of project {project.code}.")
    _keep_an_admin(session, project, member, "remove")
    session.delete(member)
    session.flush()
    audit.record(session, actor, "member.remove", project_id=project.id, subject=user.email)
