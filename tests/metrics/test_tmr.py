"""Tasks Made Ready: tasks P planned to start in the window with no open blocker at start."""

from __future__ import annotations

from metric_rows import blocker, task, window


def _tmr(
    blockers: list[dict[str, object]],
    c_tasks: list[dict[str, object]] | None = None,
) -> tuple[object, object, object]:
    p = [
        task(1, "2026-03-02", "2026-03-04"),
        task(2, "2026-03-05", "2026-03-06"),
        task(3, "2026-03-03", "2026-03-04"),
    ]
    (row,) = window(p, p if c_tasks is None else c_tasks, blockers=blockers)["tmr"]
    return row["value"], row["task_count"], row["ready_count"]


def test_tasks_without_blockers_are_ready() -> None:
    assert _tmr([]) == (1.0, 3, 3)


def test_a_blocker_open_at_the_planned_start_makes_the_task_not_ready() -> None:
    late = blocker(1, 2, "2026-02-25", due_on="2026-03-04", resolved_on="2026-03-06")
    still_open = blocker(2, 3, "2026-03-01")
    assert _tmr([late, still_open]) == (0.3333, 3, 1)


def test_a_blocker_resolved_on_the_start_day_or_raised_after_it_does_not_count() -> None:
    cleared = blocker(1, 3, "2026-02-20", resolved_on="2026-03-03")
    raised_later = blocker(2, 1, "2026-03-03")
    assert _tmr([cleared, raised_later]) == (1.0, 3, 3)


def test_a_blocker_raised_on_the_start_day_counts() -> None:
    assert _tmr([blocker(1, 3, "2026-03-03")]) == (0.6667, 3, 2)


def test_tasks_starting_before_the_window_are_not_counted() -> None:
    p = [task(1, "2026-02-26", "2026-03-04"), task(2, "2026-03-04", "2026-03-04")]
    (row,) = window(p, p)["tmr"]
    assert row["task_count"] == 1


def test_milestones_are_not_counted() -> None:
    p = [task(1, "2026-03-04", "2026-03-04", type="milestone")]
    (row,) = window(p, p)["tmr"]
    assert (row["value"], row["task_count"]) == (None, 0)


def test_a_task_deleted_in_c_is_not_ready() -> None:
    c = [task(1, "2026-03-02", "2026-03-04"), task(2, "2026-03-05", "2026-03-06")]
    assert _tmr([], c_tasks=c) == (0.6667, 3, 2)
