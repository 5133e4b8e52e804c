"""The Integrations page: the source switch, the project's URLs, Power Query downloads, and
feed tokens (generate, shown once, revoke). Services decide who may do what and audit it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from planbridge.context import get_context
from planbridge.errors import InvalidInput, NotFound
from planbridge.feeds import powerquery
from planbridge.integrations import service as integrations
from planbridge.integrations.models import FeedToken
from planbridge.integrations.service import IssuedToken
from planbridge.projects.membership import ProjectView
from planbridge.projects.models import Tier
from planbridge.web.auth import Form, Posted, SignedIn, actor
from planbridge.web.overview import open_project, token_rows
from planbridge.web.rendering import render
from planbridge.web.routing import PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)
TEMPLATES = {"PublishedPlans.pq", "PublishedPlansIncremental.pq"}
FRAGMENT_HEADER = "x-planbridge-fragment"


def _expiry_choices(max_days: int) -> list[int]:
    return [d for d in (7, 30, 60, 90) if d <= max_days] or [max_days]


def _page(
    request: Request,
    code: str,
    current: SignedIn,
    *,
    issued: IssuedToken | None = None,
    error: InvalidInput | None = None,
    form: dict[str, str] | None = None,
    revoked: FeedToken | None = None,
    template: str = "integrations.html",
    status: int = 200,
) -> Response:
    ctx = get_context(request)
    now = ctx.clock()
    with ctx.db.transaction() as session:
        view = open_project(session, code, current)
        tokens = (
            token_rows(integrations.list_tokens(session, view.project, actor(current)), now)
            if view.is_admin
            else []
        )
    base = ctx.settings.public_url
    context: dict[str, Any] = {
        "view": view,
        "section": "integrations",
        "feed_url": f"{base}/power-bi/v1/{view.project.api_id}",
        "odata_url": f"{base}/odata/v4/{view.project.api_id}",
        "free_tier": view.project.tier == Tier.free,
        "tokens": tokens,
        "issued": issued,
        "error": error,
        "form": form or {},
        "revoked": revoked,
        "choices": _expiry_choices(ctx.settings.token_max_days),
        "default_days": min(ctx.settings.token_default_days, ctx.settings.token_max_days),
    }
    return render(request, template, current=current, status=status, **context)


@router.get("/projects/{code}/integrations")
def integrations_page(request: Request, code: str, current: SignedIn) -> Response:
    return _page(request, code, current)


@router.post("/projects/{code}/integrations/source")
def switch_source(request: Request, code: str, current: Posted, form: Form) -> Response:
    ctx = get_context(request)
    with ctx.db.transaction() as session:
        view = open_project(session, code, current)
        integrations.set_integration(
            session, view.project, actor(current), enabled=form.get("enabled") == "1"
        )
    return RedirectResponse(f"/projects/{view.project.code}/integrations", status_code=303)


@router.get("/projects/{code}/integrations/tokens/new")
def new_token_page(request: Request, code: str, current: SignedIn) -> Response:
    return _page(request, code, current, template="token_new.html")


@router.post("/projects/{code}/integrations/tokens")
def create_token(request: Request, code: str, current: Posted, form: Form) -> Response:
    """The token is in this response only (no-store); it is never put in a URL or stored."""
    ctx = get_context(request)
    fragment = request.headers.get(FRAGMENT_HEADER) == "1"
    days_text = form.get("days", "")
    try:
        if not days_text.isdigit():
            raise InvalidInput("Choose how many days the token lasts.")
        with ctx.db.transaction() as session:
            view: ProjectView = open_project(session, code, current)
            issued = integrations.create_token(
                session,
                view.project,
                actor(current),
                name=form.get("token_name", ""),
                days=int(days_text),
                max_days=ctx.settings.token_max_days,
                default_days=ctx.settings.token_default_days,
                now=ctx.clock(),
            )
    except InvalidInput as exc:
        template = "_token_form.html" if fragment else "token_new.html"
        return _page(
            request, code, current, error=exc, form=form, template=template, status=exc.status
        )
    template = "_token_created.html" if fragment else "token_created.html"
    return _page(request, code, current, issued=issued, template=template)


def _token(request: Request, code: str, current: SignedIn, token_id: int) -> FeedToken:
    ctx = get_context(request)
    with ctx.db.transaction() as session:
        view = open_project(session, code, current)
        for token in integrations.list_tokens(session, view.project, actor(current)):
            if token.id == token_id:
                return token
    raise NotFound(f"No token {token_id}.")


@router.get("/projects/{code}/integrations/tokens/{token_id}/revoke")
def revoke_confirm_page(request: Request, code: str, token_id: int, current: SignedIn) -> Response:
    token = _token(request, code, current, token_id)
    return _page(request, code, current, revoked=token, template="token_revoke.html")


@router.post("/projects/{code}/integrations/tokens/{token_id}/revoke")
def revoke_token(
    request: Request, code: str, token_id: int, current: Posted, form: Form
) -> Response:
    ctx = get_context(request)
    with ctx.db.transaction() as session:
        view = open_project(session, code, current)
        integrations.revoke_token(session, view.project, actor(current), token_id, now=ctx.clock())
    return RedirectResponse(f"/projects/{view.project.code}/integrations", status_code=303)


@router.get("/projects/{code}/integrations/powerquery/{name}")
def power_query(request: Request, code: str, name: str, current: SignedIn) -> Response:
    ctx = get_context(request)
    with ctx.db.transaction() as session:
        view = open_project(session, code, current)
    project = view.project
    if name in TEMPLATES:
        text = powerquery.template(name)
    elif name in (f"{project.code}.pq", f"{project.code}-incremental.pq"):
        text = powerquery.snippet(
            base_url=ctx.settings.public_url,
            api_id=project.api_id,
            project_name=f"{project.name} ({project.code})",
            incremental=name.endswith("-incremental.pq"),
        )
    else:
        raise NotFound(f"No Power Query file {name}.")
    return Response(
        text,
        media_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
