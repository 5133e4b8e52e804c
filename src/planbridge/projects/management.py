"""Projects and users as an acting user manages them: create a project or a user, archive a
project, change its tier. Each function checks the actor and writes the audit row in the
caller's transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from planbridge import audit
from planbridge.actors import Actor
from planbridge.errors import InvalidInput
from planbridge.projects import service
from planbridge.projects.models import Project, Tier, User
from planbridge.projects.permissions import require_admin, require_operator


def create_project(
    session: Session,
    actor: Actor,
    *,
    name: str,
    code: str,
    organisation: str,
    timezone: str = "UTC",
    tier: str = "pro",
) -> Project:
    require_operator(actor, "create projects")
    project = service.create_project(
        session, name=name, code=code, organisation=organisation, timezone=timezone, tier=tier
    )
    audit.record(session, actor, "project.create", project_id=project.id, subject=project.code)
    return project


def create_user(
    session: Session, actor: Actor, *, email: str, name: str, organisation: str
) -> User:
    require_operator(actor, "create users")
    user = service.create_user(session, email=email, name=name, organisation=organisation)
    audit.record(session, actor, "user.create", subject=user.email)
    return user


def set_archived(session: Session, project: Project, actor: Actor, *, archived: bool) -> None:
    """An archived project's plan is read-only over the Plan API; its feed keeps serving."""
    require_admin(session, project, actor, "archive the project")
    project.archived = archived
    session.flush()
    audit.record(
        session,
        actor,
        "project.archive" if archived else "project.unarchive",
        project_id=project.id,
        subject=project.code,
    )


def set_tier(session: Session, project: Project, actor: Actor, tier: str) -> None:
    require_operator(actor, "change a project's tier")
    if tier not in Tier.__members__:
        raise InvalidInput(f"Unknown tier '{tier}'.", hint="Allowed: free, pro, enterprise.")
    before = project.tier
    project.tier = Tier(tier)
    session.flush()
    audit.record(
        session,
        actor,
        "project.tier",
        project_id=project.id,
        subject=project.code,
        tier=tier,
        previous=before.value,
    )
