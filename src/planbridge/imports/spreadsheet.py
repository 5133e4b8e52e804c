"""CSV and XLSX files made from the PlanBridge template → ``ParsedSchedule``.

Every mistake is reported with the row number a spreadsheet user sees (the header is row 1),
and the whole file is checked: one bad row does not hide the next.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, TypeVar

from planbridge.imports import dates, limits
from planbridge.imports.columns import (
    COLUMN_NAMES,
    DATE_COLUMNS,
    LIST_SEPARATOR,
    PART_SEPARATOR,
    REQUIRED_COLUMNS,
    Cell,
)
from planbridge.imports.encoding import decode
from planbridge.imports.errors import ImportFileError
from planbridge.imports.limits import too_many_rows
from planbridge.imports.schedule import (
    ParsedCalendar,
    ParsedFolder,
    ParsedLink,
    ParsedResource,
    ParsedSchedule,
    ParsedTask,
    Problem,
    TaskStore,
)
from planbridge.imports.workdays import workdays
from planbridge.planning.calendar import WorkCalendar
from planbridge.planning.enums import LinkType, ResourceKind, Shift, TaskStatus, TaskType

SheetKind = Literal["csv", "xlsx"]
TASKS_SHEET = "Tasks"
TRUE_WORDS = frozenset({"yes", "y", "true", "1", "x", "oui", "ja", "si", "sí"})
FALSE_WORDS = frozenset({"no", "n", "false", "0", "non", "nein", ""})
KIND_WORDS = {
    "labour": ResourceKind.labour,
    "labor": ResourceKind.labour,
    "plant": ResourceKind.plant,
    "equipment": ResourceKind.plant,
    "material": ResourceKind.material,
}
_DEFAULT_CALENDAR = ParsedCalendar(name="")
_E = TypeVar("_E", TaskType, TaskStatus, Shift)


def parse_spreadsheet(
    data: bytes,
    kind: SheetKind,
    *,
    calendars: Sequence[ParsedCalendar] | None = None,
    encoding: str | None = None,
    max_rows: int | None = None,
    date_format: str | None = None,
) -> ParsedSchedule:
    """Parse a template spreadsheet.

    ``calendars`` are the project's calendars, default first: when given, an unknown calendar
    name is a problem and durations use the named calendar; when not, names are kept as
    written and durations count Monday to Friday. ``date_format`` (``auto``, ``dmy``, ``mdy``
    or ``ymd``) says how dates written as text are read (:mod:`planbridge.imports.dates`).
    """
    order = dates.checked(date_format)
    schedule = ParsedSchedule(source_format=kind, tasks=TaskStore())
    if kind == "csv":
        text, schedule.encoding = decode(data, encoding)
        rows = _csv_rows(text)
    else:
        rows = _xlsx_rows(data)
    try:
        header = next(rows, None)
        if header is None or not any(_text(c) for c in header[1]):
            raise ImportFileError("The spreadsheet is empty: row 1 should hold the column names.")
        columns = _read_header(header[1], schedule)
        if not schedule.problems:
            most = limits.max_rows(max_rows)
            reader = _RowReader(schedule, columns, calendars, most, date_order=order)
            if kind == "csv" and order is dates.DateFormat.auto:
                reader.resolve_order = lambda: _date_order(text, schedule, most)
            reader.read(rows)
    except csv.Error as exc:
        raise ImportFileError(f"The CSV file cannot be read: {exc}.") from None
    return schedule


# -- reading cells --------------------------------------------------------------------------


def _date_order(text: str, schedule: ParsedSchedule, max_rows: int) -> dates.DateFormat:
    """The order a CSV's text dates are written in, from a pass over its date columns (the
    first ``max_rows`` rows; a CSV is text in memory already), made only when the reader meets
    a date that is not ISO; a note in the warnings says which order was chosen and why."""
    rows = itertools.islice(_csv_rows(text), max_rows + 1)
    try:
        header = next(rows, None)
        if header is None:
            return dates.DateFormat.ymd
        names = [_text(c).lower().replace(" ", "_").rstrip("*") for c in header[1]]
        wanted = [(i, n) for i, n in enumerate(names) if n in DATE_COLUMNS]
        cells = (
            (number, name, value)
            for number, row in rows
            for i, name in wanted
            if i < len(row) and isinstance(value := row[i], str)
        )
        order, note = dates.detect(cells)
    except csv.Error as exc:
        raise ImportFileError(f"The CSV file cannot be read: {exc}.") from None
    if note:
        schedule.warnings.append(Problem("file", note))
    return order


def _csv_rows(text: str) -> Iterator[tuple[int, list[Cell]]]:
    """The records of a CSV text, numbered from 1. A file cut short is refused: a quoted field
    still open at the end, or a last row with fewer cells than the header and no line end."""
    first_line = text[: text.find("\n")] if "\n" in text else text
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(_text_lines(text), delimiter=delimiter, strict=True)
    width, number = 0, 0
    last: list[Cell] | None = None
    try:
        for record in reader:
            if last is not None:
                yield number, last
            number += 1
            width = width or len(record)
            last = list(record)
    except csv.Error as exc:
        if "end of data" in str(exc):
            raise _cut_short(number + 1, "inside a quoted field") from None
        raise ImportFileError(f"The CSV file cannot be read at row {number + 1}: {exc}.") from None
    if last is None:
        return
    if number > 1 and len(last) < width and not text.endswith(("\n", "\r")):
        raise _cut_short(number, f"after {len(last)} of its {width} cells")
    yield number, last


def _text_lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their endings, one at a time (no copy of the whole text)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def _cut_short(row: int, where: str) -> ImportFileError:
    return ImportFileError(
        f"The CSV file ends in the middle of row {row}, {where}: it was cut short, and "
        "importing it would lose what came after.",
        hint="Save or export the spreadsheet again and upload the whole file.",
        details={"row": row},
    )


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Cell]]]:
    from openpyxl import load_workbook  # on first use: ~22 MiB a server need not hold at start

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise ImportFileError(
            f"The Excel file cannot be opened ({exc}): it is damaged or was cut short.",
            hint="Save the workbook again as .xlsx and upload the whole file.",
        ) from None
    number = 0
    try:
        sheet = book[TASKS_SHEET] if TASKS_SHEET in book.sheetnames else book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(v) for v in values]
    except Exception as exc:
        raise ImportFileError(
            f"The Excel sheet cannot be read after row {number} ({exc}): the workbook is "
            "damaged or was cut short.",
            hint="Save the workbook again as .xlsx and upload the whole file.",
            details={"row": number + 1},
        ) from None
    finally:
        book.close()


def _cell(value: object) -> Cell:
    """An openpyxl value as a plain cell value (rich text and formulas become text)."""
    if value is None or isinstance(value, str | int | float | bool | dt.date):
        return value
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _read_header(cells: list[Cell], schedule: ParsedSchedule) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = _text(cell).lower().replace(" ", "_").rstrip("*")
        if not name:
            continue
        if name in columns:
            schedule.problems.append(Problem("row 1", f"column {name!r} appears twice", row=1))
        elif name not in COLUMN_NAMES:
            schedule.warnings.append(
                Problem("row 1", f"column {name!r} is not in the template; ignored", row=1)
            )
        else:
            columns[name] = index
    for name in REQUIRED_COLUMNS:
        if name not in columns:
            schedule.problems.append(
                Problem("row 1", f"required column {name!r} is missing", row=1)
            )
    return columns


# -- validating rows ------------------------------------------------------------------------


@dataclass
class _PendingLink:
    row: int
    predecessor: str
    successor: str
    type: LinkType
    lag: int


@dataclass
class _RowReader:
    schedule: ParsedSchedule
    columns: dict[str, int]
    calendars: Sequence[ParsedCalendar] | None
    max_rows: int
    rows_by_id: dict[str, int] = field(default_factory=dict)
    parents: dict[str, tuple[int, str]] = field(default_factory=dict)
    links: list[_PendingLink] = field(default_factory=list)
    row_problems: int = 0
    date_order: dates.DateFormat = dates.DateFormat.auto
    resolve_order: Callable[[], dates.DateFormat] | None = None
    """For ``auto`` on a CSV: decides the order from the whole file, at the first numeric
    date that is not ISO (a file of ISO dates is read once)."""

    def read(self, rows: Iterator[tuple[int, list[Cell]]]) -> None:
        by_name = {c.name.casefold(): (c, workdays(c)) for c in self.calendars or ()}
        default = next(iter(by_name.values()), (None, workdays(_DEFAULT_CALENDAR)))
        self.workdays = by_name
        self.default_workdays = default
        seen = 0
        for number, cells in rows:
            values = {
                name: cells[i] if i < len(cells) else None for name, i in self.columns.items()
            }
            if all(_text(v) == "" for v in values.values()):
                continue
            seen += 1
            if seen > self.max_rows:
                raise too_many_rows(self.max_rows, "rows")
            self._row(number, values)
        self._check_references()
        folders = sorted({t.folder_code for t in self.schedule.tasks if t.folder_code})
        self.schedule.folders = [ParsedFolder(code, code) for code in folders]
        self.schedule.calendars = list(self.calendars or ())

    def _problem(self, row: int, name: str | None, message: str) -> None:
        self.row_problems += 1
        self.schedule.problems.append(Problem(f"row {row}", message, field=name, row=row))

    def _row(self, row: int, values: dict[str, Cell]) -> None:
        before = len(self.schedule.problems)
        text = {name: _text(value) for name, value in values.items()}
        external_id = text.get("external_id", "")
        if not external_id:
            self._problem(row, "external_id", "is required")
        elif external_id in self.rows_by_id:
            self._problem(
                row,
                "external_id",
                f"{external_id!r} is already used on row {self.rows_by_id[external_id]}",
            )
        else:
            self.rows_by_id[external_id] = row
        name = text.get("name", "")
        if not name:
            self._problem(row, "name", "is required")
        task_type = self._choice(row, "type", text, TaskType, TaskType.task)
        status = self._choice(row, "status", text, TaskStatus, TaskStatus.planned)
        shift = self._choice(row, "shift", text, Shift, Shift.day)
        committed = self._flag(row, text.get("committed", ""))
        calendar_name, workdays = self._calendar(row, text.get("calendar", ""))
        start = self._date(row, "start", values.get("start"), required=True)
        end = self._date(row, "end", values.get("end"))
        target = self._date(row, "milestone_target_date", values.get("milestone_target_date"))
        duration = self._duration(row, text.get("duration_days", ""))
        resources = self._resources(row, text.get("resources", ""))
        self._predecessors(row, external_id, text.get("predecessors", ""))
        parent = text.get("parent_external_id") or None
        if parent and external_id:
            self.parents[external_id] = (row, parent)
        if len(self.schedule.problems) > before or start is None:
            return
        dates = self._span(row, task_type, start, end, duration, workdays)
        if dates is None:
            return
        end, duration = dates
        self.schedule.tasks.append(
            ParsedTask(
                external_id=external_id,
                name=name,
                start=start,
                end=end,
                duration_days=duration,
                source=f"row {row}",
                type=task_type,
                calendar=calendar_name,
                folder_code=text.get("folder") or None,
                parent_external_id=parent,
                shift=shift,
                owner=text.get("owner") or None,
                assignees=_list(text.get("assignees", "")),
                subcontractor=text.get("subcontractor") or None,
                location=text.get("location") or None,
                work_area=text.get("work_area") or None,
                package=text.get("package") or None,
                status=status,
                committed=committed,
                milestone_target_date=target,
                tags=list(dict.fromkeys(_list(text.get("tags", "")))),
                notes=text.get("notes") or None,
                resources=resources,
            )
        )

    def _choice(self, row: int, name: str, text: dict[str, str], enum: type[_E], default: _E) -> _E:
        raw = text.get(name, "")
        if not raw:
            return default
        word = raw.lower().replace(" ", "_").replace("-", "_")
        try:
            return enum(word)
        except ValueError:
            allowed = ", ".join(e.value for e in enum)
            self._problem(row, name, f"{raw!r} is not one of: {allowed}")
            return default

    def _flag(self, row: int, raw: str) -> bool:
        word = raw.lower()
        if word in TRUE_WORDS:
            return True
        if word not in FALSE_WORDS:
            self._problem(row, "committed", f"{raw!r} is not yes or no")
        return False

    def _calendar(self, row: int, raw: str) -> tuple[str | None, WorkCalendar]:
        if not raw:
            calendar, workdays = self.default_workdays
            return (calendar.name if calendar else None), workdays
        if self.calendars is None:
            return raw, self.default_workdays[1]
        found = self.workdays.get(raw.casefold())
        if found is None:
            known = ", ".join(c.name for c in self.calendars) or "none"
            self._problem(row, "calendar", f"unknown calendar {raw!r} (known: {known})")
            return raw, self.default_workdays[1]
        return found[0].name, found[1]

    def _date(self, row: int, name: str, value: Cell, *, required: bool = False) -> dt.date | None:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        raw = _text(value)
        if not raw:
            if required:
                self._problem(row, name, "is required")
            return None
        if self.resolve_order is not None and dates.is_numeric(raw):
            self.date_order, self.resolve_order = self.resolve_order(), None
        parsed = dates.parse(raw, self.date_order)
        if parsed is None:
            self._problem(
                row, name, f"{raw!r} is not a date; write {dates.expected(self.date_order)}"
            )
        return parsed

    def _duration(self, row: int, raw: str) -> int | None:
        if not raw:
            return None
        try:
            number = float(raw.replace(",", "."))
        except ValueError:
            number = -1.0
        if not number.is_integer() or number < 1:
            self._problem(row, "duration_days", f"{raw!r} is not a whole number of days >= 1")
            return None
        return int(number)

    def _span(
        self,
        row: int,
        task_type: TaskType,
        start: dt.date,
        end: dt.date | None,
        duration: int | None,
        workdays: WorkCalendar,
    ) -> tuple[dt.date, int] | None:
        if task_type is TaskType.milestone:
            if end is not None and end != start:
                self._problem(row, "end", "a milestone ends on its start day; leave end blank")
                return None
            if duration not in (None, 1):
                self._problem(row, "duration_days", "a milestone lasts 1 day")
                return None
            return start, 1
        if end is None:
            if duration is None:
                self._problem(row, "end", "give an end date or duration_days")
                return None
            return workdays.finish(start, duration), duration
        if end < start:
            self._problem(row, "end", f"{end} is before start {start}")
            return None
        return end, duration if duration is not None else workdays.duration(start, end)

    def _resources(self, row: int, raw: str) -> list[ParsedResource]:
        resources: list[ParsedResource] = []
        for item in _list(raw):
            parts = [p.strip() for p in item.split(PART_SEPARATOR)]
            if len(parts) < 4:
                self._problem(row, "resources", f"{item!r} is not kind:name:quantity:unit")
                continue
            kind = KIND_WORDS.get(parts[0].lower())
            name = PART_SEPARATOR.join(parts[1:-2]).strip()
            quantity = _number(parts[-2])
            unit = parts[-1]
            if kind is None:
                self._problem(row, "resources", f"{parts[0]!r} is not labour, plant or material")
            elif not name or not unit:
                self._problem(row, "resources", f"{item!r} needs a name and a unit")
            elif quantity is None or quantity < 0:
                self._problem(row, "resources", f"quantity {parts[-2]!r} is not a number >= 0")
            else:
                resources.append(ParsedResource(kind, name, quantity, unit))
        return resources

    def _predecessors(self, row: int, successor: str, raw: str) -> None:
        for item in _list(raw):
            parsed = _link_item(item)
            if parsed is None:
                self._problem(row, "predecessors", f"{item!r} is not external_id[:TYPE[:LAG]]")
                continue
            predecessor, link_type, lag = parsed
            self.links.append(_PendingLink(row, predecessor, successor, link_type, lag))

    def _check_references(self) -> None:
        known = {t.external_id for t in self.schedule.tasks} if self.links else set()
        seen: set[tuple[str, str, LinkType]] = set()
        for link in self.links:
            if link.predecessor not in self.rows_by_id:
                self._problem(
                    link.row, "predecessors", f"no task has external_id {link.predecessor!r}"
                )
            elif link.predecessor == link.successor:
                self._problem(link.row, "predecessors", "a task cannot precede itself")
            elif (link.predecessor, link.successor, link.type) in seen:
                self._problem(link.row, "predecessors", f"{link.predecessor!r} is listed twice")
            elif link.predecessor in known and link.successor in known:
                seen.add((link.predecessor, link.successor, link.type))
                self.schedule.links.append(
                    ParsedLink(link.predecessor, link.successor, link.type, link.lag)
                )
        for child, (row, parent) in self.parents.items():
            if parent not in self.rows_by_id:
                self._problem(row, "parent_external_id", f"no task has external_id {parent!r}")
            elif _has_cycle(child, self.parents):
                self._problem(row, "parent_external_id", "tasks cannot be their own ancestors")


def _list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(LIST_SEPARATOR) if item.strip()]


def _number(raw: str) -> float | None:
    try:
        return float(raw.replace(",", "."))
    except ValueError:
        return None


def _link_item(item: str) -> tuple[str, LinkType, int] | None:
    """``A-10``, ``A-10:SS`` or ``A-10:SS:-2``; the id itself may contain colons."""
    parts = [p.strip() for p in item.split(PART_SEPARATOR)]
    link_type, lag = LinkType.FS, 0
    if len(parts) >= 3 and parts[-2].upper() in LinkType.__members__:
        try:
            lag = int(parts[-1].replace("+", ""))
        except ValueError:
            return None
        link_type, parts = LinkType(parts[-2].upper()), parts[:-2]
    elif len(parts) >= 2 and parts[-1].upper() in LinkType.__members__:
        link_type, parts = LinkType(parts[-1].upper()), parts[:-1]
    predecessor = PART_SEPARATOR.join(parts).strip()
    return (predecessor, link_type, lag) if predecessor else None


def _has_cycle(start: str, parents: dict[str, tuple[int, str]]) -> bool:
    seen = {start}
    current = parents.get(start)
    while current is not None:
        if current[1] in seen:
            return True
        seen.add(current[1])
        current = parents.get(current[1])
    return False
