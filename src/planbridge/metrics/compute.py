"""Entry points: every metric table of one version, from its rows and its predecessor's.

Pure functions over feed rows: no database, no clock, no I/O. Called at publication with the
rows just serialized for the new version (C) and those of the version before it (P), and again
by a rebuild; the same input always gives the same rows.
"""

from __future__ import annotations

from planbridge.metrics.blockers import blocker_row
from planbridge.metrics.dates import Window, local_date, project_zone
from planbridge.metrics.ppc import breakdown_rows, ppc_rows, task_outcomes
from planbridge.metrics.snapshot import Snapshot, VersionRows
from planbridge.metrics.tables import METRIC_TABLES, Row, RowHead
from planbridge.metrics.tmr import tmr_row
from planbridge.metrics.variance import variance_rows

MetricRows = dict[str, list[Row]]
"""Metric table name → rows (columns in declared order); every table of METRIC_TABLES is a key."""


def compute_window(previous: VersionRows, current: VersionRows, timezone: str) -> MetricRows:
    """All metric rows of C for the window [P published, C published) in ``timezone``."""
    before = Snapshot.from_rows(previous)
    after = Snapshot.from_rows(current)
    zone = project_zone(timezone)
    window = Window(local_date(before.published_at, zone), local_date(after.published_at, zone))
    head = RowHead(after.version_id, before.version_id, window)
    outcomes = task_outcomes(before, after, window)
    return {
        "ppc": ppc_rows(head, outcomes),
        "ppc_breakdown": breakdown_rows(head, outcomes),
        "variance": variance_rows(head, after.delays, window),
        "blocker_metrics": [blocker_row(head, after.blockers, window.end, window)],
        "tmr": [tmr_row(head, outcomes, after, window)],
    }


def compute_first_version(current: VersionRows, timezone: str) -> MetricRows:
    """A project's first version has no window: only its blocker snapshot (one row whose
    window columns are null); the other tables are empty."""
    version = Snapshot.from_rows(current)
    as_of = local_date(version.published_at, project_zone(timezone))
    head = RowHead(version.version_id, None, None)
    rows: MetricRows = {table.name: [] for table in METRIC_TABLES}
    rows["blocker_metrics"] = [blocker_row(head, version.blockers, as_of, None)]
    return rows


def compute_metrics(
    current: VersionRows, previous: VersionRows | None, timezone: str
) -> MetricRows:
    """``compute_window`` when there is a previous version, else ``compute_first_version``."""
    if previous is None:
        return compute_first_version(current, timezone)
    return compute_window(previous, current, timezone)
