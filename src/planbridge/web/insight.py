"""The Insight page's read model: the Last Planner metrics the feed serves, as charts and tables.

Every figure comes from the metric rows stored with each version at publication (the rows the
metrics feed serves: ``ppc``, ``ppc_breakdown``, ``variance``, ``blocker_metrics``, ``tmr``), so
the page and the feed can never disagree; nothing here computes a PPC. The one figure the feed
has no table for, labour per week, is summed from the selected version's own ``tasks``,
``resources`` and ``calendars`` rows with the metrics' calendar (docs/web.md, "Insight").

Each chart is a :class:`Chart`: its column headings and rows are both the page's table view and
its CSV download, so the two carry exactly the same numbers.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from planbridge.errors import InvalidInput
from planbridge.metrics.calendar import CalendarBook
from planbridge.metrics.dates import local_date, parse_date, project_zone
from planbridge.metrics.tables import PPC_TASK, PPC_TASK_DAY
from planbridge.projects.models import Project
from planbridge.publishing.models import Version, VersionChunk

Row = dict[str, Any]
Cell = str | int | float | None

DIMENSIONS: Final = ("subcontractor", "location", "package", "folder")
DEFAULT_TREND: Final = 12
MAX_TREND: Final = 52
TREND_CHOICES: Final = (4, 8, 12, 26, 52)
LABOUR_WEEKS: Final = 6
METRIC_TABLE_NAMES: Final = ("ppc", "ppc_breakdown", "variance", "blocker_metrics", "tmr")
CHARTS: Final = ("ppc-trend", "ppc-breakdown", "variance", "blockers", "tmr", "labour")


@dataclass(frozen=True, slots=True)
class Picker:
    """What the page shows: the window ending at version ``version`` (its number; None for the
    latest), trends over ``versions`` versions ending there, the breakdown ``by`` a dimension."""

    version: int | None = None
    versions: int = DEFAULT_TREND
    by: str = "subcontractor"

    def query(self, **change: Any) -> str:
        values = {"version": self.version, "versions": self.versions, "by": self.by, **change}
        parts = [f"{k}={v}" for k, v in values.items() if v is not None]
        return "?" + "&".join(parts)


def parse_picker(params: Mapping[str, str]) -> Picker:
    """The picker's GET parameters, each checked with a message that says what to send."""
    unknown = sorted(set(params) - {"version", "versions", "by"})
    if unknown:
        raise InvalidInput(
            f"Unknown parameter {unknown[0]!r}.",
            hint="The page takes version, versions and by.",
        )
    version = None
    raw = params.get("version", "").strip()
    if raw:
        if not raw.isdigit() or int(raw) < 1 or len(raw) > 9:
            raise InvalidInput(
                f"version must be a version number (1, 2, …), not {raw[:40]!r}.",
                hint="Pick a version in the list, or leave it empty for the latest.",
            )
        version = int(raw)
    versions = DEFAULT_TREND
    raw = params.get("versions", "").strip()
    if raw:
        if not raw.isdigit() or len(raw) > 3 or not 2 <= int(raw) <= MAX_TREND:
            raise InvalidInput(
                f"versions must be a whole number from 2 to {MAX_TREND}, not {raw[:40]!r}.",
                hint="It is how many versions the trends show.",
            )
        versions = int(raw)
    by = params.get("by", "").strip() or "subcontractor"
    if by not in DIMENSIONS:
        raise InvalidInput(
            f"by must be one of {', '.join(DIMENSIONS)}, not {by[:40]!r}.",
            hint="It is what the PPC breakdown groups tasks by.",
        )
    return Picker(version=version, versions=versions, by=by)


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text | int | percent | number | date


@dataclass(slots=True)
class Chart:
    """One chart's numbers: the table view and the CSV are both made from these rows."""

    name: str
    title: str
    caption: str
    columns: tuple[Column, ...]
    rows: list[dict[str, Cell]] = field(default_factory=list)

    def cell(self, row: Mapping[str, Cell], column: Column) -> str:
        """A cell as the table view shows it (and the CSV writes it, without the unit)."""
        value = row.get(column.key)
        if value is None:
            return "—"
        if column.kind == "percent":
            return f"{float(value):.2f} %"
        if column.kind == "number":
            return decimal_text(value)
        return str(value)

    def csv_value(self, row: Mapping[str, Cell], column: Column) -> Cell:
        value = row.get(column.key)
        if value is None:
            return ""
        if column.kind == "percent":
            return f"{float(value):.2f}"
        if column.kind == "number":
            return decimal_text(value)
        return value


