"""The metric tables served next to the feed tables, declared with the feed's own registry types.

Every row carries the ``version_id`` of the later version of its window (C), the ``metric`` id
that produced it and that metric's ``formula_version``; ``docs/metrics.md`` explains each one.
Ratios are numbers in [0, 1] rounded to 4 decimals, or null when nothing was measured.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Final

from planbridge.feeds.tables import Column, ColumnType, Table
from planbridge.metrics.dates import Window

PPC_TASK_DAY: Final = "ppc_task_day"
PPC_TASK: Final = "ppc_task"
VARIANCE: Final = "variance"
BLOCKERS: Final = "blockers"
TMR: Final = "tmr"

#: Bumped whenever the definition behind a metric id changes (see docs/metrics.md).
FORMULA_VERSIONS: Final[dict[str, int]] = {
    PPC_TASK_DAY: 1,
    PPC_TASK: 1,
    VARIANCE: 1,
    BLOCKERS: 1,
    TMR: 1,
}


def _c(name: str, type_: ColumnType, description: str, nullable: bool = False) -> Column:
    return Column(name, type_, description, nullable)


_HEAD = (
    _c("version_id", "integer", "The later version of the window (C); relates to versions."),
    _c(
        "previous_version_id",
        "integer",
        "The earlier version of the window (P); null for a project's first version.",
        nullable=True,
    ),
    _c("metric", "string", "Id of the metric that produced the row, e.g. `ppc_task_day`."),
    _c("formula_version", "integer", "Version of that metric's definition (docs/metrics.md)."),
    _c("window_start", "date", "First day of the window: P's publication date (project time)."),
    _c(
        "window_end",
        "date",
        "Day after the window's last day: C's publication date (project time), exclusive.",
    ),
)
_HEAD_NULLABLE_WINDOW = (
    *_HEAD[:4],
    _c("window_start", "date", "First day of the window; null for a first version.", nullable=True),
    _c(
        "window_end",
        "date",
        "C's publication date, exclusive; null for a first version.",
        nullable=True,
    ),
)

_PPC_MEASURES = (
    _c("value", "number", "The PPC, 0 to 1; null when no task counts.", nullable=True),
    _c("task_count", "integer", "Tasks behind the figure (its denominator for `ppc_task`)."),
    _c(
        "achieved_task_count",
        "integer",
        "Tasks fully achieved: every planned day achieved (`ppc_task_day`) or the final day "
        "kept inside the window (`ppc_task`).",
    ),
    _c(
        "planned_days",
        "integer",
        "Planned working days in the window (`ppc_task_day` only).",
        nullable=True,
    ),
    _c(
        "achieved_days",
        "integer",
        "Planned days achieved (`ppc_task_day` only).",
        nullable=True,
    ),
)

PPC = Table(
    "ppc",
    "Percent Plan Complete of each window: one row for `ppc_task_day`, one for `ppc_task`.",
    (*_HEAD, *_PPC_MEASURES),
)

PPC_BREAKDOWN = Table(
    "ppc_breakdown",
    "Both PPCs by subcontractor, location, package and folder (as P assigned the tasks).",
    (
        *_HEAD,
        _c("dimension", "string", "`subcontractor`, `location`, `package` or `folder`."),
        _c(
            "group_id",
            "integer",
            "Subcontractor, location, package or folder id; null for tasks without one.",
            nullable=True,
        ),
        _c(
            "group_name",
            "string",
            "Its name (the WBS code for folders); null for tasks without one.",
            nullable=True,
        ),
        *_PPC_MEASURES,
    ),
)

VARIANCE_TABLE = Table(
    "variance",
    "Delays recorded against days of the window, by reason and by canonical category, "
    "ranked for a Pareto chart.",
    (
        *_HEAD,
        _c("level", "string", "`reason` (one row per reason) or `category` (per category)."),
        _c("rank", "integer", "1 = most delayed task-days, within the level."),
        _c("reason_id", "integer", "The delay reason; null on category rows.", nullable=True),
        _c("reason", "string", "The project's reason label; null on category rows.", nullable=True),
        _c(
            "reason_category",
            "string",
            "Canonical category; null if none was given.",
            nullable=True,
        ),
        _c(
            "delayed_task_days",
            "integer",
            "Distinct task days delayed for this reason (or category).",
        ),
        _c("task_count", "integer", "Distinct tasks with such a delay."),
        _c("impact_days", "integer", "Sum of the delays' `amount_days` (working days)."),
        _c("share", "number", "delayed_task_days ÷ all delayed task-days of the level."),
        _c("cumulative_share", "number", "Running total of `share` in rank order (Pareto line)."),
    ),
)

BLOCKER_METRICS = Table(
    "blocker_metrics",
    "Blocker (constraint) figures of each version, as C records them; one row per version.",
    (
        *_HEAD_NULLABLE_WINDOW,
        _c("as_of", "date", "C's publication date (project time): the day ages are taken at."),
        _c("open_count", "integer", "Blockers open in C."),
        _c("overdue_count", "integer", "Open blockers whose due date is before `as_of`."),
        _c(
            "median_open_age_days",
            "number",
            "Median of `as_of` minus raised date over open blockers, in calendar days.",
            nullable=True,
        ),
        _c("raised_count", "integer", "Blockers raised in the window.", nullable=True),
        _c("resolved_count", "integer", "Blockers resolved in the window.", nullable=True),
        _c(
            "promises_due_count",
            "integer",
            "Blockers whose due date fell in the window.",
            nullable=True,
        ),
        _c(
            "promises_kept_count",
            "integer",
            "Of those, resolved on or before the due date.",
            nullable=True,
        ),
        _c(
            "promises_kept",
            "number",
            "promises_kept_count ÷ promises_due_count, 0 to 1; null when none fell due.",
            nullable=True,
        ),
    ),
)

TMR_TABLE = Table(
    "tmr",
    "Tasks Made Ready: of the tasks P planned to start in the window, the share that had no "
    "open blocker at their planned start, as C records the blockers.",
    (
        *_HEAD,
        _c("value", "number", "ready_count ÷ task_count, 0 to 1; null when none.", nullable=True),
        _c("task_count", "integer", "Tasks P planned to start in the window."),
        _c("ready_count", "integer", "Of those, tasks with no open blocker at planned start."),
    ),
)

#: Every metric table, in the order they appear in a feed body (after the feed tables).
METRIC_TABLES: Final[tuple[Table, ...]] = (
    PPC,
    PPC_BREAKDOWN,
    VARIANCE_TABLE,
    BLOCKER_METRICS,
    TMR_TABLE,
)
METRIC_TABLES_BY_NAME: Final[dict[str, Table]] = {t.name: t for t in METRIC_TABLES}

Row = dict[str, Any]

RATIO_DECIMALS: Final = 4


def ratio(numerator: Fraction | int, denominator: int) -> float | None:
    """``numerator ÷ denominator`` rounded for the wire; null (not 0) when nothing was counted.

    The division is exact (fractions), so the result does not depend on summation order.
    """
    if denominator == 0:
        return None
    return round(float(Fraction(numerator) / denominator), RATIO_DECIMALS)


def make_row(table: Table, **values: Any) -> Row:
    """One row of ``table`` with its columns in declared order; every column must be given."""
    missing = set(table.column_names) - values.keys()
    extra = values.keys() - set(table.column_names)
    if missing or extra:
        raise ValueError(f"{table.name}: missing {sorted(missing)}, unknown {sorted(extra)}")
    return {name: values[name] for name in table.column_names}


@dataclass(frozen=True, slots=True)
class RowHead:
    """The columns every metric row of one version starts with."""

    version_id: int
    previous_version_id: int | None
    window: Window | None

    def values(self, metric: str) -> Row:
        window = self.window
        return {
            "version_id": self.version_id,
            "previous_version_id": self.previous_version_id,
            "metric": metric,
            "formula_version": FORMULA_VERSIONS[metric],
            "window_start": None if window is None else window.start.isoformat(),
            "window_end": None if window is None else window.end.isoformat(),
        }
