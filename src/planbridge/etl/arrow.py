"""Feed rows as Arrow tables typed by the catalog: dlt loads them without inferring or coercing
row by row (several times faster than handing it dicts)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from planbridge.etl.catalog import ColumnType, Table

ARROW_TYPES: dict[ColumnType, pa.DataType] = {
    "integer": pa.int64(),
    "number": pa.float64(),
    "string": pa.string(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "datetime": pa.timestamp("us", tz="UTC"),
}
PARSED = ("date", "datetime")
"""Types the feed sends as ISO text: read as strings, then cast by Arrow."""


def schema(table: Table) -> pa.Schema:
    fields = [pa.field("project_id", pa.string(), nullable=False)]
    fields += [pa.field(c.name, ARROW_TYPES[c.type], nullable=c.nullable) for c in table.columns]
    return pa.schema(fields)


def to_arrow(table: Table, project_id: str, rows: list[dict[str, Any]]) -> pa.Table:
    """The rows' catalog columns (others are dropped), typed; a value that does not fit fails."""
    arrays = [pa.array([project_id] * len(rows), pa.string())]
    for column in table.columns:
        values = [row.get(column.name) for row in rows]
        if column.type in PARSED:
            arrays.append(pa.array(values, pa.string()).cast(ARROW_TYPES[column.type]))
        else:
            arrays.append(pa.array(values, ARROW_TYPES[column.type]))
    return pa.Table.from_arrays(arrays, schema=schema(table))