@dataclass(slots=True)
class Insight:
    project: Project
    picker: Picker
    versions: list[Version]
    """Every version of the project, newest first (the picker's choices)."""
    selected: Version | None
    previous: Version | None
    trend: list[Version]
    """The versions of the trends, oldest first, ending at the selected one."""
    charts: dict[str, Chart]
    summary: dict[str, Cell]

    @property
    def state(self) -> str:
        """``none`` (nothing published), ``one`` (no window yet) or ``ready``."""
        if not self.versions:
            return "none"
        return "one" if len(self.versions) == 1 else "ready"


def decimal_text(value: object) -> str:
    """A quantity with at most one decimal and no trailing zero: 12, 2651.9, 1234567.5."""
    return f"{float(value):.1f}".removesuffix(".0")  # type: ignore[arg-type]


def percent(value: object) -> float | None:
    """A stored ratio (0–1, 4 decimals) as a percentage with 2 decimals: no figure is lost."""
    if value is None:
        return None
    return round(float(value) * 100, 2)  # type: ignore[arg-type]


def load_tables(
    session: Session, version_ids: Sequence[int], tables: Sequence[str]
) -> dict[int, dict[str, list[Row]]]:
    """Stored rows of ``tables`` for many versions in one query: version id → table → rows."""
    out: dict[int, dict[str, list[Row]]] = {v: {t: [] for t in tables} for v in version_ids}
    if not version_ids:
        return out
    for version_id, name, body in session.execute(
        select(VersionChunk.version_id, VersionChunk.table_name, VersionChunk.body)
        .where(VersionChunk.version_id.in_(version_ids), VersionChunk.table_name.in_(tables))
        .order_by(VersionChunk.version_id, VersionChunk.table_name, VersionChunk.seq)
    ):
        out[version_id][name].extend(orjson.loads(b"[" + bytes(body) + b"]"))
    return out


def build(session: Session, project: Project, picker: Picker) -> Insight:
    versions = list(
        session.scalars(
            select(Version).where(Version.project_id == project.id).order_by(Version.number.desc())
        )
    )
    selected = None
    if versions:
        if picker.version is None:
            selected = versions[0]
        else:
            selected = next((v for v in versions if v.number == picker.version), None)
            if selected is None:
                raise InvalidInput(
                    f"This project has no version {picker.version}: its versions are "
                    f"{versions[-1].number} to {versions[0].number}.",
                    hint="Pick a version in the list.",
                )
    oldest_first = versions[::-1]
    trend: list[Version] = []
    previous = None
    if selected is not None:
        upto = [v for v in oldest_first if v.number <= selected.number]
        trend = upto[-picker.versions :]
        previous = upto[-2] if len(upto) > 1 else None
    stored = load_tables(session, [v.id for v in trend], METRIC_TABLE_NAMES)
    charts = {
        "ppc-trend": ppc_trend(trend, stored),
        "ppc-breakdown": ppc_breakdown(selected, stored, picker.by),
        "variance": variance(selected, stored),
        "blockers": blockers(trend, stored),
        "tmr": tmr(trend, stored),
        "labour": labour(session, project, selected),
    }
    return Insight(
        project=project,
        picker=picker,
        versions=versions,
        selected=selected,
        previous=previous,
        trend=trend,
        charts=charts,
        summary=_summary(selected, stored),
    )


def _rows(stored: dict[int, dict[str, list[Row]]], version: Version, table: str) -> list[Row]:
    return [r for r in stored.get(version.id, {}).get(table, []) if r["version_id"] == version.id]


def _first_row(stored: dict[int, dict[str, list[Row]]], version: Version, table: str) -> Row | None:
    """The version's row of a one-row metric table (``tmr``, ``blocker_metrics``), if any."""
    return next(iter(_rows(stored, version, table)), None)


def _metric_row(rows: list[Row], metric: str) -> Row | None:
    return next((r for r in rows if r["metric"] == metric), None)


