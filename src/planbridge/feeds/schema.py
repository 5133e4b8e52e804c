"""The feed's JSON Schema, generated from the table registry and shipped as
``feed.schema.json`` (a test keeps the shipped file equal to the generated one)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from planbridge.feeds.catalog import FEED_TABLES
from planbridge.feeds.tables import Column

SHIPPED = Path(__file__).with_name("feed.schema.json")

_TYPES: dict[str, dict[str, Any]] = {
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "string": {"type": "string"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
    "datetime": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"},
}


def _column(column: Column) -> dict[str, Any]:
    schema = dict(_TYPES[column.type])
    if column.nullable:
        schema["type"] = [schema["type"], "null"]
    schema["description"] = column.description
    return schema


def build_schema() -> dict[str, Any]:
    tables = {
        table.name: {
            "type": "array",
            "description": table.description,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": list(table.column_names),
                "properties": {c.name: _column(c) for c in table.columns},
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
                "required": [
                    "limit",
                    "resource",
                    "status",
                    "blockers",
                    "metrics",
                    "published_from",
                    "published_to",
                ],
                "properties": {
                    "limit": {"type": "integer", "minimum": 1},
                    "resource": {"type": "boolean"},
                    "status": {"type": "boolean"},
                    "blockers": {"type": "boolean"},
                    "metrics": {"type": "boolean"},
                    "published_from": {
                        "type": ["string", "null"],
                        "description": "Lower bound (inclusive) on versions.published_at.",
                    },
                    "published_to": {
                        "type": ["string", "null"],
                        "description": "Upper bound (exclusive) on versions.published_at.",
                    },
                },
            },
            **tables,
        },
    }


def render() -> str:
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"


@cache
def feed_schema() -> dict[str, Any]:
    """The shipped schema."""
    loaded: dict[str, Any] = json.loads(SHIPPED.read_text(encoding="utf-8"))
    return loaded
