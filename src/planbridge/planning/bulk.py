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
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Literal, get_args

from sqlalchemy import JSON, Column, MetaData, Table, delete, insert, or_, select, update
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from planbridge.db.base import utcnow
from planbridge.errors import Conflict, InvalidInput
from planbridge.planning.activity_ids import series_after
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
BATCH_ROWS = 5_000
"""Rows per batch of a bulk write: bounds the memory a large write takes at once."""


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
            problems.append(_used_twice(item))
        seen.add(item.external_id)
    for item in inputs:
        problems += _check_parent(item, seen, known_external_ids)
    return problems


def check_input(
    item: TaskInput,
    seen: Collection[str],
    external_ids: Collection[str],
    known_external_ids: Collection[str] = (),
) -> list[InputProblem]:
    """What :func:`check_inputs` finds wrong with one input, for callers that read their
    inputs one at a time: ``seen`` are the external ids of the inputs before it,
    ``external_ids`` those of all inputs."""
    problems = _check_one(item)
    if item.external_id in seen:
        problems.append(_used_twice(item))
    return problems + _check_parent(item, external_ids, known_external_ids)


def _used_twice(item: TaskInput) -> InputProblem:
    return InputProblem(item.external_id, "external_id", "is used twice")


def _check_parent(
    item: TaskInput, external_ids: Collection[str], known_external_ids: Collection[str]
) -> list[InputProblem]:
    parent = item.parent_external_id
    if parent is None:
        return []
    if parent == item.external_id:
        return [InputProblem(item.external_id, "parent_external_id", "is the task")]
    if parent not in external_ids and parent not in known_external_ids:
        return [InputProblem(item.external_id, "parent_external_id", f"unknown task {parent!r}")]
    return []


def _check_one(item: TaskInput) -> list[InputProblem]:
    problems: list[InputProblem] = []

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
    inputs: Iterable[TaskInput],
    *,
    fields: Collection[TaskField] = ALL_FIELDS,
    prune: bool = False,
    dry_run: bool = False,
    checked: bool = False,
    keep_activity_ids: bool = True,
) -> UpsertResult:
    """Create or update the project's tasks matched by ``external_id``.

    Only ``fields`` are compared and written on existing tasks; new tasks get every field of
    their input. An updated task gets ``row_version + 1``. Project tasks whose external id is
    not among the inputs are reported as ``missing`` and deleted only with ``prune``; tasks
    without an external id are never touched. Raises ``InvalidInput`` (details: ``problems``)
    for bad inputs and ``Conflict`` when one external id matches several project tasks.

    Inputs are read once and written in batches of ``BATCH_ROWS``, so memory does not grow
    with the number of tasks beyond their ids. ``checked=True`` says the caller has already
    found no :func:`check_inputs` problem in the same inputs (an import checks the parsed
    schedule first), so ``inputs`` may be a one-pass iterator; otherwise they are listed and
    checked here. ``keep_activity_ids=False`` leaves ``result.activity_ids`` empty.
    """
    wanted = [f for f in get_args(TaskField) if f in set(fields)]
    existing, used_ids, id_to_external = _load(session, project, wanted)
    if not checked:
        inputs = list(inputs)
        problems = check_inputs(inputs, existing)
        if problems:
            raise InvalidInput(
                f"{len(problems)} task input(s) are invalid; nothing was written.",
                details={"problems": [_problem_dict(p) for p in problems]},
            )
    result = UpsertResult()
    writer = _Writer(session, project, wanted, utcnow())
    new_ids = series_after(used_ids)
    for item in inputs:
        found = existing.get(item.external_id)
        if found is None:
            result.added.append(item.external_id)
            activity_id = next(new_ids)
            if keep_activity_ids:
                result.activity_ids[item.external_id] = activity_id
            if not dry_run:
                writer.add(item, activity_id)
            continue
        result.task_ids[item.external_id] = found.id
        if any(_value(item, name) != _stored(found, name, id_to_external) for name in wanted):
            result.updated.append(item.external_id)
            if not dry_run:
                writer.change(found, item)
        else:
            result.unchanged.append(item.external_id)
    result.missing = sorted(ext for ext in existing if ext not in result.task_ids)
    if dry_run:
        return result
    writer.flush()
    if result.task_ids:
        result.task_ids.update(writer.added_ids)
    else:
        result.task_ids = writer.added_ids
    writer.link_parents(result.task_ids, existing)
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


