"""The metric tables served next to the plan tables, one declaration each.

Every row carries the ``version_id`` of the later version of its window (C), the ``metric`` id
that produced it and that metric's ``formula_version``; ``docs/metrics.md`` explains each one.
Ratios are numbers in [0, 1] rounded to 4 decimals, or null when nothing was measured.
"""

from __future__ import annotations

from planbridge.catalog.model import Table, column

_HEAD = (
    column("version_id", "integer", "The later version of the window (C); relates to versions."),
    column(
        "previous_version_id",
        "integer",
        "The earlier version of the window (P); null for a project's first version.",
        nullable=True,
    ),
    column("metric", "string", "Id of the metric that produced the row, e.g. `ppc_task_day`."),
    column("formula_version", "integer", "Version of that metric's definition (docs/metrics.md)."),
    column("window_start", "date", "First day of the window: P's publication date (project time)."),
    column(
        "window_end",
        "date",
        "Day after the window's last day: C's publication date (project time), exclusive.",
    ),
)
_HEAD_NULLABLE_WINDOW = (
    *_HEAD[:4],
    column(
        "window_start", "date", "First day of the window; null for a first version.", nullable=True
    ),
    column(
        "window_end",
        "date",
        "C's publication date, exclusive; null for a first version.",
        nullable=True,
    ),
)

_PPC_MEASURES = (
    column("value", "number", "The PPC, 0 to 1; null when no task counts.", nullable=True),
    column("task_count", "integer", "Tasks behind the figure (its denominator for `ppc_task`)."),
    column(
        "achieved_task_count",
        "integer",
        "Tasks fully achieved: every planned day achieved (`ppc_task_day`) or the final day "
        "kept inside the window (`ppc_task`).",
    ),
    column(
        "planned_days",
        "integer",
        "Planned working days in the window (`ppc_task_day` only).",
        nullable=True,
    ),
    column(
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
    flag="metrics",
    entity_set="Ppc",
    entity_type="PpcRow",
    row_id="metric",
    builder="planbridge.metrics.ppc:ppc_rows",
)


PPC_BREAKDOWN = Table(
    "ppc_breakdown",
    "Both PPCs by subcontractor, location, package and folder (as P assigned the tasks).",
    (
        *_HEAD,
        column("dimension", "string", "`subcontractor`, `location`, `package` or `folder`."),
        column(
            "group_id",
            "integer",
            "Subcontractor, location, package or folder id; null for tasks without one.",
            nullable=True,
        ),
        column(
            "group_name",
            "string",
            "Its name (the WBS code for folders); null for tasks without one.",
            nullable=True,
        ),
        *_PPC_MEASURES,
    ),
    flag="metrics",
    entity_set="PpcBreakdown",
    entity_type="PpcBreakdownRow",
    builder="planbridge.metrics.ppc:breakdown_rows",
)


VARIANCE_TABLE = Table(
    "variance",
    "Delays recorded against days of the window, by reason and by canonical category, "
    "ranked for a Pareto chart.",
    (
        *_HEAD,
        column("level", "string", "`reason` (one row per reason) or `category` (per category)."),
        column("rank", "integer", "1 = most delayed task-days, within the level."),
        column("reason_id", "integer", "The delay reason; null on category rows.", nullable=True),
        column(
            "reason", "string", "The project's reason label; null on category rows.", nullable=True
        ),
        column(
            "reason_category",
            "string",
            "Canonical category; null if none was given.",
            nullable=True,
        ),
        column(
            "delayed_task_days",
            "integer",
            "Distinct task days delayed for this reason (or category).",
        ),
        column("task_count", "integer", "Distinct tasks with such a delay."),
        column("impact_days", "integer", "Sum of the delays' `amount_days` (working days)."),
        column("share", "number", "delayed_task_days ÷ all delayed task-days of the level."),
        column(
            "cumulative_share", "number", "Running total of `share` in rank order (Pareto line)."
        ),
    ),
    flag="metrics",
    entity_set="Variance",
    entity_type="VarianceRow",
    key=("version_id", "level", "rank"),
    builder="planbridge.metrics.variance:variance_rows",
)


BLOCKER_METRICS = Table(
    "blocker_metrics",
    "Blocker (constraint) figures of each version, as C records them; one row per version.",
    (
        *_HEAD_NULLABLE_WINDOW,
        column("as_of", "date", "C's publication date (project time): the day ages are taken at."),
        column("open_count", "integer", "Blockers open in C."),
        column("overdue_count", "integer", "Open blockers whose due date is before `as_of`."),
        column(
            "median_open_age_days",
            "number",
            "Median of `as_of` minus raised date over open blockers, in calendar days.",
            nullable=True,
        ),
        column("raised_count", "integer", "Blockers raised in the window.", nullable=True),
        column("resolved_count", "integer", "Blockers resolved in the window.", nullable=True),
        column(
            "promises_due_count",
            "integer",
            "Blockers whose due date fell in the window.",
            nullable=True,
        ),
        column(
            "promises_kept_count",
            "integer",
            "Of those, resolved on or before the due date.",
            nullable=True,
        ),
        column(
            "promises_kept",
            "number",
            "promises_kept_count ÷ promises_due_count, 0 to 1; null when none fell due.",
            nullable=True,
        ),
    ),
    flag="metrics",
    entity_set="BlockerMetrics",
    entity_type="BlockerMetricsRow",
    key=("version_id",),
    builder="planbridge.metrics.blockers:blocker_row",
)


TMR_TABLE = Table(
    "tmr",
    "Tasks Made Ready: of the tasks P planned to start in the window, the share that had no "
    "open blocker at their planned start, as C records the blockers.",
    (
        *_HEAD,
        column(
            "value", "number", "ready_count ÷ task_count, 0 to 1; null when none.", nullable=True
        ),
        column("task_count", "integer", "Tasks P planned to start in the window."),
        column("ready_count", "integer", "Of those, tasks with no open blocker at planned start."),
    ),
    flag="metrics",
    entity_set="Tmr",
    entity_type="TmrRow",
    key=("version_id",),
    builder="planbridge.metrics.tmr:tmr_row",
)


#: Every metric table, in the order they appear in a feed body (after the plan tables).
METRIC_TABLES: tuple[Table, ...] = (
    PPC,
    PPC_BREAKDOWN,
    VARIANCE_TABLE,
    BLOCKER_METRICS,
    TMR_TABLE,
)
