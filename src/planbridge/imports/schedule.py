"""The neutral in-memory model every import format is parsed into.

Nothing here knows about the database: the import service maps a ``ParsedSchedule`` onto
project rows (matching tasks by ``external_id``) in one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

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
    tasks: list[ParsedTask] = field(default_factory=list)
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
