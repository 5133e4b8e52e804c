"""docs/metrics.md: its worked example is computed here, and its table reference is current."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from planbridge.catalog import Table
from planbridge.metrics import FORMULA_VERSIONS, METRIC_TABLES, compute_window

DOC = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"


def _json_block(marker: str) -> Any:
    match = re.search(rf"<!-- {marker} -->\s*```json\n(.*?)```", DOC.read_text(), re.S)
    assert match, f"docs/metrics.md has no json block after <!-- {marker} -->"
    return json.loads(match.group(1))


def test_the_worked_example_gives_the_documented_rows() -> None:
    example = _json_block("worked-example-input")
    expected = _json_block("worked-example-output")
    rows = compute_window(example["previous"], example["current"], example["timezone"])
    assert set(expected) == {t.name for t in METRIC_TABLES}
    for table, shown in expected.items():
        for want in shown:
            matches = [r for r in rows[table] if want.items() <= r.items()]
            assert len(matches) == 1, f"{table}: no single row matches {want}"
        if table != "ppc_breakdown":  # the doc shows every row except the breakdown's
            assert len(rows[table]) == len(shown), table


def _reference(table: Table) -> str:
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
    return "\n".join(lines)


def test_every_metric_table_and_column_is_documented_as_declared() -> None:
    text = DOC.read_text()
    for table in METRIC_TABLES:
        assert _reference(table) in text, f"regenerate the `{table.name}` section:\n" + (
            _reference(table)
        )


def test_every_metric_id_is_explained() -> None:
    text = DOC.read_text()
    for metric in FORMULA_VERSIONS:
        assert f"`{metric}`" in text
