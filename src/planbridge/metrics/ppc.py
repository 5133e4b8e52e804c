"""Percent Plan Complete: per task day and per task, for the project and by group.

P (the earlier version) says what was planned; C (the later one) says what happened. Work is
assumed done as planned unless C records it as lost (docs/metrics.md, "PPC (task day)").
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction

from planbridge.metrics.dates import Window
from planbridge.metrics.snapshot import Snapshot, Task
from planbridge.metrics.tables import (
    PPC,
    PPC_BREAKDOWN,
    PPC_TASK,
    PPC_TASK_DAY,
    Row,
    RowHead,
    make_row,
    ratio,
)

#: Task statuses in P that mean "not planned to work in the window": parked in the backlog, or
#: already finished before the window opened.
NOT_PLANNED_IN_P = frozenset({"backlog", "complete"})
#: Task status in C that takes a task off the plan: none of its days count as achieved.
OFF_PLAN_IN_C = "backlog"


@dataclass(frozen=True, slots=True)
class TaskOutcome:
    """How one task P planned in the window fared in C."""

    task: Task
    """The task as P planned it (its groups are P's)."""
    planned_days: int
    achieved_days: int
    counts_for_task_day: bool
    counts_for_task: bool
    final_day_kept: bool


def task_outcomes(previous: Snapshot, current: Snapshot, window: Window) -> list[TaskOutcome]:
    """Every task that counts for either PPC, in task id order."""
    summaries = {t.parent_task_id for t in previous.tasks.values() if t.parent_task_id is not None}
    delayed_days = {(d.task_id, d.day) for d in current.delays}
    outcomes = []
    for task_id in sorted(previous.tasks):
        task = previous.tasks[task_id]
        if task_id in summaries or task.status in NOT_PLANNED_IN_P:
            continue
        outcome = _outcome(task, previous, current, window, delayed_days)
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes


def _outcome(
    task: Task,
    previous: Snapshot,
    current: Snapshot,
    window: Window,
    delayed_days: set[tuple[int, dt.date]],
) -> TaskOutcome | None:
    later = current.tasks.get(task.task_id)
    final_in_window = task.end in window
    kept = final_in_window and _final_day_kept(later, window)
    if task.is_milestone:
        if not final_in_window:
            return None
        return TaskOutcome(task, 0, 0, False, True, kept)
    calendar = previous.calendars.for_task(task.calendar)
    planned = previous.calendars.days_between(calendar, task.start, task.end, window.bounds)
    if not planned:
        return None
    achieved = sum(1 for day in planned if _day_achieved(day, task, later, current, delayed_days))
    return TaskOutcome(task, len(planned), achieved, True, final_in_window, kept)


def _final_day_kept(later: Task | None, window: Window) -> bool:
    """C still shows the task's final day no later than the window's last day."""
    return later is not None and later.status != OFF_PLAN_IN_C and later.end < window.end


def _day_achieved(
    day: dt.date,
    task: Task,
    later: Task | None,
    current: Snapshot,
    delayed_days: set[tuple[int, dt.date]],
) -> bool:
    if later is None or later.status == OFF_PLAN_IN_C or (task.task_id, day) in delayed_days:
        return False
    if later.start <= day <= later.end:
        return current.calendars.for_task(later.calendar).is_working(day)
    # Finished early: a complete task's planned days after its actual finish were not lost.
    return later.status == "complete" and day > later.end


@dataclass(frozen=True, slots=True)
class Figures:
    value: float | None
    task_count: int
    achieved_task_count: int
    planned_days: int | None
    achieved_days: int | None


def task_day_figures(outcomes: Iterable[TaskOutcome]) -> Figures:
    counted = [o for o in outcomes if o.counts_for_task_day]
    # Summing per distinct (achieved, planned) pair keeps the exact sum cheap on big projects.
    pairs = Counter((o.achieved_days, o.planned_days) for o in counted)
    total = sum((Fraction(a, p) * n for (a, p), n in pairs.items()), Fraction(0))
    return Figures(
        value=ratio(total, len(counted)),
        task_count=len(counted),
        achieved_task_count=sum(1 for o in counted if o.achieved_days == o.planned_days),
        planned_days=sum(o.planned_days for o in counted),
        achieved_days=sum(o.achieved_days for o in counted),
    )


def task_figures(outcomes: Iterable[TaskOutcome]) -> Figures:
    counted = [o for o in outcomes if o.counts_for_task]
    kept = sum(1 for o in counted if o.final_day_kept)
    return Figures(ratio(kept, len(counted)), len(counted), kept, None, None)


_FIGURES: tuple[tuple[str, Callable[[Iterable[TaskOutcome]], Figures]], ...] = (
    (PPC_TASK_DAY, task_day_figures),
    (PPC_TASK, task_figures),
)


def _measures(figures: Figures) -> Row:
    return {
        "value": figures.value,
        "task_count": figures.task_count,
        "achieved_task_count": figures.achieved_task_count,
        "planned_days": figures.planned_days,
        "achieved_days": figures.achieved_days,
    }


def ppc_rows(head: RowHead, outcomes: list[TaskOutcome]) -> list[Row]:
    """One row per PPC metric, present (with a null value) even when nothing was planned."""
    return [
        make_row(PPC, **head.values(metric), **_measures(figures(outcomes)))
        for metric, figures in _FIGURES
    ]


Group = tuple[int | None, str | None]

DIMENSIONS: tuple[tuple[str, Callable[[Task], Group]], ...] = (
    ("subcontractor", lambda t: (t.subcontractor_id, t.subcontractor)),
    ("location", lambda t: (t.location_id, t.location)),
    ("package", lambda t: (t.package_id, t.package)),
    ("folder", lambda t: (t.folder_id, t.folder_code)),
)


def _group_order(group: Group) -> tuple[bool, str, bool, int]:
    group_id, name = group
    return (name is None, name or "", group_id is None, group_id or 0)


def breakdown_rows(head: RowHead, outcomes: list[TaskOutcome]) -> list[Row]:
    """Both PPCs per group of each dimension; tasks without a group form the null group.

    Only groups with at least one counted task get a row, so within one metric and dimension
    the groups' task counts add up to the project's.
    """
    rows = []
    for metric, figures in _FIGURES:
        for dimension, group_of in DIMENSIONS:
            groups: dict[Group, list[TaskOutcome]] = {}
            for outcome in outcomes:
                groups.setdefault(group_of(outcome.task), []).append(outcome)
            for group in sorted(groups, key=_group_order):
                result = figures(groups[group])
                if result.task_count == 0:
                    continue
                rows.append(
                    make_row(
                        PPC_BREAKDOWN,
                        **head.values(metric),
                        dimension=dimension,
                        group_id=group[0],
                        group_name=group[1],
                        **_measures(result),
                    )
                )
    return rows
