"""Variance: delays against the window's days, per reason and per category, Pareto-ranked."""

from __future__ import annotations

from metric_rows import C_AT, P_AT, delay, reason, task, version, window

from planbridge.metrics import compute_window

ACCESS = {"reason_id": 1, "reason": "Awaiting access", "category": "space_access"}
DRAWINGS = {"reason_id": 2, "reason": "Late drawings", "category": "information_design"}
RFI = {"reason_id": 3, "reason": "RFI open", "category": "information_design"}


def _variance(status: list[dict[str, object]]) -> list[dict[str, object]]:
    tasks = [task(i, "2026-03-02", "2026-03-06") for i in range(1, 5)]
    return window(tasks, tasks, status=status)["variance"]


def _level(rows: list[dict[str, object]], level: str) -> list[tuple[object, ...]]:
    return [
        (
            r["rank"],
            r["reason"] if level == "reason" else r["reason_category"],
            r["delayed_task_days"],
            r["task_count"],
            r["impact_days"],
            r["share"],
            r["cumulative_share"],
        )
        for r in rows
        if r["level"] == level
    ]


STATUS = [
    delay(1, "2026-03-02", **DRAWINGS, amount_days=2),
    delay(1, "2026-03-03", **DRAWINGS, amount_days=1),
    delay(2, "2026-03-03", **DRAWINGS, amount_days=1),
    delay(3, "2026-03-04", **ACCESS, amount_days=3),
    delay(4, "2026-03-05", **RFI, amount_days=1),
]


def test_reasons_are_ranked_by_delayed_task_days() -> None:
    assert _level(_variance(STATUS), "reason") == [
        (1, "Late drawings", 3, 2, 4, 0.6, 0.6),
        (2, "Awaiting access", 1, 1, 3, 0.2, 0.8),  # ties broken by impact days
        (3, "RFI open", 1, 1, 1, 0.2, 1.0),
    ]


def test_categories_are_ranked_on_their_own_level() -> None:
    assert _level(_variance(STATUS), "category") == [
        (1, "information_design", 4, 3, 5, 0.8, 0.8),
        (2, "space_access", 1, 1, 3, 0.2, 1.0),
    ]


def test_category_rows_carry_no_reason() -> None:
    for row in _variance(STATUS):
        if row["level"] == "category":
            assert (row["reason_id"], row["reason"]) == (None, None)


def test_the_same_task_day_counts_once_per_reason_but_every_impact_adds_up() -> None:
    twice = [
        delay(1, "2026-03-02", **ACCESS, amount_days=1),
        delay(1, "2026-03-02", **ACCESS, amount_days=2),
    ]
    assert _level(_variance(twice), "reason") == [(1, "Awaiting access", 1, 1, 3, 1.0, 1.0)]


def test_only_delays_against_days_of_the_window_count() -> None:
    outside = [
        delay(1, "2026-02-27", **ACCESS),
        delay(1, "2026-03-09", **ACCESS),
        delay(1, "2026-03-02", **DRAWINGS),
    ]
    assert [r["reason"] for r in _variance(outside) if r["level"] == "reason"] == ["Late drawings"]


def test_delays_without_a_reason_form_a_null_reason_ranked_after_named_ties() -> None:
    rows = _variance(
        [
            delay(1, "2026-03-02", reason_id=None, reason=None, category=None),
            delay(2, "2026-03-02", **ACCESS),
        ]
    )
    assert [(r["rank"], r["reason"]) for r in rows if r["level"] == "reason"] == [
        (1, "Awaiting access"),
        (2, None),
    ]


def test_the_label_and_category_come_from_delay_reasons_when_the_row_lacks_them() -> None:
    tasks = [task(1, "2026-03-02", "2026-03-06")]
    previous = version(1, P_AT, tasks=tasks)
    current = version(
        2,
        C_AT,
        tasks=tasks,
        status=[delay(1, "2026-03-03", reason_id=9, reason=None, category=None)],
        delay_reasons=[reason(9, "Crane down", "equipment")],
    )
    (row, _) = compute_window(previous, current, "Europe/London")["variance"]
    assert (row["reason_id"], row["reason"], row["reason_category"]) == (
        9,
        "Crane down",
        "equipment",
    )


def test_a_window_without_delays_has_no_variance_rows() -> None:
    assert _variance([]) == []
