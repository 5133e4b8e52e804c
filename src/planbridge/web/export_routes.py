"""The project's Export actions page: every member sees the saved actions and downloads their
newest file; admins save a new action and delete one. Permissions and audit are the exports
service's, as for the API and the CLI."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from planbridge.catalog import FEED_TABLES
from planbridge.connector_api import runs
from planbridge.context import get_context
from planbridge.errors import PlanBridgeError
from planbridge.exports import definition as definitions
from planbridge.exports import service
from planbridge.web.auth import Form, Posted, SignedIn, actor
from planbridge.web.overview import open_project
from planbridge.web.rendering import render
from planbridge.web.routing import PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _page(
    request: Request, code: str, current: SignedIn, *, status: int = 200, **extra: Any
) -> Response:
    ctx = get_context(request)
    with ctx.db.transaction() as session:
        view = open_project(session, code, current)
        actions = [
            service.action_json(a)
            for a in service.list_actions(session, view.project, actor(current))
        ]
    return render(
        request,
        "exports.html",
        current=current,
        status=status,
        view=view,
        section="exports",
        actions=actions,
        tables=[t.name for t in FEED_TABLES],
        **extra,
    )


@router.get("/projects/{code}/exports")
def exports_page(request: Request, code: str, current: SignedIn, notice: str = "") -> Response:
    words = {"saved": "Export action saved.", "deleted": "Export action deleted."}
    return _page(request, code, current, notice=words.get(notice))


@router.post("/projects/{code}/exports")
def export_create(request: Request, code: str, current: Posted, form: Form) -> Response:
    ctx = get_context(request)
    try:
        columns = [c.strip() for c in form.get("columns", "").split(",") if c.strip()]
        versions = form.get("versions", "1").strip()
        definition = definitions.check(
            table=form.get("table", ""),
            format=form.get("format", "csv"),
            columns=columns or None,
            filters=[
                definitions.parse_filter(line)
                for line in form.get("filters", "").splitlines()
                if line.strip()
            ],
            versions=int(versions) if versions.isdigit() and len(versions) < 4 else 0,
            bom=form.get("bom") == "on",
        )
        with ctx.db.transaction() as session:
            view = open_project(session, code, current)
            service.create_action(
                session,
                view.project,
                actor(current),
                name=form.get("name", ""),
                definition=definition,
                now=ctx.clock(),
            )
    except PlanBridgeError as exc:
        if exc.status not in (409, 422):
            raise
        return _page(request, code, current, status=exc.status, error=exc, form=form)
    return RedirectResponse(f"/projects/{code.upper()}/exports?notice=saved", status_code=303)


@router.post("/projects/{code}/exports/{action_id}/delete")
def export_delete(
    request: Request, code: str, action_id: int, current: Posted, form: Form
) -> Response:
    ctx = get_context(request)
    with ctx.db.transaction() as session:
        view = open_project(session, code, current)
        found = service.get_action(session, view.project, actor(current), str(action_id))
        service.delete_action(session, view.project, actor(current), found)
    return RedirectResponse(f"/projects/{code.upper()}/exports?notice=deleted", status_code=303)


@router.get("/projects/{code}/exports/{action_id}/download")
def export_download(request: Request, code: str, action_id: int, current: SignedIn) -> Response:
    ctx = get_context(request)
    with ctx.db.transaction() as session:
        view = open_project(session, code, current)
    result = runs.run(
        ctx.db,
        ctx.settings,
        actor(current),
        project_ref=view.project.code,
        action_ref=str(action_id),
        now=ctx.clock(),
    )
    manifest = runs.pick(result, None)
    if manifest.bytes > service.cap_bytes(ctx.settings.export_max_mb):
        raise service.too_large(ctx.settings.export_max_mb)
    name = f"{view.project.code}-{action_id}-v{manifest.version_number}"
    return FileResponse(
        manifest.path,
        media_type=result.definition.media_type,
        filename=f"{name}.{result.definition.extension}",
    )