def _summary(selected: Version | None, stored: dict[int, dict[str, list[Row]]]) -> dict[str, Cell]:
    if selected is None:
        return {}
    ppc = _rows(stored, selected, "ppc")
    day = _metric_row(ppc, PPC_TASK_DAY) or {}
    task = _metric_row(ppc, PPC_TASK) or {}
    ready = _first_row(stored, selected, "tmr") or {}
    blocker = _first_row(stored, selected, "blocker_metrics") or {}
    return {
        "ppc_task_day": percent(day.get("value")),
        "ppc_task_day_tasks": day.get("task_count"),
        "ppc_task": percent(task.get("value")),
        "ppc_task_tasks": task.get("task_count"),
        "tmr": percent(ready.get("value")),
        "tmr_tasks": ready.get("task_count"),
        "open_blockers": blocker.get("open_count"),
        "overdue_blockers": blocker.get("overdue_count"),
        "window_start": day.get("window_start"),
        "window_end": day.get("window_end"),
    }


VERSION_COLUMNS = (
    Column("version", "Version", "int"),
    Column("name", "Name"),
)
WINDOW_COLUMNS = (
    Column("window_start", "Window from", "date"),
    Column("window_end", "Window to (exclusive)", "date"),
)


def ppc_trend(trend: list[Version], stored: dict[int, dict[str, list[Row]]]) -> Chart:
    chart = Chart(
        "ppc-trend",
        "PPC trend",
        "Percent Plan Complete of each weekly window, both methods, with the tasks behind each "
        "figure. A version's window runs from the previous version's publication date to its own.",
        (
            *VERSION_COLUMNS,
            *WINDOW_COLUMNS,
            Column("ppc_task_day", "PPC (task day)", "percent"),
            Column("ppc_task_day_tasks", "Tasks (task day)", "int"),
            Column("ppc_task", "PPC (task)", "percent"),
            Column("ppc_task_tasks", "Tasks (task)", "int"),
        ),
    )
    for version in trend:
        rows = _rows(stored, version, "ppc")
        day, task = _metric_row(rows, PPC_TASK_DAY), _metric_row(rows, PPC_TASK)
        if day is None and task is None:
            continue  # a first version: no window
        head = day or task or {}
        chart.rows.append(
            {
                "version": version.number,
                "name": version.name,
                "window_start": head.get("window_start"),
                "window_end": head.get("window_end"),
                "ppc_task_day": percent(day["value"]) if day else None,
                "ppc_task_day_tasks": day["task_count"] if day else None,
                "ppc_task": percent(task["value"]) if task else None,
                "ppc_task_tasks": task["task_count"] if task else None,
            }
        )
    return chart


def ppc_breakdown(
    selected: Version | None, stored: dict[int, dict[str, list[Row]]], by: str
) -> Chart:
    chart = Chart(
        "ppc-breakdown",
        f"PPC by {by}",
        f"Both PPCs of the selected window for each {by} the previous version assigned "
        "the tasks to; tasks without one form the last group.",
        (
            Column("group", by.capitalize()),
            Column("ppc_task_day", "PPC (task day)", "percent"),
            Column("ppc_task_day_tasks", "Tasks (task day)", "int"),
            Column("ppc_task", "PPC (task)", "percent"),
            Column("ppc_task_tasks", "Tasks (task)", "int"),
        ),
    )
    if selected is None:
        return chart
    groups: dict[int | None, dict[str, Cell]] = {}
    for row in _rows(stored, selected, "ppc_breakdown"):
        if row["dimension"] != by:
            continue
        entry = groups.setdefault(
            row["group_id"],
            {
                "group": row["group_name"] if row["group_id"] is not None else f"(no {by})",
                "ppc_task_day": None,
                "ppc_task_day_tasks": None,
                "ppc_task": None,
                "ppc_task_tasks": None,
            },
        )
        prefix = "ppc_task_day" if row["metric"] == PPC_TASK_DAY else "ppc_task"
        entry[prefix] = percent(row["value"])
        entry[f"{prefix}_tasks"] = row["task_count"]
    # Groups with a name first (by name), the group without one last, as the feed lists them.
    chart.rows = [groups[k] for k in groups if k is not None]
    chart.rows.sort(key=lambda r: str(r["group"]).casefold())
    if None in groups:
        chart.rows.append(groups[None])
    return chart


