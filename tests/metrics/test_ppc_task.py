"""PPC (task): of the tasks P planned to finish in the window, the share C still finishes there."""

from __future__ import annotations

from metric_rows import delay, ppc, task, window


def test_product_brief_example_gives_66_7_percent() -> None:
    # A finishes as planned, B slips to next week, C finishes a day late but inside the window.
    p = [
        task(1, "2026-03-02", "2026-03-04"),
        task(2, "2026-03-05", "2026-03-06"),
        task(3, "2026-03-03", "2026-03-04"),
    ]
    c = [
        task(1, "2026-03-02", "2026-03-04"),
        task(2, "2026-03-05", "2026-03-09"),
        task(3, "2026-03-04", "2026-03-05"),
    ]
    row = ppc(window(p, c, status=[delay(2, "2026-03-06")]), "ppc_task")
    assert (row["value"], row["task_count"], row["achieved_task_count"]) == (0.6667, 3, 2)
    assert (row["planned_days"], row["achieved_days"]) == (None, None)


def test_tasks_finishing_after_the_window_do_not_count() -> None:
    same = [task(1, "2026-03-02", "2026-03-09")]  # ends on C's publication day
    row = ppc(window(same, same), "ppc_task")
    assert (row["value"], row["task_count"]) == (None, 0)


def test_a_final_day_on_the_window_last_day_is_kept() -> None:
    same = [task(1, "2026-03-06", "2026-03-08", calendar=None)]  # ends Sunday 8 (in window)
    assert ppc(window(same, same), "ppc_task")["value"] == 1.0


def test_milestones_count_for_task_ppc() -> None:
    p = [
        task(1, "2026-03-04", "2026-03-04", type="milestone"),
        task(2, "2026-03-06", "2026-03-06", type="milestone"),
    ]
    c = [
        task(1, "2026-03-04", "2026-03-04", type="milestone"),
        task(2, "2026-03-11", "2026-03-11", type="milestone"),
    ]
    row = ppc(window(p, c), "ppc_task")
    assert (row["value"], row["task_count"]) == (0.5, 2)


def test_a_milestone_on_a_weekend_still_counts() -> None:
    same = [task(1, "2026-03-07", "2026-03-07", type="milestone")]
    assert ppc(window(same, same), "ppc_task")["task_count"] == 1


def test_a_task_deleted_between_p_and_c_counts_as_not_achieved() -> None:
    p = [task(1, "2026-03-02", "2026-03-03"), task(2, "2026-03-02", "2026-03-03")]
    row = ppc(window(p, p[:1]), "ppc_task")
    assert (row["value"], row["task_count"]) == (0.5, 2)


def test_a_task_finished_before_the_window_counts_as_kept() -> None:
    p = [task(1, "2026-03-02", "2026-03-04")]
    c = [task(1, "2026-02-25", "2026-02-27", status="complete")]
    assert ppc(window(p, c), "ppc_task")["value"] == 1.0


def test_a_task_put_back_in_the_backlog_is_not_kept() -> None:
    p = [task(1, "2026-03-02", "2026-03-04")]
    c = [task(1, "2026-03-02", "2026-03-04", status="backlog")]
    assert ppc(window(p, c), "ppc_task")["value"] == 0.0


def test_a_task_with_only_non_working_days_in_the_window_is_excluded() -> None:
    same = [task(1, "2026-03-07", "2026-03-08")]
    assert ppc(window(same, same), "ppc_task")["task_count"] == 0
