"""The Insight page: the Last Planner metrics of a project's published versions as charts, each
with its table view and a CSV download of exactly the table's numbers (any member)."""

from __future__ import annotations

import csv
import io

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from planbridge.context import get_context
from planbridge.csv_cells import neutralised
from planbridge.errors import InvalidInput, NotFound
from planbridge.web import charts
from planbridge.web.auth import SignedIn
from planbridge.web.insight import (
    CHARTS,
    DIMENSIONS,
    TREND_CHOICES,
    Chart,
    Insight,
    Picker,
    build,
    parse_picker,
)
from planbridge.web.overview import open_project
from planbridge.web.rendering import NO_STORE, render
from planbridge.web.routing import PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)
CSV_TYPE = "text/csv; charset=utf-8; header=present"


@router.get("/projects/{code}/insight")
def insight_page(request: Request, code: str, current: SignedIn) -> Response:
    ctx = get_context(request)
    error: InvalidInput | None = None
    with ctx.db.transaction() as session:
        view = open_project(session, code, current)
        try:
            picker = parse_picker(request.query_params)
            insight = build(session, view.project, picker)
        except InvalidInput as exc:
            error = exc
            insight = build(session, view.project, Picker())
    return render(
        request,
        "insight.html",
        current=current,
        view=view,
        section="insight",
        insight=insight,
        figures=figures(insight),
        error=error,
        dimensions=DIMENSIONS,
        trend_choices=TREND_CHOICES,
        status=error.status if error else 200,
    )


@router.get("/projects/{code}/insight/{chart}.csv")
def insight_csv(request: Request, code: str, chart: str, current: SignedIn) -> Response:
    if chart not in CHARTS:
        raise NotFound(f"There is no chart {chart!r}.")
    ctx = get_context(request)
    with ctx.db.transaction() as session:
        view = open_project(session, code, current)
        insight = build(session, view.project, parse_picker(request.query_params))
    selected = f"-v{insight.selected.number}" if insight.selected else ""
    filename = f"{view.project.code}-{chart}{selected}.csv"
    return Response(
        csv_text(insight.charts[chart], neutralise=ctx.settings.csv_neutralise_formulas).encode(
            "utf-8"
        ),
        media_type=CSV_TYPE,
        headers={**NO_STORE, "Content-Disposition": f'attachment; filename="{filename}"'},
    )


def csv_text(chart: Chart, *, neutralise: bool = True) -> str:
    """The table view's columns and numbers as RFC 4180 CSV; a text cell a spreadsheet would
    read as a formula gets a leading quote, as in the feed's CSV files (and under the same
    ``csv_neutralise_formulas`` setting)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.label for c in chart.columns])
    for row in chart.rows:
        cells = []
        for column in chart.columns:
            value = chart.csv_value(row, column)
            cells.append(neutralised(value) if neutralise else value)
        writer.writerow(cells)
    return buffer.getvalue()


def _short(text: str, room: int) -> str:
    """A label cut to ``room`` characters (at least 3) with an ellipsis."""
    room = max(room, 3)
    return text if len(text) <= room else text[: room - 1] + "…"


def _nums(chart: Chart, key: str) -> list[float | None]:
    """One column of a chart's rows as numbers (null stays null)."""
    out: list[float | None] = []
    for row in chart.rows:
        value = row.get(key)
        out.append(None if value is None else float(value))
    return out


def figures(insight: Insight) -> dict[str, Markup]:
    """The SVG picture of every chart that has rows."""
    c = insight.charts
    out: dict[str, Markup] = {}
    trend = c["ppc-trend"]
    if trend.rows:
        out["ppc-trend"] = charts.line_chart(
            "PPC trend chart; its figures are in the table below.",
            [f"#{r['version']}" for r in trend.rows],
            [
                charts.Series("PPC (task day)", _nums(trend, "ppc_task_day"), "s1"),
                charts.Series("PPC (task)", _nums(trend, "ppc_task"), "s2"),
            ],
        )
    breakdown = c["ppc-breakdown"]
    if breakdown.rows:
        out["ppc-breakdown"] = charts.hbar_chart(
            f"{breakdown.title} chart; its figures are in the table below.",
            [str(r["group"]) for r in breakdown.rows],
            [
                charts.Series("PPC (task day)", _nums(breakdown, "ppc_task_day"), "s1"),
                charts.Series("PPC (task)", _nums(breakdown, "ppc_task"), "s2"),
            ],
        )
    pareto = c["variance"]
    if pareto.rows:
        out["variance"] = charts.bar_chart(
            "Reasons for variance Pareto chart; its figures are in the table below.",
            [_short(str(r["reason"]), 80 // len(pareto.rows)) for r in pareto.rows],
            [charts.Series("Delayed task-days", _nums(pareto, "delayed_task_days"), "s3")],
            line=charts.Series("Cumulative share", _nums(pareto, "cumulative_share"), "s4"),
        )
    blockers = c["blockers"]
    if blockers.rows:
        out["blockers"] = charts.bar_chart(
            "Blockers open and resolved chart; its figures are in the table below.",
            [f"#{r['version']}" for r in blockers.rows],
            [
                charts.Series("Open", _nums(blockers, "open"), "s4"),
                charts.Series("Resolved in window", _nums(blockers, "resolved"), "s5"),
            ],
        )
    ready = c["tmr"]
    if ready.rows:
        out["tmr"] = charts.bar_chart(
            "Tasks made ready chart; its figures are in the table below.",
            [f"#{r['version']}" for r in ready.rows],
            [charts.Series("TMR", _nums(ready, "tmr"), "s1")],
            unit="%",
            top=100,
        )
    labour = c["labour"]
    if labour.rows:
        out["labour"] = charts.bar_chart(
            "Labour per week chart; its figures are in the table below.",
            [str(r["week"])[5:] for r in labour.rows],
            [charts.Series("Person-days", _nums(labour, "person_days"), "s3")],
        )
    return out