class _Writer:
    """New and changed tasks, written ``BATCH_ROWS`` at a time; parents set at the end, when
    every task has an id (a parent may come after its child)."""

    def __init__(
        self, session: Session, project: Project, wanted: Sequence[str], now: dt.datetime
    ) -> None:
        self.session = session
        self.project = project
        self.wanted = wanted
        self.now = now
        self.new: list[tuple[TaskInput, str]] = []
        self.changed: list[tuple[_Existing, TaskInput]] = []
        self.parents: list[tuple[str, str | None]] = []
        self.added_ids: dict[str, int] = {}

    def add(self, item: TaskInput, activity_id: str) -> None:
        self.new.append((item, activity_id))
        if item.parent_external_id is not None:
            self.parents.append((item.external_id, item.parent_external_id))
        if len(self.new) >= BATCH_ROWS:
            self._insert()

    def change(self, found: _Existing, item: TaskInput) -> None:
        self.changed.append((found, item))
        if "parent_external_id" in self.wanted:
            self.parents.append((item.external_id, item.parent_external_id))
        if len(self.changed) >= BATCH_ROWS:
            self._update()

    def flush(self) -> None:
        self._insert()
        self._update()

    def _insert(self) -> None:
        if not self.new:
            return
        project_id = self.project.id
        insert_rows(
            self.session,
            Task,
            [
                {
                    "project_id": project_id,
                    "activity_id": activity_id,
                    "external_id": item.external_id,
                    **_columns(item, ALL_FIELDS),
                    "row_version": 1,
                    "created_at": self.now,
                    "updated_at": self.now,
                }
                for item, activity_id in self.new
            ],
        )
        # A plain executemany, then a SELECT for the ids: with psycopg, INSERT … RETURNING of
        # many rows is slower (it renders and parses one very long statement per batch).
        batch = [item.external_id for item, _ in self.new]
        found: dict[str | None, int] = {}
        for start in range(0, len(batch), _IN_CHUNK):
            rows = self.session.execute(
                select(Task.external_id, Task.id).where(
                    Task.project_id == project_id,
                    Task.external_id.in_(batch[start : start + _IN_CHUNK]),
                )
            )
            found.update((external_id, task_id) for external_id, task_id in rows)
        for external_id in batch:
            self.added_ids[external_id] = found[external_id]
        self.new = []

    def _update(self) -> None:
        if not self.changed:
            return
        rows = [
            {
                "id": found.id,
                **_columns(item, self.wanted),
                "row_version": found.row_version + 1,
                "updated_at": self.now,
            }
            for found, item in self.changed
        ]
        update_rows(self.session, Task, rows)
        self.changed = []

    def link_parents(self, task_ids: dict[str, int], existing: dict[str, _Existing]) -> None:
        """Set ``parent_id`` of the written tasks that name a parent (or, when the parent is
        an owned field, of every changed task)."""
        for start in range(0, len(self.parents), BATCH_ROWS):
            rows = []
            for external_id, parent in self.parents[start : start + BATCH_ROWS]:
                parent_id = None
                if parent is not None:
                    parent_id = task_ids[parent] if parent in task_ids else existing[parent].id
                rows.append({"id": task_ids[external_id], "parent_id": parent_id})
            update_rows(self.session, Task, rows)
        self.parents = []


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


def insert_rows(session: Session, model: type[Any], rows: Iterable[dict[str, Any]]) -> None:
    """Insert many rows (same keys in each), ``BATCH_ROWS`` at a time, so ``rows`` may be a
    generator. PostgreSQL gets ``COPY``, others an executemany.

    Column values must already be what the table stores: no ORM defaults are applied.
    """
    postgresql = session.connection().dialect.name == "postgresql"
    table = model.__table__
    for batch in _batches(rows):
        if postgresql:
            _copy(session, table, table.name, list(batch[0]), batch)
        else:
            session.execute(insert(model), batch)


def update_rows(session: Session, model: type[Any], rows: Iterable[dict[str, Any]]) -> None:
    """Update many rows by ``id`` (same keys in each row), ``BATCH_ROWS`` at a time.

    PostgreSQL copies the rows into a temporary table and runs one ``UPDATE … FROM`` a batch;
    other databases get an executemany of ``UPDATE … WHERE id = ?``.
    """
    connection = session.connection()
    for batch in _batches(rows):
        if connection.dialect.name != "postgresql":
            session.execute(update(model), batch)
            continue
        target = model.__table__
        columns = list(batch[0])
        scratch = Table(
            f"pb_bulk_{secrets.token_hex(6)}",
            MetaData(),
            *(Column(name, target.c[name].type) for name in columns),
            prefixes=["TEMPORARY"],
        )
        scratch.create(connection)
        _copy(session, target, scratch.name, columns, batch)
        session.execute(
            update(target)
            .values({name: scratch.c[name] for name in columns if name != "id"})
            .where(target.c.id == scratch.c.id)
        )
        scratch.drop(connection)


def _batches(rows: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    if isinstance(rows, list) and len(rows) <= BATCH_ROWS:
        if rows:
            yield rows
        return
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH_ROWS)):
        yield batch


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
