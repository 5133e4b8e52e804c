"""Last Planner metrics (PPC, variance, blockers, TMR), computed from published versions' rows.

See docs/metrics.md for every formula. The package is pure: it reads feed rows and returns
metric rows; storing and serving them belongs to publishing and feeds.
"""

from planbridge.metrics.compute import (
    MetricRows,
    compute_first_version,
    compute_metrics,
    compute_window,
)
from planbridge.metrics.errors import MetricsInputError
from planbridge.metrics.snapshot import VersionRows
from planbridge.metrics.tables import FORMULA_VERSIONS, METRIC_TABLES, METRIC_TABLES_BY_NAME

__all__ = [
    "FORMULA_VERSIONS",
    "METRIC_TABLES",
    "METRIC_TABLES_BY_NAME",
    "MetricRows",
    "MetricsInputError",
    "VersionRows",
    "compute_first_version",
    "compute_metrics",
    "compute_window",
]
