"""Bulk upsert of tasks by ``external_id``: the one write path of imports and the Plan API's
bulk endpoint.

Callers resolve names (calendar, folder, subcontractor, …) to ids first and hand over
``TaskInput`` values. ``upsert_tasks`` matches them to the project's tasks by ``external_id``,
compares only the ``fields`` the caller owns, and writes with a few multi-row statements
(``INSERT … RETURNING`` and executemany ``UPDATE`` by primary key), never one flush per task.
With ``dry_run`` it computes the same result and writes nothing. It flushes, never commits.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import secrets
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from sqlalchemy import JSON, Column, MetaData, Table, delete, insert, or_, select, update
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from planbridge.db.base import utcnow
from planbridge.errors import Conflict, InvalidInput
from planbridge.planning.activity_ids import following as next_ids
from planbridge.planning.enums import Shift, TaskStatus, TaskType
from planbridge.planning.models import Blocker, ProgressUpdate, Task, TaskLink, TaskResource
from planbridge.projects.models import Project

TaskField = Literal[
    "name",
    "type",
    "start_date",
    "end_date",
    "duration_days",
    "calendar_id",
    "parent_external_id",
    "shift",
    "owner_id",
    "assignee_ids",
    "subcontractor_id",
    "location_id",
    "work_area",
    "folder_id",
    "package_id",
    "status",
    "committed",
    "milestone_target_date",
    "tags",
    "notes",
]
ALL_FIELDS: frozenset[TaskField] = frozenset(get_args(TaskField))
"""Every task property a ``TaskInput`` carries."""

_LIST_FIELDS = frozenset({"assignee_ids", "tags"})
_IN_CHUNK = 500


@dataclass(frozen=True, slots=True)
class TaskInput:
    """One task as a sync source sees it, with names already resolved to the project's ids."""

    external_id: str
    name: str
    start_date: dt.date
    end_date: dt.date
    duration_days: int = 1
    type: TaskType = TaskType.task
    calendar_id: int | None = None
    parent_external_id: str | None = None
    shift: Shift = Shift.day
    owner_id: int | None = None
    assignee_ids: tuple[int, ...] = ()
    subcontractor_id: int | None = None
    location_id: int | None = None
    work_area: str | None = None
    folder_id: int | None = None
    package_id: int | None = None
    status: TaskStatus = TaskStatus.planned
    committed: bool = False
    milestone_target_date: dt.date | None = None
    tags: tuple[str, ...] = ()
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class InputProblem:
    """Why one input cannot be written; ``external_id`` names the task, ``field`` the property."""

    external_id: str
    field: str
    message: str


