"""One published version's feed rows, read into the typed shape the metrics need.

Only the columns the formulas use are read, so callers may pass full feed rows or trimmed ones.
Tasks, delays and blockers are named tuples: immutable like frozen dataclasses, and built about
three times faster (publication builds one per row of two versions).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from planbridge.metrics.calendar import CalendarBook
from planbridge.metrics.dates import parse_date, parse_datetime, parse_optional_date
from planbridge.metrics.errors import MetricsInputError

VersionRows = Mapping[str, Sequence[Mapping[str, Any]]]
"""Feed table name → that table's rows for ONE version (``versions`` holds exactly one row)."""


class Task(NamedTuple):
    task_id: int
    type: str
    parent_task_id: int | None
    start: dt.date
    end: dt.date
    calendar: str | None
    status: str
    subcontractor_id: int | None = None
    subcontractor: str | None = None
    location_id: int | None = None
    location: str | None = None
    package_id: int | None = None
    package: str | None = None
    folder_id: int | None = None
    folder_code: str | None = None

    @property
    def is_milestone(self) -> bool:
        return self.type == "milestone"


class Delay(NamedTuple):
    """A progress update of type ``delayed``."""

    task_id: int
    day: dt.date
    reason_id: int | None
    reason: str | None
    reason_category: str | None
    amount_days: int


class Blocker(NamedTuple):
    blocker_id: int
    task_id: int
    raised_on: dt.date
    due_on: dt.date | None
    is_open: bool
    resolved_on: dt.date | None

    def open_on(self, day: dt.date) -> bool:
        """Raised on or before ``day`` and not resolved by then (resolved on ``day`` = cleared).

        A blocker marked resolved without a date counts as cleared on any day.
        """
        if self.raised_on > day:
            return False
        if self.is_open:
            return True
        return self.resolved_on is not None and self.resolved_on > day


@dataclass(frozen=True, slots=True)
class Snapshot:
    version_id: int
    published_at: dt.datetime
    tasks: dict[int, Task]
    delays: tuple[Delay, ...]
    blockers: tuple[Blocker, ...]
    calendars: CalendarBook

    @classmethod
    def from_rows(cls, rows: VersionRows) -> Snapshot:
        versions = rows.get("versions", ())
        if len(versions) != 1:
            raise MetricsInputError(f"expected one versions row, got {len(versions)}")
        version = versions[0]
        reasons = {_int(r["reason_id"]): r for r in rows.get("delay_reasons", ())}
        tasks = (_task(row) for row in rows.get("tasks", ()))
        return cls(
            version_id=_int(version["version_id"]),
            published_at=parse_datetime(version["published_at"]),
            tasks={task.task_id: task for task in tasks},
            delays=tuple(
                _delay(row, reasons)
                for row in rows.get("status", ())
                if row.get("type") == "delayed"
            ),
            blockers=tuple(_blocker(row) for row in rows.get("blockers", ())),
            calendars=CalendarBook.from_rows(rows.get("calendars", ())),
        )


def _int(value: object) -> int:
    if type(value) is int:  # the common case first: this runs for every row
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise MetricsInputError(f"expected an integer id, got {value!r}")
    return value


def _opt_int(value: object) -> int | None:
    if value is None or type(value) is int:
        return value
    return _int(value)


def _opt_str(value: object) -> str | None:
    if value is None or type(value) is str:
        return value
    return str(value)


def _task(row: Mapping[str, Any]) -> Task:
    get = row.get  # this runs for every task of two versions at each publication
    try:
        task_id, start, end = row["task_id"], row["start_date"], row["end_date"]
    except KeyError as exc:
        raise MetricsInputError(f"tasks row without {exc.args[0]}: {dict(row)!r}") from exc
    return Task(
        _int(task_id),
        str(get("type", "task")),
        _opt_int(get("parent_task_id")),
        parse_date(start),
        parse_date(end),
        _opt_str(get("calendar")),
        str(get("status", "planned")),
        _opt_int(get("subcontractor_id")),
        _opt_str(get("subcontractor")),
        _opt_int(get("location_id")),
        _opt_str(get("location")),
        _opt_int(get("package_id")),
        _opt_str(get("package")),
        _opt_int(get("folder_id")),
        _opt_str(get("folder_code")),
    )


def _delay(row: Mapping[str, Any], reasons: Mapping[int, Mapping[str, Any]]) -> Delay:
    reason_id = _opt_int(row.get("reason_id"))
    known = reasons.get(reason_id, {}) if reason_id is not None else {}
    amount = row.get("amount_days")
    return Delay(
        task_id=_int(row["task_id"]),
        day=parse_date(row["day"]),
        reason_id=reason_id,
        reason=_opt_str(row.get("reason") or known.get("label")),
        reason_category=_opt_str(row.get("reason_category") or known.get("category")),
        amount_days=0 if amount is None else _int(amount),
    )


def _blocker(row: Mapping[str, Any]) -> Blocker:
    return Blocker(
        blocker_id=_int(row["blocker_id"]),
        task_id=_int(row["task_id"]),
        raised_on=parse_date(row["raised_on"]),
        due_on=parse_optional_date(row.get("due_on")),
        is_open=row.get("status") != "resolved",
        resolved_on=parse_optional_date(row.get("resolved_on")),
    )
