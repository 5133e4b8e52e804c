"""The table catalog: one declaration per published table, the lowest layer of PlanBridge.

Everything a client sees of a table is derived from here: the JSON feed's rows and order, the
OData ``$metadata`` and entity sets, the CSV and XLSX downloads, ``feed.schema.json``, the Power
Query templates' column types and the docs' table reference (``make generate`` rewrites the
derived files; ``tests/test_generated.py`` fails when one is stale). The catalog imports nothing
of PlanBridge but itself; each table names the function that builds its rows as a string.
"""

from __future__ import annotations

from planbridge.catalog.metric_tables import METRIC_TABLES
from planbridge.catalog.model import COLUMN_TYPES, Column, ColumnType, Relation, Table
from planbridge.catalog.plan_tables import (
    BLOCKER_CATEGORIES,
    BLOCKERS,
    CALENDARS,
    DELAY_REASONS,
    FOLDERS,
    LINKS,
    LOCATIONS,
    PACKAGES,
    PLAN_TABLES,
    RELATIONS,
    RESOURCES,
    STATUS,
    SUBCONTRACTORS,
    TASKS,
    VERSIONS,
)

#: Every table a feed can carry: the plan tables, then the metric tables (flag ``metrics``).
FEED_TABLES: tuple[Table, ...] = PLAN_TABLES + METRIC_TABLES
FEED_TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in FEED_TABLES}

__all__ = [
    "BLOCKERS",
    "BLOCKER_CATEGORIES",
    "CALENDARS",
    "COLUMN_TYPES",
    "DELAY_REASONS",
    "FEED_TABLES",
    "FEED_TABLES_BY_NAME",
    "FOLDERS",
    "LINKS",
    "LOCATIONS",
    "METRIC_TABLES",
    "PACKAGES",
    "PLAN_TABLES",
    "RELATIONS",
    "RESOURCES",
    "STATUS",
    "SUBCONTRACTORS",
    "TASKS",
    "VERSIONS",
    "Column",
    "ColumnType",
    "Relation",
    "Table",
]
