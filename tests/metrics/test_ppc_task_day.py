"""PPC (task day): planned days from P, lost days from C, mean of the task PPCs."""

from __future__ import annotations

import pytest
from metric_rows import C_AT, P_AT, calendar, delay, ppc, task, version, window

from planbridge.metrics import MetricsInputError, compute_window

# Window: Monday 2 March 2026 (inclusive) to Monday 9 March (exclusive), Monday to Friday.


def test_product_brief_example_gives_66_7_percent() -> None:
    # A 3 of 3 days, B 1 of 2 (Friday delayed), C 1 of 2 (moved a day later).
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
    rows = window(p, c, status=[delay(2, "2026-03-06"), delay(3, "2026-03-03")])
    row = ppc(rows, "ppc_task_day")
    assert row["value"] == 0.6667
    assert (row["task_count"], row["planned_days"], row["achieved_days"]) == (3, 7, 5)
    assert row["achieved_task_count"] == 1


def test_work_is_assumed_done_when_no_delay_is_recorded() -> None:
    same = [task(1, "2026-03-02", "2026-03-06")]
    row = ppc(window(same, same), "ppc_task_day")
    assert (row["value"], row["planned_days"], row["achieved_days"]) == (1.0, 5, 5)


def test_only_days_inside_the_window_are_planned_days() -> None:
    # Runs from the Thursday before P to the Tuesday after C: only Mon 2 to Fri 6 count.
    same = [task(1, "2026-02-26", "2026-03-10")]
    assert ppc(window(same, same), "ppc_task_day")["planned_days"] == 5


def test_a_delayed_day_is_lost_even_if_the_task_still_covers_it() -> None:
    same = [task(1, "2026-03-02", "2026-03-05")]
    row = ppc(window(same, same, status=[delay(1, "2026-03-03")]), "ppc_task_day")
    assert (row["value"], row["achieved_days"]) == (0.75, 3)


def test_progress_updates_other_than_delays_do_not_lose_days() -> None:
    same = [task(1, "2026-03-02", "2026-03-03")]
    updates = [delay(1, "2026-03-02", type="on_schedule"), delay(1, "2026-03-03", type="improved")]
    assert ppc(window(same, same, status=updates), "ppc_task_day")["value"] == 1.0


def test_days_the_task_moved_out_of_are_lost() -> None:
    p = [task(1, "2026-03-02", "2026-03-05")]
    c = [task(1, "2026-03-04", "2026-03-09")]
    assert ppc(window(p, c), "ppc_task_day")["achieved_days"] == 2


def test_a_day_c_makes_non_working_is_lost() -> None:
    cal_p = [calendar("Standard", is_default=True)]
    cal_c = [calendar("Standard", holidays="2026-03-04", is_default=True)]
    same = [task(1, "2026-03-02", "2026-03-06")]
    previous = version(1, P_AT, tasks=same, calendars=cal_p)
    current = version(2, C_AT, tasks=same, calendars=cal_c)
    row = ppc(compute_window(previous, current, "Europe/London"), "ppc_task_day")
    assert (row["planned_days"], row["achieved_days"]) == (5, 4)


def test_a_task_put_back_in_the_backlog_loses_all_its_days() -> None:
    p = [task(1, "2026-03-02", "2026-03-03")]
    c = [task(1, "2026-03-02", "2026-03-03", status="backlog")]
    assert ppc(window(p, c), "ppc_task_day")["value"] == 0.0


def test_a_task_deleted_between_p_and_c_counts_as_not_achieved() -> None:
    p = [task(1, "2026-03-02", "2026-03-03"), task(2, "2026-03-02", "2026-03-03")]
    c = [task(1, "2026-03-02", "2026-03-03")]
    row = ppc(window(p, c), "ppc_task_day")
    assert (row["value"], row["task_count"], row["achieved_days"]) == (0.5, 2, 2)


def test_a_task_complete_early_keeps_its_planned_days_after_the_finish() -> None:
    p = [task(1, "2026-03-02", "2026-03-06")]
    c = [task(1, "2026-03-02", "2026-03-04", status="complete")]
    assert ppc(window(p, c), "ppc_task_day")["value"] == 1.0


def test_a_task_not_complete_that_ended_early_loses_the_days_it_dropped() -> None:
    p = [task(1, "2026-03-02", "2026-03-06")]
    c = [task(1, "2026-03-02", "2026-03-04", status="in_progress")]
    assert ppc(window(p, c), "ppc_task_day")["achieved_days"] == 3


