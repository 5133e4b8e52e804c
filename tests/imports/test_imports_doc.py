"""docs/imports.md documents every template column, so the page cannot drift from the code."""

from __future__ import annotations

from pathlib import Path

from planbridge.imports import COLUMNS

DOC = Path(__file__).resolve().parents[2] / "docs" / "imports.md"


def test_every_template_column_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")

    missing = [c.name for c in COLUMNS if f"| `{c.name}` |" not in text]

    assert missing == []
