"""A schedule with problems changes nothing, and the error lists every problem with its place."""

from __future__ import annotations

import datetime as dt

import pytest

from planbridge.actors import OPERATOR
from planbridge.imports import ParsedCalendar, ParsedFolder, ParsedSchedule, ParsedTask
from planbridge.imports.apply import apply_schedule
from planbridge.imports.report import ImportRejected
from planbridge.planning import service as planning
from planbridge.projects.models import Project

from .apply_support import csv_file, import_bytes, snapshot

GOOD = {"external_id": "T1", "name": "Excavate", "start": "2025-03-03", "duration_days": "5"}


def test_a_broken_csv_leaves_the_database_unchanged_and_lists_every_problem(
    db, make_project
) -> None:
    project = make_project().project
    import_bytes(db, project, csv_file(GOOD), "plan.csv")
    before = snapshot(db)
    broken = csv_file(
        {**GOOD, "name": "Excavate to formation"},
        {"external_id": "T2", "name": "Pour", "start": "2025-03-10", "end": "2025-03-07"},
        {**GOOD, "external_id": "T3", "calendar": "Night shift"},
        {"external_id": "T4", "name": "Cure", "start": "2025-03-20", "duration_days": "0"},
    )

    with pytest.raises(ImportRejected) as caught:
        import_bytes(db, project, broken, "plan.csv")

    assert snapshot(db) == before
    problems = caught.value.report.problems
    assert [(p.location, p.field) for p in problems] == [
        ("row 3", "end"),
        ("row 4", "calendar"),
        ("row 5", "duration_days"),
    ]
    assert "Night shift" in problems[1].message
    assert caught.value.code == "import_rejected"
    assert [p["location"] for p in caught.value.details["problems"]] == ["row 3", "row 4", "row 5"]
    assert caught.value.message == "3 problems in plan.csv; nothing was imported."


def test_a_dry_run_of_a_broken_file_is_rejected_the_same_way(db, make_project) -> None:
    project = make_project().project
    before = snapshot(db)
    broken = csv_file({**GOOD, "end": "2025-02-01"})

    with pytest.raises(ImportRejected) as caught:
        import_bytes(db, project, broken, "plan.csv", dry_run=True)

    assert snapshot(db) == before
    assert [str(p) for p in caught.value.report.problems] == [
        "row 2, end: 2025-02-01 is before start 2025-03-03"
    ]


def _schedule(*tasks: ParsedTask, **fields) -> ParsedSchedule:
    return ParsedSchedule(
        source_format="xer",
        calendars=[ParsedCalendar("Standard")],
        tasks=list(tasks),
        **fields,
    )


def _task(external_id: str, **fields) -> ParsedTask:
    values = {
        "name": f"Activity {external_id}",
        "start": dt.date(2025, 3, 3),
        "end": dt.date(2025, 3, 7),
        "duration_days": 5,
        "source": f"activity {external_id}",
        "calendar": "Standard",
        **fields,
    }
    return ParsedTask(external_id=external_id, **values)


def _apply(db, project: Project, schedule: ParsedSchedule):
    with db.transaction() as session:
        target = session.get(Project, project.id)
        return apply_schedule(session, target, schedule, actor=OPERATOR)


def test_what_only_the_database_can_check_is_a_problem_too(db, make_project) -> None:
    project = make_project().project
    before = snapshot(db)
    schedule = _schedule(
        _task("A1", calendar="24 Hour"),
        _task("A2", name="x" * 501),
        _task("A3", subcontractor="s" * 201),
        _task("A4", parent_external_id="A9"),
        folders=[ParsedFolder("1.1", "Piling", parent_code="1")],
    )

    with pytest.raises(ImportRejected) as caught:
        _apply(db, project, schedule)

    assert snapshot(db) == before
    assert [(p.location, p.field) for p in caught.value.report.problems] == [
        ("WBS '1.1'", "parent"),
        ("activity A1", "calendar"),
        ("activity A2", "name"),
        ("activity A3", "subcontractor"),
        ("activity A4", "parent_external_id"),
    ]


def test_problems_found_by_the_parser_are_reported_with_those_of_the_import(
    db, make_project
) -> None:
    from planbridge.imports import Problem

    project = make_project().project
    schedule = _schedule(_task("A1", calendar="Nope"), problems=[Problem("row 9", "bad date")])

    with pytest.raises(ImportRejected) as caught:
        _apply(db, project, schedule)

    assert [p.location for p in caught.value.report.problems] == ["row 9", "activity A1"]


def test_project_tasks_sharing_an_external_id_block_the_import(db, make_project) -> None:
    project = make_project().project
    with db.transaction() as session:
        target = session.get(Project, project.id)
        for _ in range(2):
            planning.add_task(
                session, target, name="Copy", start_date=dt.date(2025, 3, 3), external_id="A1"
            )
    before = snapshot(db)

    with pytest.raises(ImportRejected) as caught:
        _apply(db, project, _schedule(_task("A1")))

    assert snapshot(db) == before
    [problem] = caught.value.report.problems
    assert problem.location == "project tasks A-0001, A-0002"
    assert "'A1'" in problem.message
