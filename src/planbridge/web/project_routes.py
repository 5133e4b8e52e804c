"""Pages of projects: the list, a project's home, its members and its audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from planbridge.context import get_context
from planbridge.errors import Conflict, InvalidInput, NotFound, PlanBridgeError
from planbridge.integrations import audit_log
from planbridge.projects import members, membership
from planbridge.projects.models import User
from planbridge.web.auth import Form, Posted, SignedIn, actor
from planbridge.web.overview import open_project, summary
from planbridge.web.rendering import render
from planbridge.web.routing import PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)
NOTICES = {
    "added": "Member added.",
    "role": "Role changed.",
    "removed": "Member removed.",
}


@router.get("/projects")
def projects_page(request: Request, current: SignedIn) -> Response:
    ctx = get_context(request)
    with ctx.db.transaction() as session:
        rows = [
            summary(session, project, role)
            for project, role in membership.projects_of(session, current.user.id)
        ]
    return render(request, "projects.html", current=current, projects=rows)


@router.get("/projects/{code}")
def project_home(request: Request, code: str, current: SignedIn) -> Response:
    ctx = get_context(request)
    with ctx.db.transaction() as session:
        view = open_project(session, code, current)
        info = summary(session, view.project, view.role)
    return render(
        request, "project.html", current=current, view=view, info=info, section="overview"
    )


def _members_page(
    request: Request,
    code: str,
    current: SignedIn,
    *,
    error: PlanBridgeError | None = None,
    notice: str | None = None,
    email: str = "",
) -> Response:
    ctx = get_context(request)
    with ctx.db.transaction() as session:
        view = open_project(session, code, current)
        members = membership.list_members(session, view.project, actor(current))
    return render(
        request,
        "members.html",
        current=current,
        view=view,
        members=members,
        section="members",
        error=error,
        notice=NOTICES.get(notice or ""),
        email=email,
        status=error.status if error else 200,
    )


@router.get("/projects/{code}/members")
def members_page(
    request: Request, code: str, current: SignedIn, notice: str | None = None
) -> Response:
    return _members_page(request, code, current, notice=notice)


def _member_change(
    request: Request, code: str, current: Posted, form: dict[str, str], do: str
) -> Response:
    ctx = get_context(request)
    try:
        with ctx.db.transaction() as session:
            view = open_project(session, code, current)
            who = actor(current)
            if do == "added":
                members.add(
                    session, view.project, who, form.get("email", ""), form.get("role", "member")
                )
            else:
                email = _member_email(session, form)
                if do == "role":
                    members.change_role(session, view.project, who, email, form.get("role", ""))
                else:
                    members.remove(session, view.project, who, email)
    except (Conflict, InvalidInput) as exc:
        return _members_page(request, code, current, error=exc, email=form.get("email", ""))
    return RedirectResponse(f"/projects/{view.project.code}/members?notice={do}", status_code=303)


def _member_email(session: Session, form: dict[str, str]) -> str:
    value = form.get("user_id", "")
    user = session.get(User, int(value)) if value.isdigit() else None
    if user is None:
        raise NotFound("No such member.")
    return user.email


@router.post("/projects/{code}/members")
def member_add(request: Request, code: str, current: Posted, form: Form) -> Response:
    return _member_change(request, code, current, form, "added")


@router.post("/projects/{code}/members/role")
def member_role(request: Request, code: str, current: Posted, form: Form) -> Response:
    return _member_change(request, code, current, form, "role")


@router.post("/projects/{code}/members/remove")
def member_remove(request: Request, code: str, current: Posted, form: Form) -> Response:
    return _member_change(request, code, current, form, "removed")


@router.get("/projects/{code}/audit")
def audit_page(
    request: Request,
    code: str,
    current: SignedIn,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    ctx = get_context(request)
    with ctx.db.transaction() as session:
        view = open_project(session, code, current)
        entries = audit_log.page(session, view.project, actor(current), number=page)
    return render(request, "audit.html", current=current, view=view, log=entries, section="audit")
