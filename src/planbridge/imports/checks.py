"""Checks a schedule must pass before an import writes anything.

The parser finds what is wrong inside the file; these find what only the project and the
database can tell: unknown calendars and WBS parents, values longer than their column, and
external ids the project's own tasks already share.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from planbridge.controls import describe
from planbridge.imports.lists import key, project_calendars
from planbridge.imports.schedule import ParsedSchedule, ParsedTask, Problem
from planbridge.planning import bulk
from planbridge.planning.bulk import TaskInput
from planbridge.planning.models import Folder, Task
from planbridge.projects.models import Project

_MAX_QUANTITY = 10**11  # Numeric(14, 3)


def check_schedule(session: Session, project: Project, parsed: ParsedSchedule) -> list[Problem]:
    """Problems the parser cannot see: the project's names, and the database's limits.

    Calendars, WBS nodes and the project's own tasks come first, then tasks in file order,
    then links.
    """
    head: list[Problem] = []
    for calendar in parsed.calendars:
        _too_long(head, f"calendar {calendar.name!r}", "name", calendar.name, 100)
        _control(head, f"calendar {calendar.name!r}", "name", calendar.name)
    head += _check_folders(session, project, parsed)
    known = _project_external_ids(session, project)
    head += _check_duplicates(known)
    calendars = {key(c.name) for c in parsed.calendars}
    calendars |= {key(c.name) for c in project_calendars(session, project)}
    imported, last = _imported_ids(parsed)
    tasks = _check_tasks(parsed, calendars, known, imported, last)
    links = [
        Problem(
            f"link {x.predecessor_external_id} → {x.successor_external_id}",
            f"unknown activity {end!r}",
        )
        for x in parsed.links
        for end in (x.predecessor_external_id, x.successor_external_id)
        if end not in imported
    ]
    return head + tasks + links


def _imported_ids(parsed: ParsedSchedule) -> tuple[set[str], dict[str, tuple[int, str]]]:
    """The external ids of the schedule's tasks, and where the last task of each id used
    more than once is (index, source)."""
    imported: set[str] = set()
    last: dict[str, tuple[int, str]] = {}
    for index, task in enumerate(parsed.tasks):
        if task.external_id in imported:
            last[task.external_id] = (index, task.source)
        imported.add(task.external_id)
    return imported, last


def _check_tasks(
    parsed: ParsedSchedule,
    calendars: Collection[str],
    known: Collection[str],
    imported: Collection[str],
    last: dict[str, tuple[int, str]],
) -> list[Problem]:
    """Each task's problems in file order (read one task at a time: a schedule may be large).

    ``bulk.check_inputs``'s problems of a task follow the task's own; one about an external
    id used twice is placed at the last task with that id."""
    found: list[tuple[int, int, int, Problem]] = []
    seen: set[str] = set()
    for index, task in enumerate(parsed.tasks):
        for problem in _check_task(task, calendars):
            found.append((index, 0, len(found), problem))
        where = last.get(task.external_id, (index, task.source))
        stub = _stub(task)
        for item in bulk.check_input(stub, seen, imported, known):
            phase = 2 if item.field == "parent_external_id" else 1
            problem = Problem(where[1], item.message, field=item.field)
            found.append((where[0], phase, len(found), problem))
        seen.add(task.external_id)
    found.sort(key=lambda entry: entry[:3])
    return [problem for *_, problem in found]


def _stub(task: ParsedTask) -> TaskInput:
    """The fields ``bulk.check_input`` looks at, before names are resolved to ids."""
    return TaskInput(
        external_id=task.external_id,
        name=task.name,
        start_date=task.start,
        end_date=task.end,
        duration_days=task.duration_days,
        parent_external_id=task.parent_external_id,
        work_area=task.work_area,
    )


_TEXT_FIELDS = (
    "external_id",
    "name",
    "calendar",
    "folder_code",
    "parent_external_id",
    "owner",
    "subcontractor",
    "location",
    "work_area",
    "package",
    "notes",
)


def _check_task(task: ParsedTask, calendars: Collection[str]) -> list[Problem]:
    problems: list[Problem] = []
    where = task.source
    for name in _TEXT_FIELDS:
        _control(problems, where, name, getattr(task, name))
    for value in task.assignees:
        _control(problems, where, "assignees", value)
    for value in task.tags:
        _control(problems, where, "tags", value)
    for name in ("subcontractor", "location", "package"):
        _too_long(problems, where, name, getattr(task, name), 200)
    _too_long(problems, where, "folder", task.folder_code, 100)
    if task.calendar is not None and key(task.calendar) not in calendars:
        problems.append(Problem(where, f"unknown calendar {task.calendar!r}", field="calendar"))
    for resource in task.resources:
        _too_long(problems, where, "resources", resource.name, 200)
        _too_long(problems, where, "resources", resource.unit, 40)
        _control(problems, where, "resources", resource.name)
        _control(problems, where, "resources", resource.unit)
        if not 0 <= resource.quantity < _MAX_QUANTITY:
            problems.append(
                Problem(where, f"quantity {resource.quantity} is out of range", field="resources")
            )
    return problems


def _check_folders(session: Session, project: Project, parsed: ParsedSchedule) -> list[Problem]:
    problems: list[Problem] = []
    codes = {f.code for f in parsed.folders}
    codes |= set(session.scalars(select(Folder.code).where(Folder.project_id == project.id)))
    for folder in parsed.folders:
        where = f"WBS {folder.code!r}"
        _too_long(problems, where, "code", folder.code, 100)
        _too_long(problems, where, "name", folder.name, 200)
        _control(problems, where, "code", folder.code)
        _control(problems, where, "name", folder.name)
        if folder.parent_code and folder.parent_code not in codes:
            problems.append(Problem(where, f"unknown parent {folder.parent_code!r}", "parent"))
    return problems


def _too_long(
    problems: list[Problem], where: str, name: str, value: str | None, limit: int
) -> None:
    if value is not None and len(value) > limit:
        problems.append(
            Problem(where, f"is {len(value)} characters long; the limit is {limit}", field=name)
        )


def _control(problems: list[Problem], where: str, name: str, value: str | None) -> None:
    problem = describe(value) if value else None
    if problem:
        problems.append(Problem(where, problem, field=name))


def _project_external_ids(session: Session, project: Project) -> dict[str, list[str]]:
    rows = session.execute(
        select(Task.external_id, Task.activity_id).where(
            Task.project_id == project.id, Task.external_id.is_not(None)
        )
    )
    found: dict[str, list[str]] = defaultdict(list)
    for external_id, activity_id in rows:
        if external_id is not None:
            found[external_id].append(activity_id)
    return found


def _check_duplicates(known: dict[str, list[str]]) -> list[Problem]:
    return [
        Problem(
            f"project tasks {', '.join(sorted(ids))}",
            f"share the external_id {ext!r}; give each its own before importing",
            field="external_id",
        )
        for ext, ids in sorted(known.items())
        if len(ids) > 1
    ]
