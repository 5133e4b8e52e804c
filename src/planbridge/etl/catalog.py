"""Where the ETL reads the feed's tables from: the table catalog (:mod:`planbridge.catalog`).

Every other module of this package takes tables, columns and their types from here.
"""

from __future__ import annotations

from planbridge.catalog import FEED_TABLES, Column, ColumnType, Table

__all__ = ["Column", "ColumnType", "Table", "feed_tables"]


def feed_tables() -> tuple[Table, ...]:
    """Every table the JSON feed carries, with its columns, types and nullability."""
    return FEED_TABLES
