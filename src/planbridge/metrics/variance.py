"""Variance: the delays recorded against the window's days, by reason and category, for a Pareto."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field

from planbridge.metrics.dates import Window
from planbridge.metrics.snapshot import Delay
from planbridge.metrics.tables import VARIANCE, VARIANCE_TABLE, Row, RowHead, make_row, ratio


@dataclass(slots=True)
class _Tally:
    reason_id: int | None
    reason: str | None
    category: str | None
    task_days: set[tuple[int, dt.date]] = field(default_factory=set)
    impact_days: int = 0

    def add(self, delay: Delay) -> None:
        self.task_days.add((delay.task_id, delay.day))
        self.impact_days += delay.amount_days

    @property
    def task_count(self) -> int:
        return len({task_id for task_id, _ in self.task_days})

    def pareto_order(self) -> tuple[int, int, int, bool, str, bool, str, int]:
        """Most delayed task-days first; ties by impact, tasks, then labels (nulls last)."""
        return (
            -len(self.task_days),
            -self.impact_days,
            -self.task_count,
            self.reason is None,
            self.reason or "",
            self.category is None,
            self.category or "",
            self.reason_id if self.reason_id is not None else -1,
        )


def _tally(
    delays: Iterable[Delay], key: Callable[[Delay], Hashable], blank_reason: bool
) -> list[_Tally]:
    tallies: dict[Hashable, _Tally] = {}
    for delay in delays:
        tally = tallies.get(key(delay))
        if tally is None:
            tally = tallies[key(delay)] = _Tally(
                None if blank_reason else delay.reason_id,
                None if blank_reason else delay.reason,
                delay.reason_category,
            )
        tally.add(delay)
    return sorted(tallies.values(), key=_Tally.pareto_order)


def variance_rows(head: RowHead, delays: Iterable[Delay], window: Window) -> list[Row]:
    """Reason rows, then category rows, each level ranked 1..n with its running share."""
    in_window = [d for d in delays if d.day in window]
    levels = (
        ("reason", _tally(in_window, lambda d: (d.reason_id, d.reason, d.reason_category), False)),
        ("category", _tally(in_window, lambda d: d.reason_category, True)),
    )
    rows = []
    for level, tallies in levels:
        total = sum(len(t.task_days) for t in tallies)
        running = 0
        for rank, tally in enumerate(tallies, start=1):
            running += len(tally.task_days)
            rows.append(
                make_row(
                    VARIANCE_TABLE,
                    **head.values(VARIANCE),
                    level=level,
                    rank=rank,
                    reason_id=tally.reason_id,
                    reason=tally.reason,
                    reason_category=tally.category,
                    delayed_task_days=len(tally.task_days),
                    task_count=tally.task_count,
                    impact_days=tally.impact_days,
                    share=ratio(len(tally.task_days), total),
                    cumulative_share=ratio(running, total),
                )
            )
    return rows
