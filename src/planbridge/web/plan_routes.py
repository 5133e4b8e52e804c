"""The Plan page: the live plan as a table, filtered, sorted and paged by the database."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from planbridge.context import get_context
from planbridge.errors import InvalidInput
from planbridge.planning import table
from planbridge.planning.enums import TaskStatus
from planbridge.web.auth import SignedIn, actor
from planbridge.web.overview import open_project
from planbridge.web.rendering import render
from planbridge.web.routing import PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)
PARAMS = ("subcontractor", "status", "week", "sort", "order", "size", "page")
COLUMNS = (
    ("activity", "Activity"),
    ("task", "Task"),
    ("subcontractor", "Subcontractor (trade)"),
    ("location", "Location"),
    ("start", "Start"),
    ("finish", "Finish"),
    ("status", "Status"),
    ("committed", "Committed"),
)


@router.get("/projects/{code}/plan")
def plan_page(request: Request, code: str, current: SignedIn) -> Response:
    ctx = get_context(request)
    params = {k: request.query_params.get(k, "")[:100] for k in PARAMS}
    base = request.url.path

    def link(**changes: str | int) -> str:
        merged = {k: v for k, v in params.items() if v}
        merged.update({k: str(v) for k, v in changes.items()})
        merged = {k: v for k, v in merged.items() if v}
        return f"{base}?{urlencode(merged)}" if merged else base

    error: InvalidInput | None = None
    page = None
    with ctx.db.transaction() as session:
        view = open_project(session, code, current)
        try:
            query = table.parse_query(params)
        except InvalidInput as exc:
            error = exc
            query = table.PlanQuery()
        page = table.plan_page(session, view.project, actor(current), query)
    return render(
        request,
        "plan.html",
        current=current,
        view=view,
        section="plan",
        plan=page,
        params=params,
        error=error,
        link=link,
        columns=COLUMNS,
        statuses=[s.value for s in TaskStatus],
        sizes=table.PAGE_SIZES,
        status=error.status if error else 200,
    )