def variance(selected: Version | None, stored: dict[int, dict[str, list[Row]]]) -> Chart:
    chart = Chart(
        "variance",
        "Reasons for variance",
        "Delays recorded against days of the selected window, by reason, most delayed "
        "task-days first (a Pareto chart); the cumulative share ends at 100 %.",
        (
            Column("rank", "Rank", "int"),
            Column("reason", "Reason"),
            Column("category", "Category"),
            Column("delayed_task_days", "Delayed task-days", "int"),
            Column("tasks", "Tasks", "int"),
            Column("impact_days", "Impact days", "int"),
            Column("share", "Share", "percent"),
            Column("cumulative_share", "Cumulative share", "percent"),
        ),
    )
    if selected is None:
        return chart
    rows = [r for r in _rows(stored, selected, "variance") if r["level"] == "reason"]
    for row in sorted(rows, key=lambda r: r["rank"]):
        chart.rows.append(
            {
                "rank": row["rank"],
                "reason": row["reason"] if row["reason"] is not None else "(no reason given)",
                "category": category_label(row["reason_category"]),
                "delayed_task_days": row["delayed_task_days"],
                "tasks": row["task_count"],
                "impact_days": row["impact_days"],
                "share": percent(row["share"]),
                "cumulative_share": percent(row["cumulative_share"]),
            }
        )
    return chart


def category_label(value: str | None) -> str:
    if value is None:
        return "(none)"
    return value.replace("_", " / " if value == "space_access" else " ").capitalize()


def blockers(trend: list[Version], stored: dict[int, dict[str, list[Row]]]) -> Chart:
    chart = Chart(
        "blockers",
        "Blockers",
        "Blockers open at each version's publication date, and those raised and resolved in "
        "its window; promises kept is the share of blockers due in the window that were "
        "resolved by their due date.",
        (
            *VERSION_COLUMNS,
            Column("as_of", "As of", "date"),
            Column("open", "Open", "int"),
            Column("overdue", "Overdue", "int"),
            Column("raised", "Raised", "int"),
            Column("resolved", "Resolved", "int"),
            Column("promises_kept", "Promises kept", "percent"),
        ),
    )
    for version in trend:
        row = _first_row(stored, version, "blocker_metrics")
        if row is None:
            continue
        chart.rows.append(
            {
                "version": version.number,
                "name": version.name,
                "as_of": row["as_of"],
                "open": row["open_count"],
                "overdue": row["overdue_count"],
                "raised": row["raised_count"],
                "resolved": row["resolved_count"],
                "promises_kept": percent(row["promises_kept"]),
            }
        )
    return chart


def tmr(trend: list[Version], stored: dict[int, dict[str, list[Row]]]) -> Chart:
    chart = Chart(
        "tmr",
        "Tasks made ready",
        "Of the tasks the previous version planned to start in each window, the share with no "
        "blocker open on their planned start day.",
        (
            *VERSION_COLUMNS,
            *WINDOW_COLUMNS,
            Column("tmr", "TMR", "percent"),
            Column("tasks", "Tasks", "int"),
            Column("ready", "Ready", "int"),
        ),
    )
    for version in trend:
        row = _first_row(stored, version, "tmr")
        if row is None:
            continue
        chart.rows.append(
            {
                "version": version.number,
                "name": version.name,
                "window_start": row["window_start"],
                "window_end": row["window_end"],
                "tmr": percent(row["value"]),
                "tasks": row["task_count"],
                "ready": row["ready_count"],
            }
        )
    return chart


def labour(session: Session, project: Project, selected: Version | None) -> Chart:
    """Labour per week in the selected version's plan, over the weeks from its publication:
    each labour line's quantity times its task's working days in the week (person-days)."""
    chart = Chart(
        "labour",
        "Labour per week",
        f"Labour planned in the selected version for the {LABOUR_WEEKS} weeks from its "
        "publication: each labour line's quantity times its task's working days in the week.",
        (
            Column("week", "Week from", "date"),
            Column("person_days", "Person-days", "number"),
            Column("peak", "Busiest day (people)", "number"),
            Column("tasks", "Tasks", "int"),
        ),
    )
    if selected is None:
        return chart
    key = (
        project.timezone,
        selected.published_at.isoformat(),
        _fingerprint(session, selected.id, LABOUR_INPUTS),
    )
    with _LABOUR_LOCK:
        cached = _LABOUR_CACHE.get(key)
        if cached is not None:
            _LABOUR_CACHE.move_to_end(key)
    if cached is None:
        cached = _labour_rows(session, project, selected)
        with _LABOUR_LOCK:
            _LABOUR_CACHE[key] = cached
            while len(_LABOUR_CACHE) > LABOUR_CACHE_SIZE:
                _LABOUR_CACHE.popitem(last=False)
    chart.rows = [dict(row) for row in cached]
    return chart