@dataclass
class UpsertResult:
    """What an upsert did (or, in a dry run, would do), by external id, in input order."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    """External ids of project tasks that are not in the input (sorted)."""
    deleted: list[str] = field(default_factory=list)
    """The ``missing`` tasks that were deleted (``prune=True`` and not a dry run)."""
    task_ids: dict[str, int] = field(default_factory=dict)
    """Task id of every input task; new tasks are absent in a dry run."""
    activity_ids: dict[str, str] = field(default_factory=dict)
    """Activity id given to each added task."""


@dataclass(frozen=True, slots=True)
class _Existing:
    id: int
    row_version: int
    values: dict[str, Any]


def check_inputs(
    inputs: Sequence[TaskInput], known_external_ids: Collection[str] = ()
) -> list[InputProblem]:
    """Everything wrong with ``inputs``; a parent may be another input or a known task."""
    problems: list[InputProblem] = []
    seen: set[str] = set()
    for item in inputs:
        problems += _check_one(item)
        if item.external_id in seen:
            problems.append(InputProblem(item.external_id, "external_id", "is used twice"))
        seen.add(item.external_id)
    for item in inputs:
        parent = item.parent_external_id
        if parent is None:
            continue
        if parent == item.external_id:
            problems.append(InputProblem(item.external_id, "parent_external_id", "is the task"))
        elif parent not in seen and parent not in known_external_ids:
            problems.append(
                InputProblem(item.external_id, "parent_external_id", f"unknown task {parent!r}")
            )
    return problems


def _check_one(item: TaskInput) -> list[InputProblem]:
    problems = []

    def bad(name: str, message: str) -> None:
        problems.append(InputProblem(item.external_id, name, message))

    if not item.external_id.strip() or len(item.external_id) > 100:
        bad("external_id", "must have 1 to 100 characters")
    if not item.name.strip() or len(item.name) > 500:
        bad("name", "must have 1 to 500 characters")
    if item.end_date < item.start_date:
        bad("end_date", f"{item.end_date} is before the start {item.start_date}")
    if item.duration_days < 1:
        bad("duration_days", f"must be at least 1, not {item.duration_days}")
    if item.work_area is not None and len(item.work_area) > 200:
        bad("work_area", "must have at most 200 characters")
    return problems


def upsert_tasks(
    session: Session,
    project: Project,
    inputs: Sequence[TaskInput],
    *,
    fields: Collection[TaskField] = ALL_FIELDS,
    prune: bool = False,
    dry_run: bool = False,
) -> UpsertResult:
    """Create or update the project's tasks matched by ``external_id``.

    Only ``fields`` are compared and written on existing tasks; new tasks get every field of
    their input. An updated task gets ``row_version + 1``. Project tasks whose external id is
    not among the inputs are reported as ``missing`` and deleted only with ``prune``; tasks
    without an external id are never touched. Raises ``InvalidInput`` (details: ``problems``)
    for bad inputs and ``Conflict`` when one external id matches several project tasks.
    """
    wanted = [f for f in get_args(TaskField) if f in set(fields)]
    existing, used_ids, id_to_external = _load(session, project, wanted)
    problems = check_inputs(inputs, existing)
    if problems:
        raise InvalidInput(
            f"{len(problems)} task input(s) are invalid; nothing was written.",
            details={"problems": [_problem_dict(p) for p in problems]},
        )
    result = UpsertResult()
    new: list[TaskInput] = []
    changed: list[tuple[_Existing, TaskInput]] = []
    for item in inputs:
        found = existing.get(item.external_id)
        if found is None:
            new.append(item)
            result.added.append(item.external_id)
            continue
        result.task_ids[item.external_id] = found.id
        if any(_value(item, name) != _stored(found, name, id_to_external) for name in wanted):
            changed.append((found, item))
            result.updated.append(item.external_id)
        else:
            result.unchanged.append(item.external_id)
    seen = {item.external_id for item in inputs}
    result.missing = sorted(ext for ext in existing if ext not in seen)
    result.activity_ids = dict(zip(result.added, next_ids(used_ids, len(new)), strict=True))
    if dry_run:
        return result
    now = utcnow()
    result.task_ids.update(_insert(session, project, new, result.activity_ids, now))
    _update(session, changed, wanted, now)
    _link_parents(session, new, changed, wanted, result.task_ids, existing)
    if prune and result.missing:
        _delete(session, [existing[ext].id for ext in result.missing])
        result.deleted = list(result.missing)
    expire_cached(session, Task, TaskLink, TaskResource, ProgressUpdate, Blocker)
    return result


def _problem_dict(problem: InputProblem) -> dict[str, str]:
    return {"external_id": problem.external_id, "field": problem.field, "message": problem.message}


def _load(
    session: Session, project: Project, wanted: Sequence[str]
) -> tuple[dict[str, _Existing], set[str], dict[int, str]]:
    columns = [getattr(Task, "parent_id" if n == "parent_external_id" else n) for n in wanted]
    rows = session.execute(
        select(Task.id, Task.activity_id, Task.external_id, Task.row_version, *columns).where(
            Task.project_id == project.id
        )
    ).all()
    existing: dict[str, _Existing] = {}
    twice: dict[str, list[str]] = {}
    activity_ids: set[str] = set()
    id_to_external: dict[int, str] = {}
    for row in rows:
        task_id, activity_id, external_id, version, *values = row
        activity_ids.add(activity_id)
        if external_id is None:
            continue
        id_to_external[task_id] = external_id
        if external_id in existing:
            twice.setdefault(external_id, [existing[external_id].values["activity_id"]])
            twice[external_id].append(activity_id)
        values_by_name = dict(zip(wanted, values, strict=True))
        values_by_name["activity_id"] = activity_id
        existing[external_id] = _Existing(task_id, version, values_by_name)
    if twice:
        listed = "; ".join(f"{ext}: {', '.join(ids)}" for ext, ids in sorted(twice.items()))
        raise Conflict(
            f"Several tasks of project {project.code} share an external_id ({listed}).",
            hint="Give each task its own external_id, or clear the duplicates, then retry.",
            details={"duplicates": twice},
        )
    return existing, activity_ids, id_to_external


def _value(item: TaskInput, name: str) -> Any:
    value = getattr(item, name)
    return list(value) if name in _LIST_FIELDS else value


def _stored(found: _Existing, name: str, id_to_external: dict[int, str]) -> Any:
    value = found.values[name]
    if name == "parent_external_id":
        return None if value is None else id_to_external.get(value, f"#{value}")
    if name in _LIST_FIELDS:
        return list(value or [])
    return value


def _columns(item: TaskInput, names: Iterable[str]) -> dict[str, Any]:
    return {n: _value(item, n) for n in names if n != "parent_external_id"}


def _insert(
    session: Session,
    project: Project,
    new: Sequence[TaskInput],
    activity_ids: dict[str, str],
    now: dt.datetime,
) -> dict[str, int]:
    if not new:
        return {}
    rows = [
        {
            "project_id": project.id,
            "activity_id": activity_ids[item.external_id],
            "external_id": item.external_id,
            **_columns(item, ALL_FIELDS),
            "row_version": 1,
            "created_at": now,
            "updated_at": now,
        }
        for item in new
    ]
    # A plain executemany, then one SELECT for the ids: with psycopg, INSERT … RETURNING of
    # many rows is slower (it renders and parses one very long statement per batch).
    insert_rows(session, Task, rows)
    wanted = {item.external_id for item in new}
    found = session.execute(
        select(Task.external_id, Task.id).where(
            Task.project_id == project.id, Task.external_id.is_not(None)
        )
    )
    return {ext: task_id for ext, task_id in found if ext is not None and ext in wanted}


def _update(
    session: Session,
    changed: Sequence[tuple[_Existing, TaskInput]],
    wanted: Sequence[str],
    now: dt.datetime,
) -> None:
    if not changed:
        return
    rows = [
        {
            "id": found.id,
            **_columns(item, wanted),
            "row_version": found.row_version + 1,
            "updated_at": now,
        }
        for found, item in changed
    ]
    update_rows(session, Task, rows)


def _link_parents(
    session: Session,
    new: Sequence[TaskInput],
    changed: Sequence[tuple[_Existing, TaskInput]],
    wanted: Sequence[str],
    task_ids: dict[str, int],
    existing: dict[str, _Existing],
) -> None:
    """Set ``parent_id`` once every input has an id (a parent may be added in the same call)."""
    items = [i for i in new if i.parent_external_id is not None]
    if "parent_external_id" in wanted:
        items += [item for _, item in changed]
    rows = []
    for item in items:
        parent = item.parent_external_id
        parent_id = None
        if parent is not None:
            parent_id = task_ids[parent] if parent in task_ids else existing[parent].id
        rows.append({"id": task_ids[item.external_id], "parent_id": parent_id})
    update_rows(session, Task, rows)


def _delete(session: Session, task_ids: Sequence[int]) -> None:
    """Delete tasks with their links, resources, progress and blockers, and orphan children.

    This repeats the schema's ON DELETE rules on purpose: SQLite applies them only on
    connections that turned ``PRAGMA foreign_keys`` on.
    """
    quiet = {"synchronize_session": False}
    for start in range(0, len(task_ids), _IN_CHUNK):
        chunk = task_ids[start : start + _IN_CHUNK]
        session.execute(
            update(Task).where(Task.parent_id.in_(chunk)).values(parent_id=None),
            execution_options=quiet,
        )
        session.execute(
            delete(TaskLink).where(
                or_(TaskLink.predecessor_id.in_(chunk), TaskLink.successor_id.in_(chunk))
            ),
            execution_options=quiet,
        )
        for model in (TaskResource, ProgressUpdate, Blocker):
            session.execute(delete(model).where(model.task_id.in_(chunk)), execution_options=quiet)
        session.execute(delete(Task).where(Task.id.in_(chunk)), execution_options=quiet)


def touch_tasks(session: Session, task_ids: Sequence[int]) -> None:
    """Give tasks a new ``row_version`` after a change to their resources or links."""
    now = utcnow()
    for start in range(0, len(task_ids), _IN_CHUNK):
        session.execute(
            update(Task)
            .where(Task.id.in_(task_ids[start : start + _IN_CHUNK]))
            .values(row_version=Task.row_version + 1, updated_at=now),
            execution_options={"synchronize_session": False},
        )


def insert_rows(session: Session, model: type[Any], rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows (same keys in each). PostgreSQL gets ``COPY``, others an executemany.

    Column values must already be what the table stores: no ORM defaults are applied.
    """
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.execute(insert(model), list(rows))
        return
    table = model.__table__
    _copy(session, table, table.name, list(rows[0]), rows)


