"""Both PPCs by subcontractor, location, package and folder, with the counts behind them."""

from __future__ import annotations

from metric_rows import delay, task, window

SPARKS = (10, "Sparks Ltd")
DRY = (11, "Dry Lining Co")


def _rows() -> list[dict[str, object]]:
    p = [
        task(1, "2026-03-02", "2026-03-04", subcontractor=SPARKS, folder=(5, "1.2")),
        task(2, "2026-03-05", "2026-03-06", subcontractor=SPARKS, location=(7, "Level 1")),
        task(3, "2026-03-03", "2026-03-04", subcontractor=DRY, package=(3, "Fit-out")),
        task(4, "2026-03-04", "2026-03-04", type="milestone", subcontractor=DRY),
    ]
    c = [p[0], task(2, "2026-03-05", "2026-03-09", subcontractor=SPARKS), p[2], p[3]]
    return window(p, c, status=[delay(2, "2026-03-06")])["ppc_breakdown"]


def _pick(rows: list[dict[str, object]], metric: str, dimension: str) -> dict[object, object]:
    return {
        r["group_name"]: (r["value"], r["task_count"])
        for r in rows
        if r["metric"] == metric and r["dimension"] == dimension
    }


def test_task_day_ppc_by_subcontractor() -> None:
    assert _pick(_rows(), "ppc_task_day", "subcontractor") == {
        "Dry Lining Co": (1.0, 1),
        "Sparks Ltd": (0.75, 2),
    }


def test_task_ppc_by_subcontractor_includes_milestones() -> None:
    assert _pick(_rows(), "ppc_task", "subcontractor") == {
        "Dry Lining Co": (1.0, 2),
        "Sparks Ltd": (0.5, 2),
    }


def test_tasks_without_a_group_form_the_null_group_listed_last() -> None:
    rows = [r for r in _rows() if r["metric"] == "ppc_task_day" and r["dimension"] == "location"]
    assert [(r["group_id"], r["group_name"], r["task_count"]) for r in rows] == [
        (7, "Level 1", 1),
        (None, None, 2),
    ]


def test_folders_are_named_by_wbs_code_and_packages_by_name() -> None:
    rows = _rows()
    assert _pick(rows, "ppc_task_day", "folder")["1.2"] == (1.0, 1)
    assert _pick(rows, "ppc_task_day", "package")["Fit-out"] == (1.0, 1)


def test_groups_use_the_assignment_in_p() -> None:
    p = [task(1, "2026-03-02", "2026-03-03", subcontractor=SPARKS)]
    c = [task(1, "2026-03-02", "2026-03-03", subcontractor=DRY)]
    rows = window(p, c)["ppc_breakdown"]
    assert set(_pick(rows, "ppc_task_day", "subcontractor")) == {"Sparks Ltd"}


def test_day_counts_are_carried_for_task_day_rows_only() -> None:
    for row in _rows():
        has_days = row["planned_days"] is not None and row["achieved_days"] is not None
        assert has_days == (row["metric"] == "ppc_task_day")
