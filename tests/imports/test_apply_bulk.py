"""``planning.bulk.upsert_tasks``: the bulk write path shared by imports and the Plan API."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from planbridge.errors import Conflict, InvalidInput
from planbridge.planning import bulk
from planbridge.planning import service as planning
from planbridge.planning.bulk import TaskInput, upsert_tasks
from planbridge.planning.enums import Shift, TaskStatus
from planbridge.planning.models import Task
from planbridge.projects.models import Project

from .apply_support import snapshot

MONDAY = dt.date(2025, 3, 3)


def _inputs(n: int, **fields) -> list[TaskInput]:
    return [
        TaskInput(
            external_id=f"X{i}",
            name=f"Task {i}",
            start_date=MONDAY,
            end_date=MONDAY + dt.timedelta(days=i % 5),
            duration_days=i % 5 + 1,
            **fields,
        )
        for i in range(n)
    ]


def _upsert(db, project: Project, inputs, **options) -> bulk.UpsertResult:
    with db.transaction() as session:
        target = session.get(Project, project.id)
        return upsert_tasks(session, target, inputs, **options)


def _rows(db, project: Project) -> dict[str, Task]:
    with db.transaction() as session:
        tasks = session.scalars(select(Task).where(Task.project_id == project.id))
        return {t.external_id or t.activity_id: t for t in tasks}


def test_upsert_inserts_then_updates_only_what_changed(db, make_project) -> None:
    project = make_project().project
    first = _upsert(db, project, _inputs(5))
    inputs = _inputs(5)
    inputs[1] = dataclasses.replace(inputs[1], name="Renamed", tags=("late",))
    inputs[3] = dataclasses.replace(inputs[3], status=TaskStatus.in_progress)

    second = _upsert(db, project, inputs)

    rows = _rows(db, project)
    assert first.added == ["X0", "X1", "X2", "X3", "X4"]
    assert first.activity_ids == {f"X{i}": f"A-{i + 1:04d}" for i in range(5)}
    assert (second.updated, second.unchanged) == (["X1", "X3"], ["X0", "X2", "X4"])
    assert (rows["X1"].name, rows["X1"].tags, rows["X1"].row_version) == ("Renamed", ["late"], 2)
    assert rows["X0"].row_version == 1
    assert second.task_ids == {ext: rows[ext].id for ext in rows}


def test_only_the_owned_fields_are_compared_and_written(db, make_project) -> None:
    project = make_project().project
    _upsert(db, project, _inputs(2, shift=Shift.night, notes="Hand note"))
    changed = [dataclasses.replace(i, name=f"{i.name}!", notes=None) for i in _inputs(2)]

    result = _upsert(db, project, changed, fields={"name"})

    rows = _rows(db, project)
    assert result.updated == ["X0", "X1"]
    assert [(t.name, t.shift, t.notes) for t in rows.values()] == [
        ("Task 0!", Shift.night, "Hand note"),
        ("Task 1!", Shift.night, "Hand note"),
    ]


def test_parents_may_be_added_in_the_same_call(db, make_project) -> None:
    project = make_project().project
    child, parent = _inputs(2)

    _upsert(db, project, [dataclasses.replace(child, parent_external_id="X1"), parent])

    rows = _rows(db, project)
    assert rows["X0"].parent_id == rows["X1"].id


def test_missing_tasks_are_reported_and_pruned_on_request_hand_made_ones_never(
    db, make_project
) -> None:
    project = make_project().project
    with db.transaction() as session:
        planning.add_task(
            session, session.get(Project, project.id), name="By hand", start_date=MONDAY
        )
    _upsert(db, project, _inputs(4))

    kept = _upsert(db, project, _inputs(2))
    pruned = _upsert(db, project, _inputs(2), prune=True)

    assert (kept.missing, kept.deleted) == (["X2", "X3"], [])
    assert (pruned.missing, pruned.deleted) == (["X2", "X3"], ["X2", "X3"])
    assert set(_rows(db, project)) == {"X0", "X1", "A-0001"}
    # The sequence continues after the highest activity id in use.
    assert _upsert(db, project, _inputs(3)).activity_ids == {"X2": "A-0004"}


def test_a_dry_run_returns_the_same_result_and_writes_nothing(db, make_project) -> None:
    project = make_project().project
    _upsert(db, project, _inputs(3))
    inputs = [dataclasses.replace(i, name="Changed") for i in _inputs(4)]
    before = snapshot(db)

    dry = _upsert(db, project, inputs, dry_run=True)

    assert snapshot(db) == before
    real = _upsert(db, project, inputs)
    assert (dry.added, dry.updated, dry.activity_ids) == (
        real.added,
        real.updated,
        real.activity_ids,
    )
    assert "X3" not in dry.task_ids


def test_invalid_inputs_raise_and_name_each_task_and_field(db, make_project) -> None:
    project = make_project().project
    good = _inputs(1)[0]
    bad = [
        dataclasses.replace(good, end_date=MONDAY - dt.timedelta(days=1)),
        dataclasses.replace(good, external_id="X1", duration_days=0, parent_external_id="nope"),
        good,
    ]

    with pytest.raises(InvalidInput) as caught:
        _upsert(db, project, bad)

    assert [(p["external_id"], p["field"]) for p in caught.value.details["problems"]] == [
        ("X0", "end_date"),
        ("X1", "duration_days"),
        ("X0", "external_id"),
        ("X1", "parent_external_id"),
    ]
    assert _rows(db, project) == {}


def test_an_external_id_used_by_two_project_tasks_is_a_conflict(db, make_project) -> None:
    project = make_project().project
    with db.transaction() as session:
        target = session.get(Project, project.id)
        for _ in range(2):
            planning.add_task(session, target, name="Twin", start_date=MONDAY, external_id="X0")

    with pytest.raises(Conflict, match="X0: A-0001, A-0002"):
        _upsert(db, project, _inputs(1))
