"""Properties over random pairs of versions: ratios bounded, breakdowns add up, deterministic."""

from __future__ import annotations

import copy
import datetime as dt
import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from metric_rows import blocker, calendar, delay, task, version

from planbridge.metrics import MetricRows, compute_metrics, compute_window

BASE = dt.date(2026, 3, 2)
TZ = "Europe/London"
STATUSES = ["backlog", "planned", "in_progress", "complete", "promised"]
CALENDARS = [None, "Standard", "Six days", "Missing"]
GROUPS = [None, (1, "One"), (2, "Two"), (3, "Three")]
REASONS = [
    {"reason_id": None, "reason": None, "category": None},
    {"reason_id": 1, "reason": "Awaiting access", "category": "space_access"},
    {"reason_id": 2, "reason": "Late drawings", "category": "information_design"},
    {"reason_id": 3, "reason": "RFI open", "category": "information_design"},
]


def _day(offset: int) -> str:
    return (BASE + dt.timedelta(days=offset)).isoformat()


@st.composite
def _task(draw: st.DrawFn, task_id: int, parents: list[int]) -> dict[str, Any]:
    start = draw(st.integers(-6, 16))
    milestone = draw(st.booleans()) and draw(st.booleans())
    end = start if milestone else start + draw(st.integers(0, 8))
    return task(
        task_id,
        _day(start),
        _day(end),
        type="milestone" if milestone else "task",
        status=draw(st.sampled_from(STATUSES)),
        calendar=draw(st.sampled_from(CALENDARS)),
        parent_task_id=draw(st.sampled_from([None, *parents])),
        subcontractor=draw(st.sampled_from(GROUPS)),
        location=draw(st.sampled_from(GROUPS)),
        package=draw(st.sampled_from(GROUPS)),
        folder=draw(st.sampled_from(GROUPS)),
    )


def _moved(draw: st.DrawFn, row: dict[str, Any]) -> dict[str, Any]:
    shift = draw(st.integers(-2, 5))
    stretch = 0 if row["type"] == "milestone" else draw(st.integers(-1, 3))
    start = dt.date.fromisoformat(row["start_date"]) + dt.timedelta(days=shift)
    end = max(start, dt.date.fromisoformat(row["end_date"]) + dt.timedelta(days=shift + stretch))
    return {
        **row,
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "status": draw(st.sampled_from(STATUSES)),
    }


@st.composite
def _pair(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    holidays = draw(st.lists(st.integers(0, 14), max_size=3))
    calendars = [
        calendar(
            "Standard", holidays="; ".join(_day(h) for h in holidays) or None, is_default=True
        ),
        calendar("Six days", "1,2,3,4,5,6"),
    ]
    p_tasks: list[dict[str, Any]] = []
    for task_id in range(1, draw(st.integers(0, 14)) + 1):
        p_tasks.append(draw(_task(task_id, [t["task_id"] for t in p_tasks])))
    c_tasks = [_moved(draw, t) for t in p_tasks if not draw(st.booleans()) or draw(st.booleans())]
    for task_id in range(100, 100 + draw(st.integers(0, 3))):
        c_tasks.append(draw(_task(task_id, [])))
    ids = [t["task_id"] for t in c_tasks] or [1]
    status = [
        delay(
            draw(st.sampled_from(ids)),
            _day(draw(st.integers(-3, 16))),
            amount_days=draw(st.integers(0, 4)),
            **draw(st.sampled_from(REASONS)),
        )
        for _ in range(draw(st.integers(0, 10)))
    ]
    blockers = []
    for blocker_id in range(1, draw(st.integers(0, 6)) + 1):
        raised = draw(st.integers(-20, 14))
        due = draw(st.one_of(st.none(), st.integers(raised, 20)))
        resolved = draw(st.one_of(st.none(), st.integers(raised, 14)))
        blockers.append(
            blocker(
                blocker_id,
                draw(st.sampled_from(ids)),
                _day(raised),
                due_on=None if due is None else _day(due),
                resolved_on=None if resolved is None else _day(resolved),
            )
        )
    p_hour, c_offset = draw(st.integers(0, 23)), draw(st.integers(0, 14))
    previous = version(1, f"{_day(0)}T{p_hour:02d}:00:00Z", tasks=p_tasks, calendars=calendars)
    current = version(
        2,
        f"{_day(c_offset)}T{p_hour:02d}:30:00Z",
        tasks=c_tasks,
        status=status,
        blockers=blockers,
        calendars=calendars,
    )
    return previous, current


def _ratios(rows: MetricRows) -> list[Any]:
    return (
        [r["value"] for r in rows["ppc"] + rows["ppc_breakdown"] + rows["tmr"]]
        + [r["promises_kept"] for r in rows["blocker_metrics"]]
        + [r[k] for r in rows["variance"] for k in ("share", "cumulative_share")]
    )


@settings(max_examples=100, deadline=None, database=None)
@given(_pair())
def test_every_ratio_is_between_0_and_1_or_null(pair: tuple[dict[str, Any], ...]) -> None:
    rows = compute_window(*pair, TZ)
    for value in _ratios(rows):
        assert value is None or 0.0 <= value <= 1.0
    for row in rows["ppc"] + rows["ppc_breakdown"] + rows["tmr"]:
        assert (row["value"] is None) == (row["task_count"] == 0)


@settings(max_examples=100, deadline=None, database=None)
@given(_pair())
def test_breakdown_counts_add_up_to_the_project(pair: tuple[dict[str, Any], ...]) -> None:
    rows = compute_window(*pair, TZ)
    for project in rows["ppc"]:
        for dimension in ("subcontractor", "location", "package", "folder"):
            groups = [
                r
                for r in rows["ppc_breakdown"]
                if r["metric"] == project["metric"] and r["dimension"] == dimension
            ]
            for column in ("task_count", "achieved_task_count"):
                assert sum(g[column] for g in groups) == project[column]
            if project["planned_days"] is not None:
                for column in ("planned_days", "achieved_days"):
                    assert sum(g[column] for g in groups) == project[column]


@settings(max_examples=100, deadline=None, database=None)
@given(_pair())
def test_counts_are_consistent(pair: tuple[dict[str, Any], ...]) -> None:
    rows = compute_window(*pair, TZ)
    day_ppc = rows["ppc"][0]
    assert 0 <= day_ppc["achieved_days"] <= day_ppc["planned_days"]
    assert day_ppc["planned_days"] >= day_ppc["task_count"]
    (tmr,) = rows["tmr"]
    assert 0 <= tmr["ready_count"] <= tmr["task_count"] <= day_ppc["task_count"]
    for level in ("reason", "category"):
        ranked = [r for r in rows["variance"] if r["level"] == level]
        assert [r["rank"] for r in ranked] == list(range(1, len(ranked) + 1))
        if ranked:
            assert ranked[-1]["cumulative_share"] == 1.0


@settings(max_examples=60, deadline=None, database=None)
@given(_pair(), st.randoms(use_true_random=False))
def test_computing_twice_or_from_shuffled_rows_gives_identical_rows(
    pair: tuple[dict[str, Any], dict[str, Any]], rnd: random.Random
) -> None:
    previous, current = pair
    first = compute_metrics(current, previous, TZ)
    assert compute_metrics(current, previous, TZ) == first
    shuffled = [copy.deepcopy(previous), copy.deepcopy(current)]
    for body in shuffled:
        for table_rows in body.values():
            rnd.shuffle(table_rows)
    assert compute_metrics(shuffled[1], shuffled[0], TZ) == first
