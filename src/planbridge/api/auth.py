"""Who is calling the Plan API: a project member, by personal access token, and what they may do.

What a role may do is decided by the services (``projects/permissions.py``), which check it in
each write's own transaction; the caller's role here is only reported back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from planbridge.actors import Actor
from planbridge.context import AppContext, get_context
from planbridge.errors import Forbidden
from planbridge.integrations import personal_tokens
from planbridge.projects.models import Project, Role
from planbridge.projects.permissions import PERMISSIONS
from planbridge.projects.service import get_project
from planbridge.url_tokens import refuse_token_in_query

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="PersonalAccessToken",
    description="A personal access token of a project member: `Authorization: Bearer pbp_...`. "
    "Feed tokens (`pbt_...`) are refused.",
)

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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