LABOUR_INPUTS: Final = ("tasks", "resources", "calendars")
LABOUR_CACHE_SIZE: Final = 64
_LABOUR_CACHE: OrderedDict[tuple[object, ...], tuple[dict[str, Cell], ...]] = OrderedDict()
_LABOUR_LOCK = threading.Lock()


def _fingerprint(session: Session, version_id: int, tables: Sequence[str]) -> tuple[object, ...]:
    """What identifies a stored version's rows without reading them: each chunk's table,
    sequence number, row count, size and CRC-32. A version is immutable, so rows computed from
    these chunks can be kept under this key (content-addressed: right across databases too)."""
    return tuple(
        tuple(row)
        for row in session.execute(
            select(
                VersionChunk.table_name,
                VersionChunk.seq,
                VersionChunk.row_count,
                VersionChunk.raw_size,
                VersionChunk.crc32,
            )
            .where(VersionChunk.version_id == version_id, VersionChunk.table_name.in_(tables))
            .order_by(VersionChunk.table_name, VersionChunk.seq)
        )
    )


def _labour_rows(
    session: Session, project: Project, selected: Version
) -> tuple[dict[str, Cell], ...]:
    rows = load_tables(session, [selected.id], ("resources", "calendars"))[selected.id]
    crews: dict[int, float] = defaultdict(float)
    for line in rows["resources"]:
        if line["kind"] == "labour" and line["quantity"] is not None:
            crews[line["task_id"]] += float(line["quantity"])
    if not crews:
        return ()
    published = local_date(selected.published_at, project_zone(project.timezone))
    first = published - dt.timedelta(days=published.weekday())
    window = (first, first + dt.timedelta(weeks=LABOUR_WEEKS))
    tasks = _labour_tasks(session, selected.id, crews.keys())
    return tuple(_weeks(tasks, crews, CalendarBook.from_rows(rows["calendars"]), window))


def _labour_tasks(session: Session, version_id: int, task_ids: Iterable[int]) -> list[Row]:
    wanted = set(task_ids)
    stored = load_tables(session, [version_id], ("tasks",))[version_id]["tasks"]
    return [r for r in stored if r["task_id"] in wanted]


def _weeks(
    tasks: list[Row],
    crews: Mapping[int, float],
    book: CalendarBook,
    window: tuple[dt.date, dt.date],
) -> list[dict[str, Cell]]:
    per_day: dict[dt.date, float] = defaultdict(float)
    tasks_per_week: dict[dt.date, set[int]] = defaultdict(set)
    first_day = window[0]
    # ISO dates compare as text: tasks wholly outside the weeks are skipped before parsing.
    start, end = window[0].isoformat(), window[1].isoformat()
    for task in tasks:
        if task["type"] == "milestone" or task["status"] in ("backlog", "complete"):
            continue
        if task["end_date"] < start or task["start_date"] >= end:
            continue
        days = book.days_between(
            book.for_task(task["calendar"]),
            parse_date(task["start_date"]),
            parse_date(task["end_date"]),
            window,
        )
        crew = crews[task["task_id"]]
        for day in days:
            per_day[day] += crew
            tasks_per_week[day - dt.timedelta(days=day.weekday())].add(task["task_id"])
    out: list[dict[str, Cell]] = []
    for week in range(LABOUR_WEEKS):
        monday = first_day + dt.timedelta(weeks=week)
        daily = [per_day.get(monday + dt.timedelta(days=d), 0.0) for d in range(7)]
        out.append(
            {
                "week": monday.isoformat(),
                "person_days": round(sum(daily), 1),
                "peak": round(max(daily), 1),
                "tasks": len(tasks_per_week.get(monday, ())),
            }
        )
    return out
