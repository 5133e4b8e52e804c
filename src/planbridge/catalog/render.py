"""Text derived from the catalog: the feed's JSON Schema, the Power Query ``Columns`` record and
the docs' table reference. Pure functions of the declarations; ``generate`` writes them out."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from planbridge.catalog import FEED_TABLES, METRIC_TABLES, Column, Table
from planbridge.catalog.params import FEED_PARAMETERS, PARAMETERS, VALUES_DOC

# ---- JSON Schema (feeds/feed.schema.json) ----

_JSON_TYPES: dict[str, dict[str, Any]] = {
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "string": {"type": "string"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
    "datetime": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"},
}


def _json_column(column: Column) -> dict[str, Any]:
    schema = dict(_JSON_TYPES[column.type])
    if column.nullable:
        schema["type"] = [schema["type"], "null"]
    schema["description"] = column.description
    return schema


def json_schema() -> dict[str, Any]:
    tables = {
        table.name: {
            "type": "array",
            "description": table.description,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": list(table.column_names),
                "properties": {c.name: _json_column(c) for c in table.columns},
            },
        }
        for table in FEED_TABLES
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://planbridge.example/schemas/feed.schema.json",
        "title": "PlanBridge Published Plans feed",
        "type": "object",
        "additionalProperties": False,
        "required": ["project", "parameters", *tables],
        "properties": {
            "project": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "code", "name", "timezone", "tier"],
                "properties": {
                    "id": {"type": "string", "description": "The project's feed id."},
                    "code": {"type": "string"},
                    "name": {"type": "string"},
                    "timezone": {"type": "string", "description": "IANA timezone."},
                    "tier": {"enum": ["pro", "enterprise"]},
                },
            },
            "parameters": {
                "type": "object",
                "description": "The parameters as applied (limit after capping).",
                "additionalProperties": False,
                "required": [p.name for p in FEED_PARAMETERS],
                "properties": {p.name: dict(p.json_schema) for p in FEED_PARAMETERS},
            },
            **tables,
        },
    }


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


# ---- Power Query (feeds/powerquery/*.pq) ----

#: Catalog types, each handled by the ``ColumnTypes`` record of the template.
M_TYPES = {
    "integer": "Int64.Type",
    "number": "type number",
    "string": "type text",
    "boolean": "type logical",
    "date": "type date",
    "datetime": "type datetimezone",
}
COLUMNS_BEGIN = "// ---- BEGIN GENERATED COLUMNS"
COLUMNS_END = "// ---- END GENERATED COLUMNS"
SHARED_BEGIN = "// ---- BEGIN SHARED"
SHARED_END = "// ---- END SHARED"
INDENT = "    "
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_M_KEYWORDS = frozenset(
    "and as each else error false if in is let meta not null or otherwise section shared then "  # noqa: SIM905
    "true try type".split()
)


class StaleRegion(ValueError):
    """A template lacks the marker lines of a generated region."""


def m_text(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def m_field_name(name: str) -> str:
    if _PLAIN_NAME.fullmatch(name) and name not in _M_KEYWORDS:
        return name
    return "#" + m_text(name)


def m_columns(tables: Iterable[Table] = FEED_TABLES) -> list[str]:
    """The ``Columns = [...]`` record as template lines (indented for the outer ``let``)."""
    tables = list(tables)
    lines = [f"{INDENT}Columns = ["]
    for i, table in enumerate(tables):
        lines.append(f"{INDENT * 2}{m_field_name(table.name)} = {{")
        for j, column in enumerate(table.columns):
            if column.type not in M_TYPES:
                raise ValueError(
                    f"{table.name}.{column.name} has type {column.type!r}; "
                    f"known: {', '.join(M_TYPES)}"
                )
            comma = "," if j < len(table.columns) - 1 else ""
            lines.append(f"{INDENT * 3}{{{m_text(column.name)}, {m_text(column.type)}}}{comma}")
        lines.append(f"{INDENT * 2}}}" + ("," if i < len(tables) - 1 else ""))
    lines.append(f"{INDENT}],")
    return lines


def _region(lines: Sequence[str], begin: str, end: str, where: str) -> tuple[int, int]:
    """Indexes of the begin and end marker lines (each must occur exactly once)."""
    starts = [i for i, line in enumerate(lines) if line.strip().startswith(begin)]
    ends = [i for i, line in enumerate(lines) if line.strip().startswith(end)]
    if len(starts) != 1 or len(ends) != 1 or starts[0] > ends[0]:
        raise StaleRegion(f"{where} needs one {begin!r} line before one {end!r} line")
    return starts[0], ends[0]


def replace_region(text: str, begin: str, end: str, body: Sequence[str], where: str) -> str:
    lines = text.splitlines()
    start, stop = _region(lines, begin, end, where)
    return "\n".join([*lines[: start + 1], *body, *lines[stop:]]) + "\n"


def extract_region(text: str, begin: str, end: str, where: str) -> list[str]:
    lines = text.splitlines()
    start, stop = _region(lines, begin, end, where)
    return lines[start + 1 : stop]


def m_templates(main: str, copies: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The main template with its columns regenerated, and each copy (by name) with the main
    template's shared region (helpers plus columns), since each template pastes on its own."""
    main = replace_region(main, COLUMNS_BEGIN, COLUMNS_END, m_columns(), "PublishedPlans.pq")
    shared = extract_region(main, SHARED_BEGIN, SHARED_END, "PublishedPlans.pq")
    return main, {
        name: replace_region(text, SHARED_BEGIN, SHARED_END, shared, name)
        for name, text in copies.items()
    }


# ---- Docs (docs/feed.md, docs/metrics.md, docs/feed.md's parameters) ----

DOC_BEGIN = "<!-- catalog:{name}:begin -->"
DOC_END = "<!-- catalog:{name}:end -->"


def feed_tables_doc() -> str:
    parts = []
    for table in FEED_TABLES:
        switch = f" Switched off by `{table.flag}=false`." if table.flag else ""
        parts.append(f"### `{table.name}`\n\n{table.description}{switch}\n")
        parts.append("| column | type | null | description |\n| --- | --- | --- | --- |")
        for c in table.columns:
            null = "yes" if c.nullable else ""
            parts.append(f"| `{c.name}` | {c.type} | {null} | {c.description} |")
        parts.append("")
    return "\n".join(parts)


def metric_tables_doc() -> str:
    parts = []
    for table in METRIC_TABLES:
        lines = [
            f"### `{table.name}`",
            "",
            table.description,
            "",
            "| column | type | nullable | description |",
            "| --- | --- | --- | --- |",
        ]
        lines += [
            f"| `{c.name}` | {c.type} | {'yes' if c.nullable else 'no'} | {c.description} |"
            for c in table.columns
        ]
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


def feed_parameters_doc() -> str:
    rows = ["| parameter | values | default | meaning |", "| --- | --- | --- | --- |"]
    for p in PARAMETERS:
        if "feed" in p.endpoints:
            values = p.values_doc or VALUES_DOC[p.kind]
            rows.append(f"| `{p.name}` | {values} | {p.doc_default} | {p.doc} |")
    return "\n".join(rows) + "\n"


def splice(text: str, name: str, generated: str, where: str) -> str:
    begin, end = DOC_BEGIN.format(name=name), DOC_END.format(name=name)
    if text.count(begin) != 1 or text.count(end) != 1:
        raise StaleRegion(f"{where} needs one {begin} and one {end} line")
    head, _, rest = text.partition(begin)
    _, _, tail = rest.partition(end)
    return f"{head}{begin}\n{generated}{end}{tail}"
