"""What an export action may say, checked once: a feed table, some of its columns, filters
whose values fit the column types, 1 to 52 versions, and CSV or TXT (tab-separated)."""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from planbridge.catalog import FEED_TABLES_BY_NAME, Table
from planbridge.errors import InvalidInput

Format = Literal["csv", "txt"]
FORMATS: dict[str, tuple[str, str, str]] = {
    "csv": (",", "text/csv; charset=utf-8; header=present", "csv"),
    "txt": ("\t", "text/tab-separated-values; charset=utf-8", "txt"),
}
"""Format → (delimiter, media type, file extension)."""
MAX_VERSIONS = 52
MAX_FILTERS = 20
OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}


@dataclass(frozen=True, slots=True)
class Filter:
    column: str
    op: str
    value: Any

    def keeps(self, row: Mapping[str, Any]) -> bool:
        cell = row.get(self.column)
        if self.op in ("eq", "ne"):
            return OPERATORS[self.op](cell, self.value)
        return cell is not None and OPERATORS[self.op](cell, self.value)

    def as_json(self) -> dict[str, Any]:
        return {"column": self.column, "op": self.op, "value": self.value}


@dataclass(frozen=True, slots=True)
class Definition:
    table: Table
    columns: tuple[str, ...]
    filters: tuple[Filter, ...]
    format: Format
    versions: int
    bom: bool

    @property
    def delimiter(self) -> str:
        return FORMATS[self.format][0]

    @property
    def media_type(self) -> str:
        return FORMATS[self.format][1]

    @property
    def extension(self) -> str:
        return FORMATS[self.format][2]

    def keeps(self, row: Mapping[str, Any]) -> bool:
        return all(f.keeps(row) for f in self.filters)


def table_named(name: str) -> Table:
    table = FEED_TABLES_BY_NAME.get(name)
    if table is None:
        raise InvalidInput(
            f"There is no feed table '{name}'.",
            hint="Pick one of: " + ", ".join(sorted(FEED_TABLES_BY_NAME)) + ".",
        )
    return table


def check(
    *,
    table: str,
    format: str,
    columns: Sequence[str] | None = None,
    filters: Sequence[Mapping[str, Any]] = (),
    versions: int = 1,
    bom: bool = False,
) -> Definition:
    found = table_named(table)
    if format not in FORMATS:
        raise InvalidInput(
            f"An export is CSV or TXT; '{format}' was asked for.", hint="Use csv or txt."
        )
    names = found.column_names
    chosen = tuple(columns) if columns else names
    unknown = [c for c in chosen if c not in names]
    if unknown:
        raise InvalidInput(
            f"Table {found.name} has no column {', '.join(map(repr, unknown))}.",
            hint="Its columns: " + ", ".join(names) + ".",
        )
    if len(set(chosen)) != len(chosen):
        raise InvalidInput("A column is named twice in the export's columns.")
    if not 1 <= versions <= MAX_VERSIONS:
        raise InvalidInput(
            f"An export covers 1 to {MAX_VERSIONS} of the latest versions; {versions} was "
            "asked for."
        )
    if len(filters) > MAX_FILTERS:
        raise InvalidInput(f"An export has at most {MAX_FILTERS} filters.")
    return Definition(
        table=found,
        columns=chosen,
        filters=tuple(_filter(found, f) for f in filters),
        format=format,  # type: ignore[arg-type]
        versions=versions,
        bom=bom,
    )


def _filter(table: Table, raw: Mapping[str, Any]) -> Filter:
    column, op, value = raw.get("column"), raw.get("op"), raw.get("value")
    types = {c.name: c.type for c in table.columns}
    if column not in types:
        raise InvalidInput(
            f"A filter names column {column!r}, which table {table.name} does not have.",
            hint="Its columns: " + ", ".join(types) + ".",
        )
    if op not in OPERATORS:
        raise InvalidInput(
            f"Unknown filter operator {op!r}.", hint="Use one of: " + ", ".join(OPERATORS) + "."
        )
    kind = types[column]
    fits = {
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
    }.get(kind, isinstance(value, str))
    if not (fits or (value is None and op in ("eq", "ne"))):
        raise InvalidInput(
            f"The filter on {column} needs a {kind} value; {value!r} was given.",
            hint="Dates are 'YYYY-MM-DD' text, date-times ISO 8601 in UTC ending in 'Z'.",
        )
    return Filter(column=column, op=op, value=value)


def parse_filter(text: str) -> dict[str, Any]:
    """``column op value`` as typed on a command line: ``status eq "done"``, ``duration gt 3``."""
    parts = text.split(None, 2)
    if len(parts) != 3:
        raise InvalidInput(
            f"A filter is 'COLUMN OP VALUE'; got {text!r}.", hint='Example: status eq "done"'
        )
    column, op, raw = parts
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    return {"column": column, "op": op, "value": value}
