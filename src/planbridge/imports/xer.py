"""Primavera P6 XER exports → ``ParsedSchedule``.

Decisions (see docs/imports.md for the full field mapping):

- Only projects whose ``export_flag`` is ``Y`` are imported; the other PROJECT rows are the
  stubs P6 adds to carry the far end of cross-project relationships. A file with no exported
  flag at all (old versions) imports every project. ``project=`` picks one project by its short
  name (P6 "Project ID") instead.
- A relationship with one end in a non-imported project becomes an ``ExternalLink`` and a
  warning; the external activity is not created as a task.
- ``external_id`` is the P6 Activity ID (``task_code``), folder codes are the P6 WBS path
  without the project code (``MS.1.2``), so both stay stable from one export to the next.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from planbridge.imports import limits
from planbridge.imports.encoding import decode
from planbridge.imports.errors import ImportFileError
from planbridge.imports.notes import html_to_text
from planbridge.imports.schedule import (
    ExternalLink,
    ParsedCalendar,
    ParsedFolder,
    ParsedLink,
    ParsedResource,
    ParsedSchedule,
    ParsedTask,
    Problem,
)
from planbridge.imports.workdays import workdays
from planbridge.imports.xer_calendar import CalendarDataError, parse_clndr_data
from planbridge.imports.xer_tables import LINE_BREAK_IN_FIELD, Row, XerTables, read_xer_tables
from planbridge.planning.calendar import WorkCalendar
from planbridge.planning.enums import LinkType, ResourceKind, TaskStatus, TaskType

MILESTONE_TYPES = frozenset({"TT_Mile", "TT_FinMile"})
STATUS_BY_CODE = {
    "TK_NotStart": TaskStatus.planned,
    "TK_Active": TaskStatus.in_progress,
    "TK_Complete": TaskStatus.complete,
}
LINK_BY_CODE = {
    "PR_FS": LinkType.FS,
    "PR_SS": LinkType.SS,
    "PR_FF": LinkType.FF,
    "PR_SF": LinkType.SF,
}
KIND_BY_RSRC_TYPE = {
    "RT_Labor": ResourceKind.labour,
    "RT_Equip": ResourceKind.plant,
    "RT_Mat": ResourceKind.material,
}
# Activity code types whose value fills a task property (names compared in lower case).
LOCATION_CODE_TYPES = frozenset({"location", "site area", "area", "zone", "work location"})
SUBCONTRACTOR_CODE_WORD = "contractor"
PACKAGE_CODE_WORD = "package"


def parse_xer(
    data: bytes,
    *,
    project: str | None = None,
    encoding: str | None = None,
    max_rows: int | None = None,
) -> ParsedSchedule:
    """Parse the bytes of an XER export. ``project`` selects one project by short name."""
    text, used = decode(data, encoding)
    tables = read_xer_tables(text, max_rows=limits.max_rows(max_rows))
    del text
    try:
        schedule = _XerMapper(tables, project).build()
    except KeyError as exc:
        raise ImportFileError(
            f"The XER file lacks the field {exc} that every export has."
        ) from None
    schedule.encoding = used
    return schedule


@dataclass
class _Activity:
    """A TASK row of an imported project; ``task`` is None when the row has problems."""

    task: ParsedTask | None


class _XerMapper:
    def __init__(self, tables: XerTables, project: str | None) -> None:
        self.t = tables
        self.schedule = ParsedSchedule(source_format="xer")
        self.projects = _select_projects(tables.rows("PROJECT"), project, self.schedule)
        self.project_ids = {p["proj_id"] for p in self.projects}
        self.calendar_rows = {row.get("clndr_id", ""): row for row in tables.rows("CALENDAR")}
        self.calendars: dict[str, ParsedCalendar] = {}
        self.workdays: dict[str, WorkCalendar] = {}
        self.wbs_codes: dict[str, str | None] = {}
        self.activities: dict[str, _Activity] = {}

    def build(self) -> ParsedSchedule:
        self.schedule.name = ", ".join(self._project_name(p) for p in self.projects)
        self._read_folders()
        self._read_tasks()
        self._read_links()
        self._read_assignments()
        self.schedule.calendars = list(self.calendars.values())
        return self.schedule

    # -- projects and folders -------------------------------------------------------------

    def _project_name(self, project: Row) -> str:
        for wbs in self.t.rows("PROJWBS"):
            if wbs.get("proj_id") == project["proj_id"] and wbs.get("proj_node_flag") == "Y":
                return wbs.get("wbs_name", "").strip() or project.get("proj_short_name", "")
        return project.get("proj_short_name", "")

    def _read_folders(self) -> None:
        rows = {
            w["wbs_id"]: w for w in self.t.rows("PROJWBS") if w.get("proj_id") in self.project_ids
        }
        separators = {p["proj_id"]: p.get("name_sep_char") or "." for p in self.projects}
        seen: set[str] = set()
        folder_ids: list[str] = []
        for wbs_id, row in rows.items():
            if row.get("proj_node_flag") == "Y":
                self.wbs_codes[wbs_id] = None
                continue
            path = _wbs_path(wbs_id, rows)
            code = separators[row["proj_id"]].join(path)
            self.wbs_codes[wbs_id] = code
            if code in seen:
                self._problem(f"WBS {code}", "two WBS nodes have this code", field="wbs")
                continue
            seen.add(code)
            folder_ids.append(wbs_id)
        for wbs_id in folder_ids:
            folder_code = self.wbs_codes[wbs_id] or ""
            parent_id = rows[wbs_id].get("parent_wbs_id", "")
            parent_code = self.wbs_codes.get(parent_id) if parent_id in rows else None
            if parent_id not in rows:
                self._warn(f"WBS {folder_code}", "its parent WBS node is not in the file")
            name = rows[wbs_id].get("wbs_name", "").strip() or folder_code
            self.schedule.folders.append(ParsedFolder(folder_code, name, parent_code))

    # -- calendars ------------------------------------------------------------------------

    def _calendar(self, clndr_id: str) -> ParsedCalendar | None:
        if clndr_id in self.calendars:
            return self.calendars[clndr_id]
        row = self.calendar_rows.get(clndr_id)
        if row is None:
            return None
        name = " ".join(row.get("clndr_name", "").split()) or f"Calendar {clndr_id}"
        if any(c.name == name for c in self.calendars.values()):
            name = f"{name} ({clndr_id})"
        calendar = ParsedCalendar(name=name, hours_per_day=_number(row.get("day_hr_cnt")) or 8.0)
        try:
            week = parse_clndr_data(row.get("clndr_data", ""))
        except CalendarDataError as exc:
            self._warn(f"calendar '{name}'", f"unreadable working days ({exc}); Mon-Fri used")
        else:
            calendar.working_isoweekdays = week.working_isoweekdays
            calendar.holidays = week.non_working_dates
            if week.extra_working_dates:
                self._warn(
                    f"calendar '{name}'",
                    f"{len(week.extra_working_dates)} extra working days on weekends are "
                    "ignored (PlanBridge calendars only hold holidays)",
                )
        self.calendars[clndr_id] = calendar
        self.workdays[clndr_id] = workdays(calendar)
        return calendar

    # -- tasks ----------------------------------------------------------------------------

    def _read_tasks(self) -> None:
        codes = _ActivityCodes(self.t)
        memos = _memos_by_task(self.t)
        locations = {
            r.get("location_id", ""): r.get("location_name", "") for r in self.t.rows("LOCATION")
        }
        seen: set[str] = set()
        for project in self.projects:
            self._calendar(project.get("clndr_id", ""))
        for row in self.t.rows("TASK"):
            if row.get("proj_id") not in self.project_ids:
                continue
            task = self._task(row, codes, memos, locations)
            self.activities[row["task_id"]] = _Activity(task)
            if task is None:
                continue
            if task.external_id in seen:
                self._problem(task.source, "two activities have this Activity ID", "task_code")
                continue
            seen.add(task.external_id)
            self.schedule.tasks.append(task)

    def _task(
        self,
        row: Row,
        codes: _ActivityCodes,
        memos: dict[str, list[str]],
        locations: dict[str, str],
    ) -> ParsedTask | None:
        code = row.get("task_code", "").strip()
        where = f"activity {code}" if code else f"TASK row task_id {row.get('task_id')}"
        if not code:
            self._problem(where, "the activity has no Activity ID", "task_code")
            return None
        calendar = self._calendar(row.get("clndr_id", ""))
        if calendar is None:
            self._problem(where, f"unknown calendar id {row.get('clndr_id')!r}", "clndr_id")
            return None
        dates = self._dates(row, where)
        if dates is None:
            return None
        start, end = dates
        is_milestone = row.get("task_type") in MILESTONE_TYPES
        duration = 1 if is_milestone else self.workdays[row["clndr_id"]].duration(start, end)
        coded = codes.for_task(row["task_id"])
        location = locations.get(row.get("location_id", "")) or coded.location
        return ParsedTask(
            external_id=code,
            name=row.get("task_name", "").strip() or code,
            start=start,
            end=end,
            duration_days=duration,
            source=where,
            type=TaskType.milestone if is_milestone else TaskType.task,
            calendar=calendar.name,
            folder_code=self.wbs_codes.get(row.get("wbs_id", "")),
            status=STATUS_BY_CODE.get(row.get("status_code", ""), TaskStatus.planned),
            subcontractor=coded.subcontractor,
            location=location or None,
            package=coded.package,
            tags=coded.tags,
            notes="\n\n".join(memos.get(row["task_id"], [])) or None,
        )

    def _dates(self, row: Row, where: str) -> tuple[dt.date, dt.date] | None:
        try:
            start = _first_date(row, "act_start_date", "restart_date", "early_start_date")
            end = _first_date(row, "act_end_date", "reend_date", "early_end_date")
            start = start or _first_date(row, "target_start_date")
            end = end or _first_date(row, "target_end_date")
        except ValueError as exc:
            self._problem(where, f"unreadable date: {exc}")
            return None
        if row.get("task_type") == "TT_Mile":
            day = start or end
            start = end = day
        elif row.get("task_type") == "TT_FinMile":
            day = end or start
            start = end = day
        if start is None or end is None:
            self._problem(where, "the activity has no start or finish date")
            return None
        end_day = end.date()
        if end.time() == dt.time(0, 0) and end_day > start.date():
            end_day -= dt.timedelta(days=1)  # a finish at midnight ends the day before
        if end_day < start.date():
            self._problem(where, f"finish {end_day} is before start {start.date()}")
            return None
        return start.date(), end_day

    # -- links and resources --------------------------------------------------------------

    def _read_links(self) -> None:
        lag_calendar = _lag_calendar_rule(self.t, self.project_ids)
        all_tasks = {row.get("task_id", ""): row for row in self.t.rows("TASK")}
        projects = {p["proj_id"]: p.get("proj_short_name", "") for p in self.t.rows("PROJECT")}
        seen: set[tuple[str, str, LinkType]] = set()
        for row in self.t.rows("TASKPRED"):
            succ = self.activities.get(row.get("task_id", ""))
            pred = self.activities.get(row.get("pred_task_id", ""))
            if succ is None and pred is None:
                continue
            link_type = LINK_BY_CODE.get(row.get("pred_type", ""))
            if link_type is None:
                near = succ if succ is not None and succ.task else pred
                where = near.task.source if near is not None and near.task else "relationship"
                self._problem(where, f"unknown relationship type {row.get('pred_type')!r}")
                continue
            lag = self._lag_days(row, all_tasks, lag_calendar)
            if succ is None or pred is None:
                self._external_link(row, succ, pred, link_type, lag, all_tasks, projects)
                continue
            if succ.task is None or pred.task is None:
                continue
            key = (pred.task.external_id, succ.task.external_id, link_type)
            if key in seen:
                self._warn(succ.task.source, f"duplicate {link_type} relationship ignored")
                continue
            seen.add(key)
            self.schedule.links.append(ParsedLink(key[0], key[1], link_type, lag))

    def _lag_days(self, row: Row, all_tasks: dict[str, Row], rule: str) -> int:
        hours = _number(row.get("lag_hr_cnt")) or 0.0
        if not hours:
            return 0
        if rule == "24hour":
            return _round_half_away(hours / 24.0)
        if rule == "project":
            clndr_id = self.projects[0].get("clndr_id", "")
        else:
            side = "pred_task_id" if rule == "predecessor" else "task_id"
            clndr_id = all_tasks.get(row.get(side, ""), {}).get("clndr_id", "")
        per_day = _number(self.calendar_rows.get(clndr_id, {}).get("day_hr_cnt")) or 8.0
        return _round_half_away(hours / per_day)

    def _external_link(
        self,
        row: Row,
        succ: _Activity | None,
        pred: _Activity | None,
        link_type: LinkType,
        lag: int,
        all_tasks: dict[str, Row],
        projects: dict[str, str],
    ) -> None:
        side: Literal["predecessor", "successor"] = "predecessor" if pred is None else "successor"
        far_id = row.get("pred_task_id" if pred is None else "task_id", "")
        far = all_tasks.get(far_id, {})
        far_code = far.get("task_code", "").strip() or f"task_id {far_id}"
        far_project = projects.get(far.get("proj_id", "")) or None
        near = succ if pred is None else pred
        near_code = near.task.external_id if near and near.task else "?"
        link = ExternalLink(
            predecessor=far_code if pred is None else near_code,
            successor=near_code if pred is None else far_code,
            type=link_type,
            lag_days=lag,
            external_side=side,
            external_project=far_project,
        )
        self.schedule.external_links.append(link)
        self._warn(
            f"activity {near_code}",
            f"its {side} {far_code} belongs to project {far_project or '?'}, which is not "
            "imported; the relationship is reported, not created",
        )

    def _read_assignments(self) -> None:
        resources = {r.get("rsrc_id", ""): r for r in self.t.rows("RSRC")}
        units = {u.get("unit_id", ""): u.get("unit_abbrev", "") for u in self.t.rows("UMEASURE")}
        for row in self.t.rows("TASKRSRC"):
            activity = self.activities.get(row.get("task_id", ""))
            if activity is None or activity.task is None:
                continue
            resource = resources.get(row.get("rsrc_id", ""))
            if resource is None:
                self._warn(
                    activity.task.source, "an assignment without a resource (role only) is skipped"
                )
                continue
            rsrc_type = resource.get("rsrc_type") or row.get("rsrc_type", "")
            kind = KIND_BY_RSRC_TYPE.get(rsrc_type, ResourceKind.labour)
            unit = (
                "h"
                if kind is not ResourceKind.material
                else (units.get(resource.get("unit_id", "")) or "unit")
            )
            name = resource.get("rsrc_name", "").strip() or resource.get("rsrc_short_name", "")
            activity.task.resources.append(
                ParsedResource(kind, name.strip(), _assignment_quantity(row), unit)
            )

    # -- reporting ------------------------------------------------------------------------

    def _problem(self, where: str, message: str, field: str | None = None) -> None:
        self.schedule.problems.append(Problem(where, message, field))

    def _warn(self, where: str, message: str) -> None:
        self.schedule.warnings.append(Problem(where, message))


@dataclass
class _CodedValues:
    tags: list[str]
    subcontractor: str | None = None
    location: str | None = None
    package: str | None = None


class _ActivityCodes:
    """Activity code assignments: every one becomes a tag, some also fill a task property."""

    def __init__(self, tables: XerTables) -> None:
        self.types = {r.get("actv_code_type_id", ""): r for r in tables.rows("ACTVTYPE")}
        self.values = {r.get("actv_code_id", ""): r for r in tables.rows("ACTVCODE")}
        self.by_task: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for row in tables.rows("TASKACTV"):
            self.by_task[row.get("task_id", "")].append(
                (row.get("actv_code_type_id", ""), row.get("actv_code_id", ""))
            )

    def for_task(self, task_id: str) -> _CodedValues:
        result = _CodedValues(tags=[])
        for type_id, value_id in self.by_task.get(task_id, []):
            type_name = self.types.get(type_id, {}).get("actv_code_type", "").strip()
            value = self.values.get(value_id)
            if not type_name or value is None:
                continue
            short = value.get("short_name", "").strip()
            label = value.get("actv_code_name", "").strip() or short
            result.tags.append(f"{type_name}: {short or label}")
            lowered = type_name.lower()
            if SUBCONTRACTOR_CODE_WORD in lowered and result.subcontractor is None:
                result.subcontractor = label
            elif lowered in LOCATION_CODE_TYPES and result.location is None:
                result.location = label
            elif PACKAGE_CODE_WORD in lowered and result.package is None:
                result.package = label
        return result


def _select_projects(rows: list[Row], wanted: str | None, schedule: ParsedSchedule) -> list[Row]:
    if wanted is not None:
        chosen = [r for r in rows if wanted in (r.get("proj_short_name"), r.get("proj_id"))]
        if not chosen:
            names = ", ".join(r.get("proj_short_name", "?") for r in rows)
            raise ImportFileError(f"The XER file has no project {wanted!r}; it holds: {names}.")
        return chosen
    exported = [r for r in rows if r.get("export_flag") == "Y"]
    if exported:
        return exported
    if rows and any("export_flag" in r for r in rows) and len(rows) > 1:
        schedule.warnings.append(
            Problem("file", "no project is flagged as exported; every project is imported")
        )
    if not rows:
        raise ImportFileError("The XER file's PROJECT table is empty.")
    return rows


def _wbs_path(wbs_id: str, rows: dict[str, Row]) -> list[str]:
    path: list[str] = []
    seen: set[str] = set()
    current: str | None = wbs_id
    while current in rows and current not in seen:
        seen.add(current)
        row = rows[current]
        if row.get("proj_node_flag") == "Y":
            break
        path.append(row.get("wbs_short_name", "").strip() or current)
        current = row.get("parent_wbs_id")
    return path[::-1]


def _memos_by_task(tables: XerTables) -> dict[str, list[str]]:
    types = {r.get("memo_type_id", ""): r.get("memo_type", "") for r in tables.rows("MEMOTYPE")}
    memos: dict[str, list[str]] = defaultdict(list)
    for row in tables.rows("TASKMEMO"):
        text = html_to_text(row.get("task_memo", "").replace(LINE_BREAK_IN_FIELD, "\n"))
        if text:
            heading = types.get(row.get("memo_type_id", ""), "").strip()
            memos[row.get("task_id", "")].append(f"{heading}:\n{text}" if heading else text)
    return memos


def _lag_calendar_rule(tables: XerTables, project_ids: set[str]) -> str:
    """Whose calendar converts lag hours to days (P6 schedule option, successor by default)."""
    for row in tables.rows("SCHEDOPTIONS"):
        if row.get("proj_id") in project_ids:
            value = row.get("sched_calendar_on_relationship_lag", "")
            return {
                "rcal_Predecessor": "predecessor",
                "rcal_24Hour": "24hour",
                "rcal_ProjDefault": "project",
            }.get(value, "successor")
    return "successor"


def _first_date(row: Row, *names: str) -> dt.datetime | None:
    for name in names:
        value = row.get(name, "").strip()
        if value:
            try:
                return dt.datetime.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{name} = {value!r}") from None
    return None


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def _assignment_quantity(row: Row) -> float:
    """Units at completion (actual + remaining), or the budget when those are not exported."""
    parts = [_number(row.get(k)) for k in ("act_reg_qty", "act_ot_qty", "remain_qty")]
    if any(p is not None for p in parts):
        return round(sum(p or 0.0 for p in parts), 3)
    return round(_number(row.get("target_qty")) or 0.0, 3)


def _round_half_away(value: float) -> int:
    return int(value + 0.5) if value >= 0 else -int(-value + 0.5)
