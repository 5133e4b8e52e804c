"""The metric tables: declared columns, typed values, ids and versions, entry points."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from metric_rows import C_AT, P_AT, blocker, delay, task, version

from planbridge.catalog import PLAN_TABLES, Column
from planbridge.metrics import (
    FORMULA_VERSIONS,
    METRIC_TABLES,
    METRIC_TABLES_BY_NAME,
    MetricRows,
    MetricsInputError,
    compute_first_version,
    compute_metrics,
    compute_window,
)

TASKS = [
    task(1, "2026-03-02", "2026-03-04", subcontractor=(1, "Sparks Ltd")),
    task(2, "2026-03-05", "2026-03-06", location=(2, "Level 1")),
    task(3, "2026-03-04", "2026-03-04", type="milestone"),
]


def _rich() -> MetricRows:
    previous = version(1, P_AT, tasks=TASKS)
    current = version(
        2,
        C_AT,
        tasks=TASKS,
        status=[delay(1, "2026-03-03"), delay(2, "2026-03-05", reason_id=None, reason=None)],
        blockers=[blocker(1, 2, "2026-03-01", due_on="2026-03-04")],
    )
    return compute_window(previous, current, "Europe/London")


def _is_typed(value: Any, column: Column) -> bool:
    if value is None:
        return column.nullable
    checks = {
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, float | int) and not isinstance(v, bool),
        "string": lambda v: isinstance(v, str),
        "boolean": lambda v: isinstance(v, bool),
        "date": lambda v: isinstance(v, str) and dt.date.fromisoformat(v).isoformat() == v,
        "datetime": lambda v: isinstance(v, str) and v.endswith("Z"),
    }
    return bool(checks[column.type](value))


def test_every_table_is_returned_with_declared_columns_in_order_and_typed_values() -> None:
    rows = _rich()
    assert list(rows) == [t.name for t in METRIC_TABLES]
    for table in METRIC_TABLES:
        assert rows[table.name], table.name
        for row in rows[table.name]:
            assert tuple(row) == table.column_names
            for column in table.columns:
                assert _is_typed(row[column.name], column), (table.name, column.name, row)


def test_every_row_names_its_metric_and_formula_version() -> None:
    for table_rows in _rich().values():
        for row in table_rows:
            assert row["formula_version"] == FORMULA_VERSIONS[row["metric"]]
            assert (row["version_id"], row["previous_version_id"]) == (2, 1)


def test_metric_table_names_do_not_clash_with_feed_tables() -> None:
    assert not set(METRIC_TABLES_BY_NAME) & {t.name for t in PLAN_TABLES}


def test_first_version_returns_every_table_with_only_a_blocker_row() -> None:
    rows = compute_first_version(version(1, P_AT, tasks=TASKS), "Europe/London")
    assert list(rows) == [t.name for t in METRIC_TABLES]
    assert {name: len(r) for name, r in rows.items()} == {
        "ppc": 0,
        "ppc_breakdown": 0,
        "variance": 0,
        "blocker_metrics": 1,
        "tmr": 0,
    }
    assert (
        tuple(rows["blocker_metrics"][0]) == METRIC_TABLES_BY_NAME["blocker_metrics"].column_names
    )


def test_compute_metrics_picks_window_or_first_version() -> None:
    previous, current = version(1, P_AT, tasks=TASKS), version(2, C_AT, tasks=TASKS)
    tz = "Europe/London"
    assert compute_metrics(current, previous, tz) == compute_window(previous, current, tz)
    assert compute_metrics(current, None, tz) == compute_first_version(current, tz)


def test_rows_of_more_than_one_version_are_refused() -> None:
    both = version(2, C_AT)
    both["versions"] = both["versions"] + version(1, P_AT)["versions"]
    with pytest.raises(MetricsInputError, match="one versions row"):
        compute_window(version(1, P_AT), both, "Europe/London")


def test_a_task_row_without_dates_is_refused_with_its_content() -> None:
    broken = version(1, P_AT, tasks=TASKS)
    del broken["tasks"][0]["end_date"]
    with pytest.raises(MetricsInputError, match="end_date"):
        compute_window(broken, version(2, C_AT), "Europe/London")


def test_a_malformed_calendar_is_refused() -> None:
    bad = version(1, P_AT)
    bad["calendars"][0]["working_weekdays"] = "Mon,Tue"
    with pytest.raises(MetricsInputError, match="working_weekdays"):
        compute_window(bad, version(2, C_AT), "Europe/London")
