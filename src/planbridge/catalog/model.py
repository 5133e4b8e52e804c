"""The shapes of a catalog declaration: a column, a table, a relationship.

Types are the JSON Schema view: ``date`` is ``YYYY-MM-DD``, ``datetime`` is ISO 8601 in UTC
with a ``Z``; every table row carries ``version_id`` so Power BI can relate the tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnType = Literal["integer", "number", "string", "boolean", "date", "datetime"]
COLUMN_TYPES: tuple[ColumnType, ...] = (
    "integer",
    "number",
    "string",
    "boolean",
    "date",
    "datetime",
)


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: ColumnType
    description: str
    nullable: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    """One published table: what every output (JSON feed, OData, CSV/XLSX, JSON Schema, Power
    Query types, docs) is derived from."""

    name: str
    description: str
    columns: tuple[Column, ...]
    flag: str | None = None
    """The request flag that switches this table off (``resource``, ``status``, ``blockers``,
    ``metrics``)."""
    entity_set: str | None = None
    """OData entity set name (PascalCase plural); ``None``: derived from ``name``."""
    entity_type: str | None = None
    """OData entity type name (PascalCase singular); ``None``: derived from ``name``."""
    row_id: str | None = None
    """The column that, with ``version_id``, identifies a row; ``None``: OData numbers rows."""
    key: tuple[str, ...] | None = None
    """A key other than (``version_id``, ``row_id``), e.g. one row per version."""
    builder: str = ""
    """``module:function`` that builds this table's rows (resolved by a test, never imported
    here: the catalog sits below the code that builds rows)."""

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True, slots=True)
class Relation:
    """``source.column`` leads to one ``target`` row (by ``target_column``); ``name`` is the
    navigation on the source side, ``partner`` the one leading back to many."""

    source: str
    name: str
    target: str
    partner: str
    column: str
    target_column: str
    nullable: bool = False


def column(name: str, type_: ColumnType, description: str, nullable: bool = False) -> Column:
    return Column(name, type_, description, nullable)
