"""Who is calling the Plan API: a project member, by personal access token, and what they may do.

Any member reads the plan and edits tasks, links, resources, progress and blockers; only project
admins manage the project's lists and publish versions. The role is read at each request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from planbridge.actors import Actor
from planbridge.context import AppContext, get_context
from planbridge.errors import Forbidden, NotProjectAdmin
from planbridge.integrations import audit, personal_tokens
from planbridge.projects.models import Project, Role
from planbridge.projects.service import get_project
from planbridge.url_tokens import refuse_token_in_query

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="PersonalAccessToken",
    description="A personal access token of a project member: `Authorization: Bearer pbp_...`. "
    "Feed tokens (`pbt_...`) are refused.",
)

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PERMISSIONS = {
    Role.member: ["read", "edit_plan"],
    Role.admin: ["read", "edit_plan", "manage_lists", "publish"],
}


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated request: the project, the member acting, their token and the time."""

    project_id: int
    project_code: str
    actor: Actor
    role: Role
    token_id: int
    token_name: str
    token_expires_at: dt.datetime
    now: dt.datetime

    @property
    def permissions(self) -> list[str]:
        return PERMISSIONS[self.role]

    def project(self, session: Session) -> Project:
        project = session.get(Project, self.project_id)
        assert project is not None
        return project

    def require_admin(self, what: str) -> None:
        if self.role != Role.admin:
            raise NotProjectAdmin(
                f"Only project admins may {what}; {self.actor.label} is a member of "
                f"{self.project_code}."
            )

    def audit(self, session: Session, action: str, subject: str, **details: Any) -> None:
        """Record a write, naming the token it came through."""
        audit.record(
            session,
            self.actor,
            action,
            project_id=self.project_id,
            subject=subject,
            via=f"pat {self.token_id}",
            **details,
        )


def authenticate_caller(
    request: Request,
    ctx: Annotated[AppContext, Depends(get_context)],
    project_code: Annotated[
        str, Path(max_length=40, description="The project's code, e.g. `RIV01`.")
    ],
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    """No token in the URL, a known project, a valid PAT of one of its members (its last use is
    recorded in its own transaction), and no writes to an archived project."""
    refuse_token_in_query(request.query_params.multi_items())
    now = ctx.clock()
    with ctx.db.transaction() as session:
        project = get_project(session, project_code)
        who = personal_tokens.authenticate(
            session, project, request.headers.get("authorization"), now=now
        )
    if project.archived and request.method not in READ_METHODS:
        raise Forbidden(f"Project {project.code} is archived; its plan is read-only.")
    return Caller(
        project_id=project.id,
        project_code=project.code,
        actor=who.actor,
        role=who.role,
        token_id=who.token.id,
        token_name=who.token.name,
        token_expires_at=who.token.expires_at,
        now=now,
    )


CallerDep = Annotated[Caller, Depends(authenticate_caller)]
Context = Annotated[AppContext, Depends(get_context)]