def test_a_task_whose_planned_days_are_all_non_working_is_excluded() -> None:
    weekend = task(1, "2026-03-07", "2026-03-08")
    row = ppc(window([weekend], [weekend]), "ppc_task_day")
    assert (row["value"], row["task_count"]) == (None, 0)


def test_holidays_are_not_planned_days() -> None:
    cals = [calendar("Standard", holidays="2026-03-03; 2026-03-04", is_default=True)]
    same = [task(1, "2026-03-02", "2026-03-05"), task(2, "2026-03-03", "2026-03-04")]
    row = ppc(window(same, same, calendars=cals), "ppc_task_day")
    assert (row["task_count"], row["planned_days"]) == (1, 2)


def test_the_task_calendar_decides_its_working_days() -> None:
    cals = [calendar("Standard", is_default=True), calendar("Six days", "1,2,3,4,5,6")]
    same = [
        task(1, "2026-03-06", "2026-03-07", calendar="Six days"),
        task(2, "2026-03-06", "2026-03-07"),
    ]
    row = ppc(window(same, same, calendars=cals), "ppc_task_day")
    assert row["planned_days"] == 3  # Fri + Sat for the six-day task, Fri for the other


def test_milestones_do_not_count_for_task_day_ppc() -> None:
    same = [task(1, "2026-03-04", "2026-03-04", type="milestone")]
    row = ppc(window(same, same), "ppc_task_day")
    assert (row["value"], row["task_count"]) == (None, 0)


def test_summary_tasks_are_left_out_so_their_children_are_not_counted_twice() -> None:
    same = [
        task(1, "2026-03-02", "2026-03-06"),
        task(2, "2026-03-02", "2026-03-03", parent_task_id=1),
    ]
    assert ppc(window(same, same), "ppc_task_day")["task_count"] == 1


@pytest.mark.parametrize("status", ["backlog", "complete"])
def test_tasks_not_planned_in_p_are_left_out(status: str) -> None:
    same = [task(1, "2026-03-02", "2026-03-06", status=status)]
    assert ppc(window(same, same), "ppc_task_day")["task_count"] == 0


def test_a_window_without_planned_work_has_null_ppc_not_zero() -> None:
    rows = window([task(1, "2026-04-06", "2026-04-10")], [])
    for metric in ("ppc_task_day", "ppc_task"):
        row = ppc(rows, metric)
        assert (row["value"], row["task_count"]) == (None, 0)
    assert rows["ppc_breakdown"] == []
    assert rows["tmr"][0]["value"] is None


def test_two_publications_on_the_same_day_give_an_empty_window() -> None:
    same = [task(1, "2026-03-02", "2026-03-06")]
    previous = version(1, "2026-03-02T07:00:00Z", tasks=same)
    current = version(2, "2026-03-02T15:00:00Z", tasks=same)
    rows = compute_window(previous, current, "Europe/London")
    row = ppc(rows, "ppc_task_day")
    assert (row["window_start"], row["window_end"], row["value"]) == (
        "2026-03-02",
        "2026-03-02",
        None,
    )


def test_the_window_uses_the_project_time_zone() -> None:
    # 22:30 UTC on Sunday 1 March is Monday 2 March 09:30 in Sydney; C likewise a week later.
    same = [task(1, "2026-03-02", "2026-03-02")]
    previous = version(1, "2026-03-01T22:30:00Z", tasks=same)
    current = version(2, "2026-03-08T22:30:00Z", tasks=same)
    sydney = ppc(compute_window(previous, current, "Australia/Sydney"), "ppc_task_day")
    london = ppc(compute_window(previous, current, "Europe/London"), "ppc_task_day")
    assert (sydney["window_start"], sydney["window_end"]) == ("2026-03-02", "2026-03-09")
    assert (london["window_start"], london["window_end"]) == ("2026-03-01", "2026-03-08")


def test_a_current_version_published_before_the_previous_is_refused() -> None:
    with pytest.raises(MetricsInputError, match="published before"):
        compute_window(version(1, C_AT), version(2, P_AT), "Europe/London")


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(MetricsInputError, match="time zone"):
        compute_window(version(1, P_AT), version(2, C_AT), "Mars/Olympus")
