"""The neutral in-memory model every import format is parsed into.

Nothing here knows about the database: the import service maps a ``ParsedSchedule`` onto
project rows (matching tasks by ``external_id``) in one transaction.
"""

from __future__ import annotations

import datetime as dt
import marshal
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, overload

from planbridge.planning.enums import (
    LinkType,
    ResourceKind,
    Shift,
    TaskStatus,
    TaskType,
)

SourceFormat = Literal["xer", "mspdi", "csv", "xlsx"]

MONDAY_TO_FRIDAY: tuple[int, ...] = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth knowing) in the source, located as its author would find it.

    ``location`` is "row 7" for spreadsheets (1-based, header is row 1), "activity A1010" for
    P6 and MS Project, "calendar 'Standard'" or "file" otherwise.
    """

    location: str
    message: str
    field: str | None = None
    row: int | None = None

    def __str__(self) -> str:
        where = f"{self.location}, {self.field}" if self.field else self.location
        return f"{where}: {self.message}"


@dataclass
class ParsedCalendar:
    """A working-day calendar: ISO weekdays worked (Monday=1 … Sunday=7) and dated holidays."""

    name: str
    working_isoweekdays: tuple[int, ...] = MONDAY_TO_FRIDAY
    holidays: tuple[dt.date, ...] = ()
    hours_per_day: float = 8.0


@dataclass
class ParsedFolder:
    """A WBS node. ``parent_code`` is None for a top-level node."""

    code: str
    name: str
    parent_code: str | None = None


@dataclass
class ParsedResource:
    kind: ResourceKind
    name: str
    quantity: float
    unit: str


@dataclass
class ParsedTask:
    """One task of the live plan. ``source`` says where it came from ("row 5", "activity A1")."""

    external_id: str
    name: str
    start: dt.date
    end: dt.date
    duration_days: int
    source: str
    type: TaskType = TaskType.task
    calendar: str | None = None
    folder_code: str | None = None
    parent_external_id: str | None = None
    shift: Shift = Shift.day
    owner: str | None = None
    assignees: list[str] = field(default_factory=list)
    subcontractor: str | None = None
    location: str | None = None
    work_area: str | None = None
    package: str | None = None
    status: TaskStatus = TaskStatus.planned
    committed: bool = False
    milestone_target_date: dt.date | None = None
    tags: list[str] = field(default_factory=list)
    notes: str | None = None
    resources: list[ParsedResource] = field(default_factory=list)


@dataclass
class ParsedLink:
    """A logic link between two imported tasks; ``lag_days`` is in working days (signed)."""

    predecessor_external_id: str
    successor_external_id: str
    type: LinkType = LinkType.FS
    lag_days: int = 0


@dataclass
class ExternalLink:
    """A link whose far end is not in the import (a P6 activity of a non-exported project).

    Kept so that the import report can show it; it is not created as a logic link.
    """

    predecessor: str
    successor: str
    type: LinkType
    lag_days: int
    external_side: Literal["predecessor", "successor"]
    external_project: str | None = None


@dataclass
class ParsedSchedule:
    """Everything one file says about a plan.

    ``problems`` are errors: an import with any problem must change nothing. ``warnings`` are
    facts the user should know (a dropped cross-project link, an ignored column) that do not
    stop the import.
    """

    source_format: SourceFormat
    name: str | None = None
    calendars: list[ParsedCalendar] = field(default_factory=list)
    folders: list[ParsedFolder] = field(default_factory=list)
    tasks: list[ParsedTask] | TaskStore = field(default_factory=list)
    """A list, or a packed :class:`TaskStore` (spreadsheets): read it by iterating."""
    links: list[ParsedLink] = field(default_factory=list)
    external_links: list[ExternalLink] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    encoding: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def task(self, external_id: str) -> ParsedTask:
        """The task with this external id (KeyError if absent)."""
        for task in self.tasks:
            if task.external_id == external_id:
                return task
        raise KeyError(external_id)


_Packed = tuple[Any, ...]


class TaskStore(Sequence[ParsedTask]):
    """Parsed tasks kept packed, so a large file's rows cost about their size in memory.

    Each task is held as a tuple of plain values (dates as ordinals, enums as their values),
    and every ``BLOCK`` of them as one ``marshal`` blob: about 100 bytes a spreadsheet row
    instead of about 1.5 KB as ``ParsedTask`` objects. Reading (iterating, indexing) unpacks
    fresh ``ParsedTask`` values, so a task cannot be changed once appended; the parsers that
    change tasks after reading them (XER, MS Project) keep a plain list. The blobs hold only
    values this process packed, never bytes read from a file.
    """

    BLOCK = 1024

    def __init__(self, tasks: Iterable[ParsedTask] = ()) -> None:
        self._blocks: list[bytes] = []
        self._pending: list[_Packed] = []
        self._cached: tuple[int, list[_Packed]] = (-1, [])
        for task in tasks:
            self.append(task)

    def append(self, task: ParsedTask) -> None:
        self._pending.append(_pack(task))
        if len(self._pending) == self.BLOCK:
            self._blocks.append(marshal.dumps(self._pending))
            self._pending = []

    def __len__(self) -> int:
        return len(self._blocks) * self.BLOCK + len(self._pending)

    def _block(self, number: int) -> list[_Packed]:
        if number == len(self._blocks):
            return self._pending
        if self._cached[0] != number:
            self._cached = (number, _unmarshal(self._blocks[number]))
        return self._cached[1]

    @overload
    def __getitem__(self, index: int) -> ParsedTask: ...

    @overload
    def __getitem__(self, index: slice) -> list[ParsedTask]: ...

    def __getitem__(self, index: int | slice) -> ParsedTask | list[ParsedTask]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("task index out of range")
        return _unpack(self._block(index // self.BLOCK)[index % self.BLOCK])

    def __iter__(self) -> Iterator[ParsedTask]:
        for number in range(len(self._blocks)):
            for packed in _unmarshal(self._blocks[number]):
                yield _unpack(packed)
        for packed in list(self._pending):
            yield _unpack(packed)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TaskStore | list | tuple):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"TaskStore({len(self)} tasks)"


def _unmarshal(blob: bytes) -> list[_Packed]:
    # Safe: a TaskStore only reads back the blobs it packed itself, never bytes from outside.
    packed: list[_Packed] = marshal.loads(blob)  # noqa: S302
    return packed


def _day(value: dt.date | None) -> int | None:
    return None if value is None else value.toordinal()


def _pack(task: ParsedTask) -> _Packed:
    """``task`` as a tuple of plain values, in the order of ParsedTask's fields."""
    return (
        task.external_id,
        task.name,
        task.start.toordinal(),
        task.end.toordinal(),
        task.duration_days,
        task.source,
        task.type.value,
        task.calendar,
        task.folder_code,
        task.parent_external_id,
        task.shift.value,
        task.owner,
        tuple(task.assignees),
        task.subcontractor,
        task.location,
        task.work_area,
        task.package,
        task.status.value,
        task.committed,
        _day(task.milestone_target_date),
        tuple(task.tags),
        task.notes,
        tuple((r.kind.value, r.name, r.quantity, r.unit) for r in task.resources),
    )


_TYPES = {member.value: member for member in TaskType}
_SHIFTS = {member.value: member for member in Shift}
_STATUSES = {member.value: member for member in TaskStatus}
_KINDS = {member.value: member for member in ResourceKind}


def _unpack(packed: _Packed) -> ParsedTask:
    # The packed tuple is in ParsedTask's field order (see _pack).
    (ext, name, start, end, days, source, kind, calendar, folder, parent, shift, owner) = packed[
        :12
    ]
    (assignees, sub, location, area, package, status, committed, target, tags) = packed[12:21]
    notes, resources = packed[21:]
    return ParsedTask(
        ext,
        name,
        dt.date.fromordinal(start),
        dt.date.fromordinal(end),
        days,
        source,
        _TYPES[kind],
        calendar,
        folder,
        parent,
        _SHIFTS[shift],
        owner,
        list(assignees),
        sub,
        location,
        area,
        package,
        _STATUSES[status],
        committed,
        None if target is None else dt.date.fromordinal(target),
        list(tags),
        notes,
        [ParsedResource(_KINDS[k], n, q, u) for k, n, q, u in resources],
    )
