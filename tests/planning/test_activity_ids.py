"""One activity-id rule: a task created alone (Plan API, pages) and a task created in bulk
(bulk upsert, imports) get the same next ``A-NNNN`` from the same project state."""

from __future__ import annotations

import datetime as dt

import pytest

from planbridge.planning import bulk
from planbridge.planning import service as plan
from planbridge.planning.activity_ids import following
from planbridge.projects.models import Project

NOW = dt.datetime(2026, 11, 20, 15, tzinfo=dt.UTC)
DAY = dt.date(2026, 11, 23)


def _single(session, project, **values):
    return plan.create_task(
        session, project, {"name": "T", "start_date": DAY, "duration_days": 1, **values}, now=NOW
    )


def _bulk_next(session, project, count=1):
    inputs = [
        bulk.TaskInput(external_id=f"N-{i}", name="N", start_date=DAY, end_date=DAY)
        for i in range(count)
    ]
    result = bulk.upsert_tasks(session, project, inputs, dry_run=True)
    return [result.activity_ids[f"N-{i}"] for i in range(count)]


@pytest.mark.parametrize(
    ("existing", "deleted", "expected"),
    [
        ([], [], "A-0001"),
        (["", "", ""], [], "A-0004"),
        (["", "", ""], ["A-0002"], "A-0004"),
        (["", "A-0010", "P6-77", "A-12x"], [], "A-0011"),
        (["", "", "A-0002x", "A-00007"], ["A-0001"], "A-0008"),
    ],
)
def test_single_create_and_bulk_allocate_the_same_next_id(
    db, make_project, existing, deleted, expected
):
    fp = make_project()
    with db.transaction() as session:
        project = session.get(Project, fp.project.id)
        tasks = [_single(session, project, **({"activity_id": a} if a else {})) for a in existing]
        for task in tasks:
            if task.activity_id in deleted:
                plan.delete_task(session, task, now=NOW)
        from_bulk = _bulk_next(session, project)
        from_single = _single(session, project).activity_id
    assert from_bulk == [from_single] == [expected]


def test_bulk_allocates_a_run_that_single_creates_then_continue(db, make_project):
    fp = make_project()
    with db.transaction() as session:
        project = session.get(Project, fp.project.id)
        _single(session, project, activity_id="A-0998")
        assert _bulk_next(session, project, 3) == ["A-0999", "A-1000", "A-1001"]
        assert [_single(session, project).activity_id for _ in range(3)] == [
            "A-0999",
            "A-1000",
            "A-1001",
        ]


def test_following_never_produces_a_used_id():
    assert following(["A-0001", "A-0003"], 2) == ["A-0004", "A-0005"]
    assert following(["A-01", "A-0002"], 1) == ["A-0003"]
