"""dlt hints for each feed table: column types from the catalog, keys that make re-runs idempotent.

Every row gets ``project_id`` (the feed id, ``p_...``) so one warehouse table holds the whole
portfolio. Each table is merged by ``(project_id, version_id)`` (a version is loaded whole or
again, never twice) and, where the table has a natural row id, keyed by it too.
"""

from __future__ import annotations

from typing import Any

from dlt.common.data_types import TDataType
from dlt.common.schema.typing import TColumnSchema, TTableSchemaColumns

from planbridge.etl.catalog import Column, ColumnType, Table, feed_tables

DLT_TYPES: dict[ColumnType, TDataType] = {
    "integer": "bigint",
    "number": "double",
    "string": "text",
    "boolean": "bool",
    "date": "date",
    "datetime": "timestamp",
}

MERGE_KEY = ("project_id", "version_id")

ROW_KEYS: dict[str, tuple[str, ...]] = {
    "versions": (),
    "tasks": ("task_id",),
    "links": ("link_id",),
    "resources": ("resource_id",),
    "status": ("status_id",),
    "blockers": ("blocker_id",),
    "subcontractors": ("subcontractor_id",),
    "locations": ("location_id",),
    "folders": ("folder_id",),
    "packages": ("package_id",),
    "delay_reasons": ("reason_id",),
    "blocker_categories": ("category_id",),
    "calendars": ("calendar_id",),
    "ppc": ("metric",),
    "blocker_metrics": ("metric",),
    "tmr": ("metric",),
}
"""Columns that, with ``(project_id, version_id)``, identify a row. Tables not listed
(``ppc_breakdown``, ``variance``: their natural keys include nullable columns) are only merged
by version, which is enough: a version's rows are always replaced together."""

PROJECTS_COLUMNS: TTableSchemaColumns = {
    "project_id": {"data_type": "text", "nullable": False},
    "portfolio_name": {"data_type": "text", "nullable": False},
    "code": {"data_type": "text", "nullable": False},
    "name": {"data_type": "text", "nullable": False},
    "timezone": {"data_type": "text", "nullable": False},
    "tier": {"data_type": "text", "nullable": False},
    "feed_url": {"data_type": "text", "nullable": False},
}


def column_hint(column: Column) -> TColumnSchema:
    return {"data_type": DLT_TYPES[column.type], "nullable": column.nullable}


def columns(table: Table) -> TTableSchemaColumns:
    """The table's dlt column schema, in catalog order, after ``project_id``."""
    hints: TTableSchemaColumns = {"project_id": {"data_type": "text", "nullable": False}}
    hints.update({c.name: column_hint(c) for c in table.columns})
    return hints


def keys(table: Table) -> dict[str, Any]:
    """``primary_key`` (where the table has one) and ``merge_key`` hints."""
    row_key = ROW_KEYS.get(table.name)
    found: dict[str, Any] = {"merge_key": list(MERGE_KEY)}
    if row_key is not None:
        found["primary_key"] = [*MERGE_KEY, *row_key]
    return found


def tables() -> tuple[Table, ...]:
    return feed_tables()
