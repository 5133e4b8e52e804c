"""Helpers every metric builds its rows with; the tables themselves are declared in
``planbridge.catalog.metric_tables`` (re-exported here for the formulas).

Every row carries the ``version_id`` of the later version of its window (C), the ``metric`` id
that produced it and that metric's ``formula_version``; ``docs/metrics.md`` explains each one.
Ratios are numbers in [0, 1] rounded to 4 decimals, or null when nothing was measured.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Final

from planbridge.catalog import Table
from planbridge.catalog.metric_tables import (
    BLOCKER_METRICS,
    METRIC_TABLES,
    PPC,
    PPC_BREAKDOWN,
    TMR_TABLE,
    VARIANCE_TABLE,
)
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


METRIC_TABLES_BY_NAME: Final[dict[str, Table]] = {t.name: t for t in METRIC_TABLES}

__all__ = [
    "BLOCKER_METRICS",
    "FORMULA_VERSIONS",
    "METRIC_TABLES",
    "METRIC_TABLES_BY_NAME",
    "PPC",
    "PPC_BREAKDOWN",
    "TMR_TABLE",
    "VARIANCE_TABLE",
    "RowHead",
    "make_row",
    "ratio",
]

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
