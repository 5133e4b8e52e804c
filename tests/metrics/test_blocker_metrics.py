"""Blocker figures per version: open, raised, resolved, overdue, ageing, promises kept."""

from __future__ import annotations

from metric_rows import C_AT, blocker, task, version, window

from planbridge.metrics import compute_first_version

TASKS = [task(1, "2026-03-02", "2026-03-06")]

# Window [2 March, 9 March); as of 9 March.
BLOCKERS = [
    blocker(1, 1, "2026-02-20", due_on="2026-03-03", resolved_on="2026-03-02"),  # kept
    blocker(2, 1, "2026-02-25", due_on="2026-03-04", resolved_on="2026-03-06"),  # late
    blocker(3, 1, "2026-03-04", due_on="2026-03-06"),  # open, overdue, promise broken
    blocker(4, 1, "2026-03-05", due_on="2026-03-13"),  # open, not yet due
    blocker(5, 1, "2026-01-10"),  # open, no due date, 58 days old
    blocker(6, 1, "2026-02-01", due_on="2026-02-10", resolved_on="2026-02-09"),  # before window
    blocker(7, 1, "2026-03-09", due_on="2026-03-09"),  # raised on C's day: next window
]


def _row() -> dict[str, object]:
    (row,) = window(TASKS, TASKS, blockers=BLOCKERS)["blocker_metrics"]
    return row


def test_window_counts() -> None:
    row = _row()
    assert (row["raised_count"], row["resolved_count"]) == (2, 2)


def test_open_and_overdue_are_taken_on_c_publication_day() -> None:
    row = _row()
    assert row["as_of"] == "2026-03-09"
    assert (row["open_count"], row["overdue_count"]) == (4, 1)


def test_median_age_of_open_blockers_in_calendar_days() -> None:
    # Ages 5, 4, 58, 0 -> median 4.5.
    assert _row()["median_open_age_days"] == 4.5


def test_promises_kept_over_blockers_due_in_the_window() -> None:
    row = _row()
    assert (row["promises_due_count"], row["promises_kept_count"], row["promises_kept"]) == (
        3,
        1,
        0.3333,
    )


def test_no_blockers_gives_zero_counts_and_null_ratios() -> None:
    (row,) = window(TASKS, TASKS)["blocker_metrics"]
    assert (row["open_count"], row["raised_count"], row["promises_due_count"]) == (0, 0, 0)
    assert (row["median_open_age_days"], row["promises_kept"]) == (None, None)


def test_first_version_has_standing_figures_but_no_window() -> None:
    rows = compute_first_version(version(1, C_AT, tasks=TASKS, blockers=BLOCKERS), "Europe/London")
    (row,) = rows["blocker_metrics"]
    assert (row["previous_version_id"], row["window_start"], row["window_end"]) == (
        None,
        None,
        None,
    )
    assert (row["open_count"], row["overdue_count"], row["median_open_age_days"]) == (4, 1, 4.5)
    assert [
        row[c]
        for c in (
            "raised_count",
            "resolved_count",
            "promises_due_count",
            "promises_kept_count",
            "promises_kept",
        )
    ] == [None] * 5
