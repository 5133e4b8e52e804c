"""Large imports in bounded memory: packed spreadsheet rows and writes in batches.

An import larger than one write batch (``bulk.BATCH_ROWS``) must give exactly what one
statement per table gave: ids in file order, parents and links that cross batches, resources
replaced, and nothing at all when the file has a problem near its end.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from planbridge.imports.report import ImportRejected
from planbridge.imports.schedule import ParsedResource, ParsedTask, TaskStore
from planbridge.planning import bulk
from planbridge.planning.enums import LinkType, ResourceKind, Shift, TaskStatus, TaskType
from planbridge.planning.models import Task, TaskLink, TaskResource

from .apply_support import count, csv_file, import_bytes, snapshot

MONDAY = dt.date(2025, 3, 3)


def _full_task(n: int) -> ParsedTask:
    return ParsedTask(
        external_id=f"E-{n}",
        name=f"Task {n} – Zürich",
        start=MONDAY,
        end=MONDAY + dt.timedelta(days=n % 9),
        duration_days=n % 9 + 1,
        source=f"row {n + 2}",
        type=TaskType.milestone if n % 7 == 0 else TaskType.task,
        calendar="Standard" if n % 2 else None,
        folder_code="F1" if n % 3 else None,
        parent_external_id=f"E-{n - 1}" if n else None,
        shift=Shift.night if n % 5 == 0 else Shift.day,
        owner="ana@example.com" if n % 4 == 0 else None,
        assignees=["a@example.com", "b@example.com"] if n % 6 == 0 else [],
        subcontractor="Sub AG" if n % 2 else None,
        location="Level 2",
        work_area="North" if n % 3 == 0 else None,
        package="P-1",
        status=TaskStatus.in_progress if n % 8 == 0 else TaskStatus.planned,
        committed=n % 2 == 0,
        milestone_target_date=MONDAY + dt.timedelta(days=3) if n % 7 == 0 else None,
        tags=["x", "y"] if n % 3 == 0 else [],
        notes="note\nline 2" if n % 10 == 0 else None,
        resources=[ParsedResource(ResourceKind.labour, "Crew", 2.5, "person")] if n % 2 else [],
    )


def test_the_task_store_gives_back_every_field_of_every_task() -> None:
    assert len(dataclasses.fields(ParsedTask)) == 23, "pack and unpack every new field"
    tasks = [_full_task(n) for n in range(TaskStore.BLOCK * 2 + 5)]
    store = TaskStore(tasks)
    assert len(store) == len(tasks)
    assert list(store) == tasks
    assert store == tasks
    assert store[0] == tasks[0]
    assert store[-1] == tasks[-1]
    assert store[TaskStore.BLOCK + 3] == tasks[TaskStore.BLOCK + 3]
    assert store[3:6] == tasks[3:6]
    with pytest.raises(IndexError):
        store[len(tasks)]


def _rows(n: int, *, bad_last: bool = False) -> bytes:
    """``n`` tasks: each (but the first) a child of and a successor of the one before, every
    third with a resource, so parents and links cross the write batches."""
    rows = []
    for i in range(n):
        rows.append(
            {
                "external_id": f"T{i:05d}",
                "name": f"Task {i}",
                "start": str(MONDAY + dt.timedelta(days=7 * (i % 20))),
                "duration_days": "0" if bad_last and i == n - 1 else "2",
                "parent_external_id": f"T{i - 1:05d}" if i and i % 1000 else "",
                "predecessors": f"T{i - 1:05d}" if i else "",
                "resources": "labour:Crew:2:person" if i % 3 == 0 else "",
            }
        )
    return csv_file(*rows)


def test_an_import_larger_than_a_write_batch_is_whole_and_in_file_order(db, make_project) -> None:
    project = make_project().project
    n = bulk.BATCH_ROWS * 2 + 7
    report = import_bytes(db, project, _rows(n), "big.csv")
    assert len(report.tasks.added) == n
    assert len(report.links.added) == n - 1
    with db.transaction() as session:
        tasks = session.execute(
            select(Task.id, Task.external_id, Task.parent_id, Task.activity_id)
            .where(Task.project_id == project.id)
            .order_by(Task.id)
        ).all()
        ids = {ext: task_id for task_id, ext, _, _ in tasks}
        assert [ext for _, ext, _, _ in tasks] == [f"T{i:05d}" for i in range(n)]
        assert [a for *_, a in tasks][:2] == ["A-0001", "A-0002"]
        assert tasks[-1][3] == f"A-{n:04d}"
        for i, (_, _, parent_id, _) in enumerate(tasks):
            assert parent_id == (ids[f"T{i - 1:05d}"] if i and i % 1000 else None)
        links = {
            (before, after, kind)
            for before, after, kind in session.execute(
                select(TaskLink.predecessor_id, TaskLink.successor_id, TaskLink.type).where(
                    TaskLink.project_id == project.id
                )
            )
        }
        assert links == {(ids[f"T{i - 1:05d}"], ids[f"T{i:05d}"], LinkType.FS) for i in range(1, n)}
    assert count(db, TaskResource) == len(range(0, n, 3))
    again = import_bytes(db, project, _rows(n), "big.csv")
    assert again.tasks.added == [] and len(again.tasks.unchanged) == n


def test_a_problem_on_the_last_row_of_a_large_file_leaves_nothing(db, make_project) -> None:
    project = make_project().project
    before = snapshot(db)
    n = bulk.BATCH_ROWS + 3
    with pytest.raises(ImportRejected) as caught:
        import_bytes(db, project, _rows(n, bad_last=True), "big.csv")
    assert [p.location for p in caught.value.report.problems] == [f"row {n + 1}"]
    assert snapshot(db) == before
