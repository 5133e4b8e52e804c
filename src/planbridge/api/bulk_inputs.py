"""Turning a bulk-upsert body into ``TaskInput`` values: names and ids of the project's lists
resolved, dates planned on each task's calendar, parents checked, every problem collected.

Each problem names the item and its field (``tasks[3].subcontractor``), like request validation
does, so that one answer lists everything wrong with the call.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from planbridge.api.bulk_schemas import BulkField, BulkTask
from planbridge.errors import InvalidInput
from planbridge.imports.lists import key
from planbridge.planning import service as plan
from planbridge.planning.bulk import TaskField, TaskInput
from planbridge.planning.calendar import WorkCalendar
from planbridge.planning.models import Folder, Location, Package, Subcontractor, Task
from planbridge.projects.models import Calendar, Project, ProjectMember

DATE_FIELDS: frozenset[TaskField] = frozenset(
    {"start_date", "end_date", "duration_days", "calendar_id"}
)
"""Owned together: a task's end and duration are counted on its calendar from its start."""

_BY_NAME: dict[str, TaskField] = {
    "calendar": "calendar_id",
    "subcontractor": "subcontractor_id",
    "location": "location_id",
    "folder": "folder_id",
    "package": "package_id",
}
_NOUNS = {
    "calendar": "calendar",
    "subcontractor": "subcontractor",
    "location": "location",
    "folder": "folder (WBS code)",
    "package": "package",
}


def owned_fields(fields: Sequence[BulkField] | None) -> frozenset[TaskField] | None:
    """The ``upsert_tasks`` fields a call owns; ``None`` means all of them."""
    if fields is None:
        return None
    owned: set[TaskField] = {_BY_NAME.get(name) or _task_field(name) for name in fields}
    if owned & DATE_FIELDS:
        owned |= DATE_FIELDS
    return frozenset(owned)


def _task_field(name: str) -> TaskField:
    return cast(TaskField, name)  # every BulkField that is not a name is a TaskField


@dataclass
class _Named:
    """One of the project's lists: ids, and id by name key (WBS code for folders)."""

    ids: set[int] = field(default_factory=set)
    by_name: dict[str, int] = field(default_factory=dict)

    def add(self, item_id: int, name: str) -> None:
        self.ids.add(item_id)
        self.by_name.setdefault(name, item_id)


@dataclass
class ProjectRefs:
    """What resolving a bulk call needs of the project, read in a few queries."""

    project: Project
    lists: dict[str, _Named]
    calendars: dict[int, WorkCalendar]
    members: set[int]
    external_ids: set[str]
    parent_of: dict[str, str | None]
    """Each project task's parent, as keys: the external id, or ``#<id>`` without one."""

    @classmethod
    def load(cls, session: Session, project: Project) -> ProjectRefs:
        lists = {name: _Named() for name in _BY_NAME}
        for list_name, model in (
            ("subcontractor", Subcontractor),
            ("location", Location),
            ("package", Package),
        ):
            rows = session.execute(
                select(model.id, model.name)
                .where(model.project_id == project.id)
                .order_by(model.id)
            )
            for item_id, name in rows:
                lists[list_name].add(item_id, key(name))
        for item_id, code in session.execute(
            select(Folder.id, Folder.code).where(Folder.project_id == project.id)
        ):
            lists["folder"].add(item_id, code.strip())
        calendars: dict[int, WorkCalendar] = {}
        for calendar in session.scalars(
            select(Calendar).where(Calendar.project_id == project.id).order_by(Calendar.id)
        ):
            lists["calendar"].add(calendar.id, key(calendar.name))
            calendars[calendar.id] = WorkCalendar.of(calendar.working_weekdays, calendar.holidays)
        members = set(
            session.scalars(
                select(ProjectMember.user_id).where(ProjectMember.project_id == project.id)
            )
        )
        tasks = session.execute(
            select(Task.id, Task.external_id, Task.parent_id).where(Task.project_id == project.id)
        ).all()
        node = {task_id: external_id or f"#{task_id}" for task_id, external_id, _ in tasks}
        parent_of = {
            node[task_id]: node.get(parent) if parent else None for task_id, _, parent in tasks
        }
        external_ids = {external_id for _, external_id, _ in tasks if external_id is not None}
        return cls(project, lists, calendars, members, external_ids, parent_of)

    def calendar(self, calendar_id: int | None) -> WorkCalendar:
        chosen = calendar_id or self.project.default_calendar_id
        return self.calendars.get(chosen or 0) or WorkCalendar()


