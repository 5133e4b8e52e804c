"""Every table a feed can carry: the plan tables, then the metric tables (flag ``metrics``)."""

from __future__ import annotations

from dataclasses import replace

from planbridge.feeds.tables import TABLES, Table
from planbridge.metrics.tables import METRIC_TABLES as _METRICS

METRIC_TABLES: tuple[Table, ...] = tuple(replace(t, flag="metrics") for t in _METRICS)
FEED_TABLES: tuple[Table, ...] = TABLES + METRIC_TABLES
FEED_TABLES_BY_NAME = {t.name: t for t in FEED_TABLES}