def update_rows(session: Session, model: type[Any], rows: Sequence[dict[str, Any]]) -> None:
    """Update many rows by ``id`` (same keys in each row).

    PostgreSQL copies the rows into a temporary table and runs one ``UPDATE … FROM``; other
    databases get an executemany of ``UPDATE … WHERE id = ?``.
    """
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.execute(update(model), list(rows))
        return
    target = model.__table__
    columns = list(rows[0])
    scratch = Table(
        f"pb_bulk_{secrets.token_hex(6)}",
        MetaData(),
        *(Column(name, target.c[name].type) for name in columns),
        prefixes=["TEMPORARY"],
    )
    scratch.create(connection)
    _copy(session, target, scratch.name, columns, rows)
    session.execute(
        update(target)
        .values({name: scratch.c[name] for name in columns if name != "id"})
        .where(target.c.id == scratch.c.id)
    )
    scratch.drop(connection)


def _copy(
    session: Session,
    types: Table,
    into: str,
    columns: Sequence[str],
    rows: Sequence[dict[str, Any]],
) -> None:
    """``COPY into (columns) FROM STDIN``; ``types`` is the table whose column types apply."""
    connection = session.connection()
    quote = connection.dialect.identifier_preparer.quote
    statement = f"COPY {quote(into)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    plan = [(name, _copy_converter(types.c[name].type)) for name in columns]
    driver: Any = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([f(row[name]) if f else row[name] for name, f in plan])


def _copy_converter(kind: TypeEngine[Any]) -> Callable[[Any], Any] | None:
    """What COPY's text format needs: JSON columns as JSON text, enums as their value."""
    if isinstance(kind, JSON):
        return lambda value: None if value is None else json.dumps(_plain(value))
    if isinstance(kind, SAEnum):
        return lambda value: value.value if isinstance(value, enum.Enum) else value
    return None


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def expire_cached(session: Session, *models: type[Any]) -> None:
    """Expire loaded instances of ``models``: bulk statements bypass the identity map."""
    for instance in list(session.identity_map.values()):
        if isinstance(instance, models):
            session.expire(instance)