class Problems:
    """Problems of a bulk call, each ``{"index", "external_id", "field", "location",
    "message"}``, ``field`` as request validation names it (``tasks[3].subcontractor``)."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, index: int, item: BulkTask, name: str, message: str) -> None:
        self.items.append(
            {
                "index": index,
                "external_id": item.external_id,
                "field": f"tasks[{index}].{name}",
                "location": "body",
                "message": message,
            }
        )

    def error(self) -> InvalidInput:
        first = self.items[0]
        more = len(self.items) - 1
        message = f"{first['field']}: {first['message']}"
        if more:
            message += f" (and {more} more problem{'s' if more > 1 else ''})"
        return InvalidInput(
            message,
            hint="See details.errors for every problem; nothing was written.",
            details={"field": first["field"], "errors": self.items},
        )


def task_inputs(
    items: Sequence[BulkTask], refs: ProjectRefs, owned: Collection[TaskField] | None
) -> list[TaskInput]:
    """The ``TaskInput`` of every item; raises ``InvalidInput`` listing every problem."""
    problems = Problems()
    inputs: list[TaskInput] = []
    first_index: dict[str, int] = {}
    for index, item in enumerate(items):
        if item.external_id in first_index:
            problems.add(
                index,
                item,
                "external_id",
                f"'{item.external_id}' is also the external_id of tasks"
                f"[{first_index[item.external_id]}]",
            )
        else:
            first_index[item.external_id] = index
        converted = _task_input(index, item, refs, problems)
        if converted is not None:
            inputs.append(converted)
    _check_parents(items, refs, owned, first_index, problems)
    if problems.items:
        raise problems.error()
    return inputs


def _task_input(
    index: int, item: BulkTask, refs: ProjectRefs, problems: Problems
) -> TaskInput | None:
    before = len(problems.items)
    ids: dict[str, int | None] = {}
    for name in _BY_NAME:
        ids[name] = _reference(index, item, name, refs, problems)
    if item.owner_id is not None and item.owner_id not in refs.members:
        problems.add(
            index,
            item,
            "owner_id",
            f"user {item.owner_id} is not a member of project {refs.project.code}",
        )
    for position, user_id in enumerate(item.assignee_ids):
        if user_id not in refs.members:
            problems.add(
                index,
                item,
                f"assignee_ids[{position}]",
                f"user {user_id} is not a member of project {refs.project.code}",
            )
    dates = None
    if ids["calendar"] is not None or not _calendar_sent(item):
        try:
            dates = plan.plan_dates(
                refs.calendar(ids["calendar"]), item.start_date, item.end_date, item.duration_days
            )
        except InvalidInput as exc:
            problems.add(index, item, exc.details.get("field", "start_date"), _sentence(exc))
    if dates is None or len(problems.items) != before:
        return None
    start, end, days = dates
    return TaskInput(
        external_id=item.external_id,
        name=item.name,
        start_date=start,
        end_date=end,
        duration_days=days,
        type=item.type,
        calendar_id=ids["calendar"],
        parent_external_id=item.parent_external_id,
        shift=item.shift,
        owner_id=item.owner_id,
        assignee_ids=tuple(dict.fromkeys(item.assignee_ids)),
        subcontractor_id=ids["subcontractor"],
        location_id=ids["location"],
        work_area=item.work_area or None,
        folder_id=ids["folder"],
        package_id=ids["package"],
        status=item.status,
        committed=item.committed,
        milestone_target_date=item.milestone_target_date,
        tags=tuple(item.tags),
        notes=item.notes or None,
    )


def _calendar_sent(item: BulkTask) -> bool:
    return item.calendar is not None or item.calendar_id is not None


def _sentence(exc: InvalidInput) -> str:
    return f"{exc.message} {exc.hint}".strip()


def _reference(
    index: int, item: BulkTask, name: str, refs: ProjectRefs, problems: Problems
) -> int | None:
    """The id ``item`` refers to by ``name`` or ``name_id``; ``None`` when neither is sent."""
    id_field = _BY_NAME[name]
    text: str | None = getattr(item, name)
    item_id: int | None = getattr(item, id_field)
    known = refs.lists[name]
    noun = _NOUNS[name]
    code = refs.project.code
    if text is not None and item_id is not None:
        problems.add(index, item, name, f"send {name} or {id_field}, not both")
        return None
    if item_id is not None:
        if item_id not in known.ids:
            problems.add(index, item, id_field, f"{item_id} is not a {noun} of project {code}")
            return None
        return item_id
    if text is None:
        return None
    found = known.by_name.get(text.strip() if name == "folder" else key(text))
    if found is None:
        problems.add(index, item, name, f"'{text}' is not a {noun} of project {code}")
    return found


def _check_parents(
    items: Sequence[BulkTask],
    refs: ProjectRefs,
    owned: Collection[TaskField] | None,
    first_index: dict[str, int],
    problems: Problems,
) -> None:
    """Every parent is a task of the call or of the project, and no task becomes its own
    ancestor once the call's parents replace the stored ones."""
    owns_parent = owned is None or "parent_external_id" in owned
    parent_of = dict(refs.parent_of)
    for ext, index in first_index.items():
        if owns_parent or ext not in refs.external_ids:
            parent_of[ext] = items[index].parent_external_id
    for ext, index in first_index.items():
        item = items[index]
        parent = item.parent_external_id
        if parent is None:
            continue
        if parent == ext:
            problems.add(index, item, "parent_external_id", "is the task itself")
        elif parent not in first_index and parent not in refs.external_ids:
            problems.add(
                index,
                item,
                "parent_external_id",
                f"'{parent}' is neither a task of this call nor of project {refs.project.code}",
            )
    state: dict[str, bool] = {}  # True while on the path being walked, False once cleared
    for ext in first_index:
        path: list[str] = []
        node: str | None = ext
        while node is not None and node not in state:
            state[node] = True
            path.append(node)
            node = parent_of.get(node)
        if node is not None and state[node]:
            loop = path[path.index(node) :]
            if len(loop) > 1:  # a task that is its own parent is reported above
                shown = " → ".join([*loop, loop[0]])
                for member in loop:
                    if member in first_index:
                        index = first_index[member]
                        problems.add(
                            index,
                            items[index],
                            "parent_external_id",
                            f"'{items[index].parent_external_id}' would make the task its own "
                            f"ancestor ({shown})",
                        )
        for walked in path:
            state[walked] = False
