"""Builders of feed rows (full rows, every column of planbridge.catalog) for metric tests."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from planbridge.catalog import (
    BLOCKERS,
    CALENDARS,
    DELAY_REASONS,
    STATUS,
    TASKS,
    VERSIONS,
    Table,
)
from planbridge.metrics import MetricRows, compute_window

Row = dict[str, Any]
TZ = "Europe/London"

_ids = itertools.count(1000)


def _full(table: Table, values: Row) -> Row:
    unknown = values.keys() - set(table.column_names)
    assert not unknown, f"{table.name} has no column {unknown}"
    return {name: values.get(name) for name in table.column_names}


def task(
    task_id: int,
    start: str,
    end: str,
    *,
    type: str = "task",
    status: str = "planned",
    calendar: str | None = None,
    parent_task_id: int | None = None,
    subcontractor: tuple[int, str] | None = None,
    location: tuple[int, str] | None = None,
    package: tuple[int, str] | None = None,
    folder: tuple[int, str] | None = None,
) -> Row:
    return _full(
        TASKS,
        {
            "task_id": task_id,
            "activity_id": f"A-{task_id:04d}",
            "name": f"Task {task_id}",
            "type": type,
            "parent_task_id": parent_task_id,
            "start_date": start,
            "end_date": end,
            "duration_days": 1,
            "calendar": calendar,
            "shift": "day",
            "subcontractor_id": subcontractor and subcontractor[0],
            "subcontractor": subcontractor and subcontractor[1],
            "location_id": location and location[0],
            "location": location and location[1],
            "folder_id": folder and folder[0],
            "folder_code": folder and folder[1],
            "package_id": package and package[0],
            "package": package and package[1],
            "status": status,
            "committed": True,
        },
    )


def delay(
    task_id: int,
    day: str,
    *,
    reason_id: int | None = 1,
    reason: str | None = "Awaiting access",
    category: str | None = "space_access",
    amount_days: int = 1,
    type: str = "delayed",
) -> Row:
    return _full(
        STATUS,
        {
            "status_id": next(_ids),
            "task_id": task_id,
            "day": day,
            "type": type,
            "reason_id": reason_id,
            "reason": reason,
            "reason_category": category,
            "impact": "move",
            "amount_days": amount_days,
            "recorded_at": "2026-03-06T16:00:00Z",
        },
    )


def blocker(
    blocker_id: int,
    task_id: int,
    raised_on: str,
    *,
    due_on: str | None = None,
    resolved_on: str | None = None,
) -> Row:
    return _full(
        BLOCKERS,
        {
            "blocker_id": blocker_id,
            "task_id": task_id,
            "title": f"Blocker {blocker_id}",
            "raised_on": raised_on,
            "due_on": due_on,
            "status": "open" if resolved_on is None else "resolved",
            "resolved_on": resolved_on,
        },
    )


def calendar(
    name: str, weekdays: str = "1,2,3,4,5", holidays: str | None = None, is_default: bool = False
) -> Row:
    return _full(
        CALENDARS,
        {
            "calendar_id": next(_ids),
            "name": name,
            "working_weekdays": weekdays,
            "holidays": holidays,
            "is_default": is_default,
        },
    )


STANDARD = calendar("Standard", is_default=True)


def version(
    version_id: int,
    published_at: str,
    *,
    tasks: Sequence[Row] = (),
    status: Sequence[Row] = (),
    blockers: Sequence[Row] = (),
    calendars: Sequence[Row] | None = None,
    delay_reasons: Sequence[Row] = (),
) -> dict[str, list[Row]]:
    """One version's feed tables, every row stamped with its version_id."""
    body = {
        "versions": [
            _full(
                VERSIONS,
                {
                    "number": version_id,
                    "name": f"Week {version_id}",
                    "published_at": published_at,
                    "published_by": "operator",
                    "task_count": len(tasks),
                },
            )
        ],
        "tasks": list(tasks),
        "status": list(status),
        "blockers": list(blockers),
        "calendars": [STANDARD] if calendars is None else list(calendars),
        "delay_reasons": list(delay_reasons),
    }
    return {
        name: [{**row, "version_id": version_id} for row in rows] for name, rows in body.items()
    }


def reason(reason_id: int, label: str, category: str) -> Row:
    return _full(DELAY_REASONS, {"reason_id": reason_id, "label": label, "category": category})


# The standard window: P published Monday 2 March 2026, C Monday 9 March (London, GMT).
P_AT = "2026-03-02T07:00:00Z"
C_AT = "2026-03-09T07:00:00Z"


def window(
    p_tasks: Sequence[Row],
    c_tasks: Sequence[Row],
    *,
    status: Sequence[Row] = (),
    blockers: Sequence[Row] = (),
    calendars: Sequence[Row] | None = None,
    timezone: str = TZ,
) -> MetricRows:
    """Metrics of the standard window between P (version 1) and C (version 2)."""
    previous = version(1, P_AT, tasks=p_tasks, calendars=calendars)
    current = version(2, C_AT, tasks=c_tasks, status=status, blockers=blockers, calendars=calendars)
    return compute_window(previous, current, timezone)


def ppc(rows: MetricRows, metric: str) -> Row:
    (row,) = [r for r in rows["ppc"] if r["metric"] == metric]
    return row
