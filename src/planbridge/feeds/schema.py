"""The feed's JSON Schema, shipped as ``feed.schema.json`` next to this module. It is written by
``make generate`` from the catalog (``planbridge.catalog.render.json_schema``);
``tests/test_generated.py`` keeps the shipped file equal to the catalog's."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

SCHEMA_FILE = "feed.schema.json"


def shipped_text() -> str:
    return resources.files("planbridge.feeds").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")


@cache
def feed_schema() -> dict[str, Any]:
    """The shipped schema."""
    loaded: dict[str, Any] = json.loads(shipped_text())
    return loaded
