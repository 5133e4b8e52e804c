"""Microsoft Project XML (MSPDI) files → ``ParsedSchedule``.

Decisions (see docs/imports.md for the full field mapping):

- Summary tasks become folders (WBS nodes), not parent tasks: Last Planner tasks are the
  leaves, and the issue asks for WBS to become folders. The folder code is the task's ``WBS``
  field (MS Project's WBS code, outline numbers by default).
- ``external_id`` is the task ``UID``, which MS Project never reuses or renumbers (``ID`` is
  the row number and changes when rows move).
- The project summary task (UID 0 / outline level 0), blank rows (``IsNull``), inactive tasks
  and assignments to no resource are skipped.
- Start and finish are MS Project's current ``Start``/``Finish``; ``ActualStart``/
  ``ActualFinish`` are not read (Aspose writes placeholder actuals on tasks never started).

XML is parsed with defusedxml, so entity expansion and DTD tricks in uploads are refused.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Literal
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from planbridge.imports import limits
from planbridge.imports.errors import ImportFileError
from planbridge.imports.limits import too_many_rows
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
from planbridge.planning.calendar import WorkCalendar
from planbridge.planning.enums import LinkType, ResourceKind, TaskStatus, TaskType

MSPDI_NAMESPACE = "http://schemas.microsoft.com/project"
LINK_BY_TYPE = {"0": LinkType.FF, "1": LinkType.FS, "2": LinkType.SF, "3": LinkType.SS}
ELAPSED_LAG_FORMATS = frozenset(
    {"4", "6", "8", "10", "12", "20", "36", "38", "40", "42", "44", "52"}
)
PERCENT_LAG_FORMATS = frozenset({"19", "20", "51", "52"})
NO_RESOURCE_UIDS = frozenset({"-65535", "-1", ""})
MAX_EXCEPTION_DAYS = 3660
_DURATION = re.compile(
    r"^-?P(?:(?P<d>[\d.]+)D)?(?:T(?:(?P<h>[\d.]+)H)?(?:(?P<m>[\d.]+)M)?(?:(?P<s>[\d.]+)S)?)?$"
)


def parse_mspdi(data: bytes, *, max_rows: int | None = None) -> ParsedSchedule:
    """Parse the bytes of an MSPDI file (a UTF-8 byte-order mark is fine)."""
    root = _parse_xml(data, limits.max_rows(max_rows))
    return _MspdiMapper(root).build()


_ENDED_EARLY = frozenset({3, 5, 6})
"""Expat errors that mean the input stopped: no element found, unclosed token, partial
character."""


class _TrackingBuilder(TreeBuilder):
    """Builds the tree while remembering which elements are open and the last task closed, so
    that a file cut short can be refused naming where it broke."""

    def __init__(self, max_rows: int) -> None:
        super().__init__()
        self.open: list[str] = []
        self.last_task_uid: str | None = None
        self.tasks = 0
        self.max_rows = max_rows

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        self.open.append(tag.rpartition("}")[2])
        return super().start(tag, attrs)

    def end(self, tag: str) -> Element:
        self.open.pop()
        element = super().end(tag)
        if self.open[-1:] == ["Tasks"]:
            self.last_task_uid = element.findtext(tag[: -len("Task")] + "UID")
            self.tasks += 1
            if self.tasks > self.max_rows:
                raise too_many_rows(self.max_rows, "tasks")
        return element


def _parse_xml(data: bytes, max_rows: int) -> Element:
    builder = _TrackingBuilder(max_rows)
    parser = DefusedXMLParser(target=builder)
    try:
        parser.feed(data)
        root: Element = parser.close()
    except ParseError as exc:
        line, column = exc.position
        if builder.open and exc.code in _ENDED_EARLY:
            raise _cut_short(builder, line, column) from None
        raise ImportFileError(f"The XML is not well formed: {exc}.") from None
    except DefusedXmlException as exc:
        raise ImportFileError(f"The XML uses a forbidden construct: {exc}.") from None
    if root.tag not in (f"{{{MSPDI_NAMESPACE}}}Project", "Project"):
        raise ImportFileError(
            f"This XML file is not a Microsoft Project XML (MSPDI) file: its root is {root.tag}.",
            hint="In MS Project use File > Save As > XML Format (*.xml).",
        )
    return root


def _cut_short(builder: _TrackingBuilder, line: int, column: int) -> ImportFileError:
    inside = "/".join(builder.open)
    after = f", after task UID {builder.last_task_uid}" if builder.last_task_uid else ""
    return ImportFileError(
        f"The XML file ends before it is closed, at line {line}, column {column}, inside "
        f"<{inside}>{after}: it was cut short.",
        hint="Save the plan from MS Project again (File > Save As > XML Format) and upload "
        "the whole file.",
        details={
            "line": line,
            "column": column,
            "inside": inside,
            "task_uid": builder.last_task_uid,
        },
    )


@dataclass
class _RawCalendar:
    uid: str
    name: str
    base_uid: str | None
    weekdays: dict[int, bool]
    off: list[dt.date] = field(default_factory=list)
    extra_working: int = 0
    skipped_exceptions: int = 0


@dataclass
class _Resource:
    name: str
    kind: ResourceKind | None
    unit: str


class _MspdiMapper:
    def __init__(self, root: Element) -> None:
        self.root = root
        self.ns = root.tag[: -len("Project")]
        self.schedule = ParsedSchedule(source_format="mspdi")
        self.minutes_per_day = _float(self._text(root, "MinutesPerDay")) or 480.0
        self.raw_calendars = {
            c.uid: c for c in map(self._raw_calendar, self._all(root, "Calendars", "Calendar"))
        }
        self.default_calendar_uid = self._text(root, "CalendarUID") or ""
        self.calendars: dict[str, ParsedCalendar] = {}
        self.workdays: dict[str, WorkCalendar] = {}
        self.tasks_by_uid: dict[str, ParsedTask] = {}
        self.folder_uids: set[str] = set()

    def build(self) -> ParsedSchedule:
        self.schedule.name = self._text(self.root, "Title") or self._text(self.root, "Name")
        link_rows = self._read_tasks()
        self._read_links(link_rows)
        self._read_assignments()
        self.schedule.calendars = list(self.calendars.values())
        return self.schedule

    # -- XML helpers ----------------------------------------------------------------------

    def _text(self, element: Element, name: str) -> str | None:
        child = element.find(self.ns + name)
        if child is None or child.text is None:
            return None
        return child.text.strip()

    def _all(self, element: Element, *path: str) -> list[Element]:
        return element.findall("/".join(self.ns + p for p in path))

    # -- calendars ------------------------------------------------------------------------

    def _raw_calendar(self, element: Element) -> _RawCalendar:
        uid = self._text(element, "UID") or ""
        base = self._text(element, "BaseCalendarUID")
        raw = _RawCalendar(
            uid=uid,
            name=self._text(element, "Name") or f"Calendar {uid}",
            base_uid=None if base in (None, "-1") else base,
            weekdays={},
        )
        for day in self._all(element, "WeekDays", "WeekDay"):
            day_type = self._text(day, "DayType") or ""
            working = self._text(day, "DayWorking") == "1"
            if day_type == "0":
                self._add_exception(raw, day, working, "1")
            elif day_type.isdigit() and 1 <= int(day_type) <= 7:
                raw.weekdays[7 if day_type == "1" else int(day_type) - 1] = working
        for exception in self._all(element, "Exceptions", "Exception"):
            working = self._text(exception, "DayWorking") == "1"
            self._add_exception(raw, exception, working, self._text(exception, "Type") or "1")
        return raw

    def _add_exception(self, raw: _RawCalendar, element: Element, working: bool, kind: str) -> None:
        first = _date(self._text(element, f"TimePeriod/{self.ns}FromDate"))
        last = _date(self._text(element, f"TimePeriod/{self.ns}ToDate"))
        if first is None or last is None or kind != "1":
            raw.skipped_exceptions += 1
            return
        if working:
            raw.extra_working += 1
            return
        span = min((last - first).days, MAX_EXCEPTION_DAYS)
        raw.off.extend(first + dt.timedelta(days=i) for i in range(span + 1))

    def _calendar(self, uid: str) -> ParsedCalendar | None:
        if uid in self.calendars:
            return self.calendars[uid]
        raw = self.raw_calendars.get(uid)
        if raw is None:
            return None
        weekdays = {day: day <= 5 for day in range(1, 8)}  # MS Project's default week
        off: list[dt.date] = []
        chain: list[_RawCalendar] = []
        current: _RawCalendar | None = raw
        while current is not None and current not in chain:
            chain.append(current)
            current = self.raw_calendars.get(current.base_uid or "")
        for link in reversed(chain):
            weekdays.update(link.weekdays)
            off.extend(link.off)
        name = raw.name
        if any(c.name == name for c in self.calendars.values()):
            name = f"{name} ({uid})"
        calendar = ParsedCalendar(
            name=name,
            working_isoweekdays=tuple(sorted(d for d, working in weekdays.items() if working)),
            holidays=tuple(sorted(set(off))),
            hours_per_day=self.minutes_per_day / 60,
        )
        where = f"calendar '{name}'"
        if raw.extra_working:
            self._warn(where, f"{raw.extra_working} extra working periods are ignored")
        if raw.skipped_exceptions:
            self._warn(where, f"{raw.skipped_exceptions} recurring exceptions are not expanded")
        if self._all_work_weeks(uid):
            self._warn(where, "alternative work weeks (WorkWeeks) are ignored")
        self.calendars[uid] = calendar
        self.workdays[uid] = workdays(calendar)
        return calendar

    def _all_work_weeks(self, uid: str) -> bool:
        for element in self._all(self.root, "Calendars", "Calendar"):
            if self._text(element, "UID") == uid:
                return bool(self._all(element, "WorkWeeks", "WorkWeek"))
        return False

    # -- tasks ----------------------------------------------------------------------------

    def _read_tasks(self) -> list[tuple[ParsedTask, Element]]:
        outline: list[tuple[int, str]] = []
        with_links: list[tuple[ParsedTask, Element]] = []
        folder_codes: set[str] = set()
        self._calendar(self.default_calendar_uid)
        for element in self._all(self.root, "Tasks", "Task"):
            uid = self._text(element, "UID") or ""
            level = int(_float(self._text(element, "OutlineLevel")) or 0)
            if self._text(element, "IsNull") == "1" or uid == "0" or level == 0:
                continue
            while outline and outline[-1][0] >= level:
                outline.pop()
            parent = outline[-1][1] if outline else None
            where = f"task UID {uid}"
            if self._text(element, "Summary") == "1":
                code = self._text(element, "WBS") or self._text(element, "OutlineNumber") or uid
                if code in folder_codes:
                    code = f"{code} ({uid})"
                    self._warn(where, f"WBS code repeated; folder code {code!r} used")
                folder_codes.add(code)
                self.folder_uids.add(uid)
                name = self._text(element, "Name") or code
                self.schedule.folders.append(ParsedFolder(code, name, parent))
                outline.append((level, code))
                continue
            if self._text(element, "Active") == "0" or self._text(element, "ExternalTask") == "1":
                self._warn(where, "inactive or external task skipped")
                continue
            task = self._task(element, uid, where, parent)
            if task is None:
                continue
            if uid in self.tasks_by_uid:
                self._problem(where, "two tasks have this UID", "UID")
                continue
            self.tasks_by_uid[uid] = task
            self.schedule.tasks.append(task)
            with_links.append((task, element))
        return with_links

    def _task(
        self, element: Element, uid: str, where: str, folder: str | None
    ) -> ParsedTask | None:
        calendar_uid = self._text(element, "CalendarUID") or "-1"
        if calendar_uid == "-1":
            calendar_uid = self.default_calendar_uid
        calendar = self._calendar(calendar_uid)
        if calendar is None:
            self._problem(where, f"unknown calendar UID {calendar_uid}", "CalendarUID")
            return None
        start = _datetime(self._text(element, "Start"))
        finish = _datetime(self._text(element, "Finish"))
        if start is None or finish is None:
            self._problem(where, "the task has no readable Start or Finish", "Start")
            return None
        is_milestone = self._text(element, "Milestone") == "1"
        end = start.date() if is_milestone else _end_day(start, finish)
        if end < start.date():
            self._problem(where, f"finish {end} is before start {start.date()}", "Finish")
            return None
        name = self._text(element, "Name")
        if not name:
            name = f"Task {self._text(element, 'ID') or uid}"
            self._warn(where, f"the task has no name; {name!r} used")
        workdays = self.workdays[calendar_uid]
        return ParsedTask(
            external_id=uid,
            name=name,
            start=start.date(),
            end=end,
            duration_days=1 if is_milestone else workdays.duration(start.date(), end),
            source=where,
            type=TaskType.milestone if is_milestone else TaskType.task,
            calendar=calendar.name,
            folder_code=folder,
            status=_status(_float(self._text(element, "PercentComplete")) or 0.0),
            notes=self._text(element, "Notes") or None,
        )

    # -- links and assignments ------------------------------------------------------------

    def _read_links(self, tasks: list[tuple[ParsedTask, Element]]) -> None:
        seen: set[tuple[str, str, LinkType]] = set()
        for task, element in tasks:
            for link in self._all(element, "PredecessorLink"):
                pred_uid = self._text(link, "PredecessorUID") or ""
                link_type = LINK_BY_TYPE.get(self._text(link, "Type") or "1", LinkType.FS)
                lag = self._lag_days(link, task.source)
                if self._text(link, "CrossProject") == "1":
                    self._external(
                        task, pred_uid, link_type, lag, self._text(link, "CrossProjectName")
                    )
                    continue
                if pred_uid not in self.tasks_by_uid:
                    what = "a summary task" if pred_uid in self.folder_uids else "no imported task"
                    self._warn(task.source, f"link from UID {pred_uid} ({what}) dropped")
                    continue
                key = (pred_uid, task.external_id, link_type)
                if key in seen or pred_uid == task.external_id:
                    self._warn(task.source, f"repeated or self link from UID {pred_uid} dropped")
                    continue
                seen.add(key)
                self.schedule.links.append(ParsedLink(pred_uid, task.external_id, link_type, lag))

    def _lag_days(self, link: Element, where: str) -> int:
        tenths_of_minutes = _float(self._text(link, "LinkLag")) or 0.0
        if not tenths_of_minutes:
            return 0
        lag_format = self._text(link, "LagFormat") or "7"
        if lag_format in PERCENT_LAG_FORMATS:
            self._warn(where, "a lag given as a percentage is read as 0 days")
            return 0
        minutes_per_day = 1440.0 if lag_format in ELAPSED_LAG_FORMATS else self.minutes_per_day
        days = tenths_of_minutes / 10 / minutes_per_day
        return int(days + 0.5) if days >= 0 else -int(-days + 0.5)

    def _external(
        self, task: ParsedTask, pred: str, link_type: LinkType, lag: int, project: str | None
    ) -> None:
        side: Literal["predecessor"] = "predecessor"
        self.schedule.external_links.append(
            ExternalLink(pred, task.external_id, link_type, lag, side, project)
        )
        self._warn(task.source, f"cross-project predecessor {pred} is reported, not created")

    def _read_assignments(self) -> None:
        resources = {
            self._text(r, "UID") or "": self._resource(r)
            for r in self._all(self.root, "Resources", "Resource")
        }
        for element in self._all(self.root, "Assignments", "Assignment"):
            resource_uid = self._text(element, "ResourceUID") or ""
            task_uid = self._text(element, "TaskUID") or ""
            if resource_uid in NO_RESOURCE_UIDS:
                continue
            task = self.tasks_by_uid.get(task_uid)
            resource = resources.get(resource_uid)
            where = f"task UID {task_uid}"
            if task is None:
                self._warn(
                    where, f"assignment of resource UID {resource_uid} to a non-task skipped"
                )
            elif resource is None or resource.kind is None:
                self._warn(where, f"resource UID {resource_uid} is unknown or a cost resource")
            else:
                hours = _hours(self._text(element, "Work"))
                task.resources.append(
                    ParsedResource(resource.kind, resource.name, round(hours, 3), resource.unit)
                )

    def _resource(self, element: Element) -> _Resource:
        kind = {"0": ResourceKind.material, "1": ResourceKind.labour}.get(
            self._text(element, "Type") or "1"
        )
        if self._text(element, "IsNull") == "1":
            kind = None
        unit = (
            "h" if kind is ResourceKind.labour else self._text(element, "MaterialLabel") or "unit"
        )
        name = self._text(element, "Name") or f"Resource {self._text(element, 'UID')}"
        return _Resource(name, kind, unit)

    # -- reporting ------------------------------------------------------------------------

    def _problem(self, where: str, message: str, field: str | None = None) -> None:
        self.schedule.problems.append(Problem(where, message, field))

    def _warn(self, where: str, message: str) -> None:
        self.schedule.warnings.append(Problem(where, message))


def _status(percent_complete: float) -> TaskStatus:
    if percent_complete >= 100:
        return TaskStatus.complete
    if percent_complete > 0:
        return TaskStatus.in_progress
    return TaskStatus.planned


def _end_day(start: dt.datetime, finish: dt.datetime) -> dt.date:
    """The last day worked: a finish at midnight belongs to the day before."""
    if finish.time() == dt.time(0, 0) and finish.date() > start.date():
        return finish.date() - dt.timedelta(days=1)
    return finish.date()


def _datetime(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def _date(value: str | None) -> dt.date | None:
    parsed = _datetime(value)
    return parsed.date() if parsed else None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _hours(value: str | None) -> float:
    """Hours in an XML duration such as ``PT7H30M0S``; 0 when absent or unreadable."""
    match = _DURATION.match(value or "")
    if not match:
        return 0.0
    parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
    hours = parts["d"] * 24 + parts["h"] + parts["m"] / 60 + parts["s"] / 3600
    return -hours if (value or "").startswith("-") else hours
