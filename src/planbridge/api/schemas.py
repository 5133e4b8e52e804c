"""Wire shapes of the Plan API: snake_case JSON, unknown fields refused, each with an example.
The shared base shapes, tasks, links, versions and the project are here; what is recorded on a
task is in ``record_schemas``, the project's lists in ``list_schemas``.

``...Create`` shapes are request bodies of ``POST``; ``...Patch`` shapes carry only the fields
to change (``null`` clears an optional field); ``...Out`` shapes are responses.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from planbridge.planning.enums import (
    LinkType,
    Shift,
    TaskStatus,
    TaskType,
)

Name = Annotated[str, Field(min_length=1, max_length=200)]
Tag = Annotated[str, Field(min_length=1, max_length=100)]
Comment = Annotated[str, Field(max_length=5000)]


def examples(*examples: dict[str, Any]) -> dict[str, Any]:
    return {"examples": list(examples)}


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


T = TypeVar("T")


class Items(BaseModel, Generic[T]):
    items: list[T]


# ---------------------------------------------------------------- tasks
TASK_EXAMPLE: dict[str, Any] = {
    "name": "First fix wiring – Level 01 Zone A",
    "external_id": "EL-1040",
    "start_date": "2026-11-23",
    "duration_days": 3,
    "subcontractor_id": 1,
    "location_id": 2,
    "folder_id": 1,
    "status": "planned",
    "tags": ["lookahead"],
}


class TaskCreate(Body):
    model_config = ConfigDict(json_schema_extra=examples(TASK_EXAMPLE))

    name: str = Field(min_length=1, max_length=500)
    activity_id: str | None = Field(
        default=None, min_length=1, max_length=40, description="Default: the next free `A-NNNN`."
    )
    external_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="The master schedule's activity id; unique within the project.",
    )
    type: TaskType = TaskType.task
    parent_id: int | None = None
    start_date: dt.date = Field(description="A working day of the task's calendar.")
    end_date: dt.date | None = Field(
        default=None, description="Last working day; give it or `duration_days` (or both, equal)."
    )
    duration_days: int | None = Field(
        default=None, ge=1, description="Working days (default 1 when no `end_date`)."
    )
    calendar_id: int | None = Field(default=None, description="Default: the project's calendar.")
    shift: Shift = Shift.day
    owner_id: int | None = Field(default=None, description="User id of a project member.")
    assignee_ids: list[int] = Field(default_factory=list, max_length=100)
    subcontractor_id: int | None = None
    location_id: int | None = None
    work_area: str | None = Field(default=None, max_length=200)
    folder_id: int | None = None
    package_id: int | None = None
    status: TaskStatus = TaskStatus.planned
    committed: bool = Field(default=False, description="On the weekly work plan.")
    milestone_target_date: dt.date | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=50)
    notes: str | None = Field(default=None, max_length=20000)


class TaskPatch(Body):
    """Only the fields sent change; dates are re-planned when any of start, end, duration or
    calendar is sent (a new start alone keeps the duration and moves the end)."""

    model_config = ConfigDict(
        json_schema_extra=examples({"status": "in_progress", "duration_days": 4, "notes": None})
    )

    name: str | None = Field(default=None, min_length=1, max_length=500)
    activity_id: str | None = Field(default=None, min_length=1, max_length=40)
    external_id: str | None = Field(default=None, min_length=1, max_length=100)
    type: TaskType | None = None
    parent_id: int | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    duration_days: int | None = Field(default=None, ge=1)
    calendar_id: int | None = None
    shift: Shift | None = None
    owner_id: int | None = None
    assignee_ids: list[int] | None = Field(default=None, max_length=100)
    subcontractor_id: int | None = None
    location_id: int | None = None
    work_area: str | None = Field(default=None, max_length=200)
    folder_id: int | None = None
    package_id: int | None = None
    status: TaskStatus | None = None
    committed: bool | None = None
    milestone_target_date: dt.date | None = None
    tags: list[Tag] | None = Field(default=None, max_length=50)
    notes: str | None = Field(default=None, max_length=20000)


class TaskOut(Out):
    model_config = ConfigDict(
        json_schema_extra=examples(
            {
                "id": 42,
                "activity_id": "A-0042",
                **TASK_EXAMPLE,
                "type": "task",
                "parent_id": None,
                "end_date": "2026-11-25",
                "calendar_id": 1,
                "shift": "day",
                "owner_id": None,
                "assignee_ids": [],
                "work_area": None,
                "package_id": None,
                "committed": False,
                "milestone_target_date": None,
                "notes": None,
                "row_version": 1,
                "created_at": "2026-11-20T15:00:00Z",
                "updated_at": "2026-11-20T15:00:00Z",
            }
        )
    )

    id: int
    activity_id: str
    external_id: str | None
    name: str
    type: TaskType
    parent_id: int | None
    start_date: dt.date
    end_date: dt.date
    duration_days: int
    calendar_id: int | None
    shift: Shift
    owner_id: int | None
    assignee_ids: list[int]
    subcontractor_id: int | None
    location_id: int | None
    work_area: str | None
    folder_id: int | None
    package_id: int | None
    status: TaskStatus
    committed: bool
    milestone_target_date: dt.date | None
    tags: list[str]
    notes: str | None
    row_version: int = Field(description="Bumped by every change; the ETag is its quoted value.")
    created_at: dt.datetime
    updated_at: dt.datetime


class TaskPage(BaseModel):
    items: list[TaskOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; `null` on the last page."
    )


# ---------------------------------------------------------------- links
class LinkCreate(Body):
    model_config = ConfigDict(
        json_schema_extra=examples(
            {"predecessor_id": 41, "successor_id": 42, "type": "FS", "lag_days": 0}
        )
    )

    predecessor_id: int
    successor_id: int
    type: LinkType = LinkType.FS
    lag_days: int = Field(default=0, ge=-1000, le=1000, description="Working days; may be < 0.")


class LinkOut(Out):
    model_config = ConfigDict(
        json_schema_extra=examples(
            {"id": 7, "predecessor_id": 41, "successor_id": 42, "type": "FS", "lag_days": 0}
        )
    )

    id: int
    predecessor_id: int
    successor_id: int
    type: LinkType
    lag_days: int


# ---------------------------------------------------------------- versions and the project
class VersionCreate(Body):
    model_config = ConfigDict(
        json_schema_extra=examples({"name": "Week 48 2026", "comment": "Agreed at Monday LPS"})
    )

    name: str | None = Field(
        default=None, min_length=1, max_length=200, description="Default: 'Week NN YYYY'."
    )
    comment: str | None = Field(default=None, max_length=2000)


class VersionOut(Out):
    model_config = ConfigDict(
        json_schema_extra=examples(
            {
                "id": 12,
                "number": 12,
                "name": "Week 48 2026",
                "comment": "Agreed at Monday LPS",
                "published_at": "2026-11-23T09:00:00Z",
                "published_by": "Ana Souza",
                "task_count": 318,
            }
        )
    )

    id: int
    number: int
    name: str
    comment: str | None
    published_at: dt.datetime
    published_by: str
    task_count: int


class PublishedOut(VersionOut):
    """A new version, and what the publisher should know about it."""

    warnings: list[str] = Field(
        default_factory=list,
        description="E.g. a second version on the same local day: its PPC will be null.",
    )


class CallerOut(BaseModel):
    email: str
    role: str
    permissions: list[str] = Field(
        description="read, edit_plan (any member); manage_lists, publish (admins)."
    )
    token_name: str
    token_expires_at: dt.datetime


class ProjectOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=examples(
            {
                "code": "RIV01",
                "name": "Riverside Tower",
                "timezone": "Europe/London",
                "default_calendar_id": 1,
                "archived": False,
                "caller": {
                    "email": "ana@example.com",
                    "role": "admin",
                    "permissions": ["read", "edit_plan", "manage_lists", "publish"],
                    "token_name": "Nightly P6 sync",
                    "token_expires_at": "2026-12-20T15:00:00Z",
                },
            }
        )
    )

    code: str
    name: str
    timezone: str
    default_calendar_id: int | None
    archived: bool
    caller: CallerOut
