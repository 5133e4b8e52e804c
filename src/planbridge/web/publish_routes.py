"""The weekly publication: the Publish page (summary, name, comment, a confirm step for a second
version on one day) and the Versions page (every version with its stored PPC)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from planbridge.context import get_context
from planbridge.errors import Conflict, InvalidInput, PlanBridgeError
from planbridge.metrics.tables import PPC_TASK, PPC_TASK_DAY
from planbridge.publishing import checks
from planbridge.publishing import service as publishing
from planbridge.publishing.models import Version
from planbridge.publishing.store import load_rows
from planbridge.web.auth import Form, Posted, SignedIn, actor
from planbridge.web.overview import open_project
from planbridge.web.rendering import render
from planbridge.web.routing import PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)
COMMENT_MAX = 2000


@dataclass(frozen=True, slots=True)
class VersionRow:
    version: Version
    ppc_task_day: float | None
    ppc_task: float | None


def version_rows(session: Session, versions: list[Version]) -> list[VersionRow]:
    """Newest first, each with both PPC values of the metric rows stored at its publication."""
    rows = []
    for version in reversed(versions):
        values: dict[str, float | None] = {}
        for row in load_rows(session, version.id, ["ppc"])["ppc"]:
            if row.get("version_id") == version.id and row.get("metric") in (
                PPC_TASK_DAY,
                PPC_TASK,
            ):
                value = row.get("value")
                values[row["metric"]] = float(value) if value is not None else None
        rows.append(VersionRow(version, values.get(PPC_TASK_DAY), values.get(PPC_TASK)))
    return rows


def _publish_page(
    request: Request,
    code: str,
    current: SignedIn,
    *,
    form: dict[str, str] | None = None,
    error: PlanBridgeError | None = None,
    confirm: bool = False,
) -> Response:
    ctx = get_context(request)
    with ctx.db.transaction() as session:
        view = open_project(session, code, current)
        summary = checks.summary(session, view.project, actor(current), now=ctx.clock())
    return render(
        request,
        "publish.html",
        current=current,
        view=view,
        section="publish",
        summary=summary,
        form=form or {},
        error=error,
        confirm=confirm,
        status=error.status if error else 200,
    )


@router.get("/projects/{code}/publish")
def publish_page(request: Request, code: str, current: SignedIn) -> Response:
    return _publish_page(request, code, current)


@router.post("/projects/{code}/publish")
def publish_version(request: Request, code: str, current: Posted, form: Form) -> Response:
    """Checks (role, unique name, non-empty plan) run in the service before anything is
    written; a same-day warning asks for a confirmation first (``confirmed=1``)."""
    ctx = get_context(request)
    name = form.get("name", "").strip()
    comment = form.get("comment", "").strip()
    try:
        if len(comment) > COMMENT_MAX:
            raise InvalidInput(f"A comment must have at most {COMMENT_MAX} characters.")
        with ctx.db.transaction() as session:
            view = open_project(session, code, current)
            now = ctx.clock()
            who = actor(current)
            if form.get("confirmed") != "1" and checks.publish_warnings(
                session, view.project, now=now
            ):
                checks.check_publish(session, view.project, who, now=now, name=name or None)
                confirm = True
            else:
                confirm = False
                version = publishing.publish(
                    session,
                    view.project,
                    who,
                    now=now,
                    chunk_rows=ctx.settings.publish_chunk_rows,
                    name=name or None,
                    comment=comment or None,
                )
    except (Conflict, InvalidInput) as exc:
        return _publish_page(request, code, current, form=form, error=exc)
    if confirm:
        return _publish_page(request, code, current, form=form, confirm=True)
    return RedirectResponse(
        f"/projects/{view.project.code}/versions?published={version.number}", status_code=303
    )


@router.get("/projects/{code}/versions")
def versions_page(
    request: Request, code: str, current: SignedIn, published: str | None = None
) -> Response:
    ctx = get_context(request)
    with ctx.db.transaction() as session:
        view = open_project(session, code, current)
        rows = version_rows(session, publishing.list_versions(session, view.project))
    return render(
        request,
        "versions.html",
        current=current,
        view=view,
        section="versions",
        rows=rows,
        published=published if published and published.isdigit() else None,
    )
