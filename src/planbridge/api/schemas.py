"""Wire shapes of the Plan API: snake_case JSON, unknown fields refused, each with an example.

``...Create`` shapes are request bodies of ``POST``; ``...Patch`` shapes carry only the fields
to change (``null`` clears an optional field); ``...Out`` shapes are responses.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from planbridge.planning.enums import (
    BlockerStatus,
    Category,
    Impact,
    LinkType,
    ProgressType,
    ResourceKind,
    Shift,
    TaskStatus,
    TaskType,
)

Name = Annotated[str, Field(min_length=1, max_length=200)]
Tag = Annotated[str, Field(min_length=1, max_length=100)]
Comment = Annotated[str, Field(max_length=5000)]


def _examples(*examples: dict[str, Any]) -> dict[str, Any]:
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
    model_config = ConfigDict(json_schema_extra=_examples(TASK_EXAMPLE))

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
        json_schema_extra=_examples({"status": "in_progress", "duration_days": 4, "notes": None})
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
        json_schema_extra=_examples(
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
        json_schema_extra=_examples(
            {"predecessor_id": 41, "successor_id": 42, "type": "FS", "lag_days": 0}
        )
    )

    predecessor_id: int
    successor_id: int
    type: LinkType = LinkType.FS
    lag_days: int = Field(default=0, ge=-1000, le=1000, description="Working days; may be < 0.")


class LinkOut(Out):
    model_config = ConfigDict(
        json_schema_extra=_examples(
            {"id": 7, "predecessor_id": 41, "successor_id": 42, "type": "FS", "lag_days": 0}
        )
    )

    id: int
    predecessor_id: int
    successor_id: int
    type: LinkType
    lag_days: int


# ---------------------------------------------------------------- resources
class ResourceCreate(Body):
    model_config = ConfigDict(
        json_schema_extra=_examples(
            {"kind": "labour", "name": "Electricians", "quantity": 4, "unit": "people"}
        )
    )

    kind: ResourceKind
    name: Name
    quantity: float = Field(ge=0)
    unit: str = Field(min_length=1, max_length=40)


class ResourceOut(Out):
    model_config = ConfigDict(
        json_schema_extra=_examples(
            {
                "id": 3,
                "task_id": 42,
                "kind": "labour",
                "name": "Electricians",
                "quantity": 4.0,
                "unit": "people",
            }
        )
    )

    id: int
    task_id: int
    kind: ResourceKind
    name: str
    quantity: float
    unit: str


# ---------------------------------------------------------------- progress
PROGRESS_EXAMPLE: dict[str, Any] = {
    "day": "2026-11-24",
    "type": "delayed",
    "reason": "Awaiting access",
    "impact": "extend",
    "amount_days": 1,
    "comment": "Scaffold not ready",
}


class ProgressCreate(Body):
    model_config = ConfigDict(json_schema_extra=_examples(PROGRESS_EXAMPLE))

    day: dt.date = Field(description="A working day of the task (start to end).")
    type: ProgressType
    reason: str | None = Field(
        default=None, max_length=200, description="A label of the project's delay-reason list."
    )
    reason_id: int | None = Field(default=None, description="Or the reason's id.")
    impact: Impact | None = Field(default=None, description="Required for delays, else null.")
    amount_days: int = Field(
        default=0, ge=-1000, le=1000, description="Signed working days; ≥ 1 for delays."
    )
    comment: Comment | None = None


class ProgressPatch(Body):
    model_config = ConfigDict(
        json_schema_extra=_examples({"amount_days": 2, "comment": "Scaffold late by two days"})
    )

    day: dt.date | None = None
    type: ProgressType | None = None
    reason: str | None = Field(default=None, max_length=200)
    reason_id: int | None = None
    impact: Impact | None = None
    amount_days: int | None = Field(default=None, ge=-1000, le=1000)
    comment: Comment | None = None


class ProgressOut(Out):
    model_config = ConfigDict(
        json_schema_extra=_examples(
            {
                "id": 5,
                "task_id": 42,
                **PROGRESS_EXAMPLE,
                "reason_id": 2,
                "category": "space_access",
                "by_user_id": 3,
                "recorded_at": "2026-11-24T16:30:00Z",
            }
        )
    )

    id: int
    task_id: int
    day: dt.date
    type: ProgressType
    reason_id: int | None
    reason: str | None
    category: Category | None = Field(description="The reason's canonical category.")
    impact: Impact | None
    amount_days: int
    comment: str | None
    by_user_id: int | None
    recorded_at: dt.datetime


# ---------------------------------------------------------------- blockers
class BlockerCreate(Body):
    model_config = ConfigDict(
        json_schema_extra=_examples(
            {"title": "Approved drawings", "category": "Design", "due_on": "2026-11-27"}
        )
    )

    title: str = Field(min_length=1, max_length=300)
    category: str | None = Field(
        default=None, max_length=200, description="A label of the project's blocker categories."
    )
    category_id: int | None = Field(default=None, description="Or the category's id.")
    owner_id: int | None = Field(default=None, description="User id of a project member.")
    raised_on: dt.date | None = Field(
        default=None, description="Default: today in the project's timezone."
    )
    due_on: dt.date | None = Field(default=None, description="Need-by date, not before raised.")


class BlockerPatch(Body):
    model_config = ConfigDict(json_schema_extra=_examples({"due_on": "2026-12-02"}))

    title: str | None = Field(default=None, min_length=1, max_length=300)
    category: str | None = Field(default=None, max_length=200)
    category_id: int | None = None
    owner_id: int | None = None
    raised_on: dt.date | None = None
    due_on: dt.date | None = None


class BlockerResolve(Body):
    model_config = ConfigDict(json_schema_extra=_examples({"resolved_on": "2026-11-26"}))

    resolved_on: dt.date | None = Field(
        default=None, description="Default: today in the project's timezone."
    )


class BlockerOut(Out):
    model_config = ConfigDict(
        json_schema_extra=_examples(
            {
                "id": 9,
                "task_id": 42,
                "title": "Approved drawings",
                "category_id": 1,
                "category": "Design",
                "canonical_category": "information_design",
                "owner_id": None,
                "raised_on": "2026-11-20",
                "due_on": "2026-11-27",
                "status": "open",
                "resolved_on": None,
            }
        )
    )

    id: int
    task_id: int
    title: str
    category_id: int | None
    category: str | None
    canonical_category: Category | None
    owner_id: int | None
    raised_on: dt.date
    due_on: dt.date | None
    status: BlockerStatus
    resolved_on: dt.date | None


# ---------------------------------------------------------------- the project's lists
class SubcontractorCreate(Body):
    model_config = ConfigDict(
        json_schema_extra=_examples({"name": "Électricité Müller", "trade": "Electrical"})
    )

    name: Name
    trade: str | None = Field(default=None, max_length=100)


class SubcontractorOut(Out):
    model_config = ConfigDict(
        json_schema_extra=_examples({"id": 1, "name": "Électricité Müller", "trade": "Electrical"})
    )

    id: int
    name: str
    trade: str | None


class LocationCreate(Body):
    model_config = ConfigDict(
        json_schema_extra=_examples({"name": "Level 01 Zone A", "kind": "zone", "parent_id": 1})
    )

    name: Name
    kind: str = Field(default="area", min_length=1, max_length=40, description="e.g. level.")
    parent_id: int | None = None


class LocationOut(Out):
    model_config = ConfigDict(
        json_schema_extra=_examples(
            {"id": 2, "name": "Level 01 Zone A", "kind": "zone", "parent_id": 1}
        )
    )

    id: int
    name: str
    kind: str
    parent_id: int | None


class FolderCreate(Body):
    model_config = ConfigDict(
        json_schema_extra=_examples({"code": "1.2", "name": "Services", "parent_id": None})
    )

    code: str = Field(min_length=1, max_length=100, description="WBS code, unique.")
    name: Name
    parent_id: int | None = None


class FolderOut(Out):
    model_config = ConfigDict(
        json_schema_extra=_examples({"id": 1, "code": "1.2", "name": "Services", "parent_id": None})
    )

    id: int
    code: str
    name: str
    parent_id: int | None


class PackageCreate(Body):
    model_config = ConfigDict(json_schema_extra=_examples({"name": "WP01 Electrical"}))

    name: Name


class PackageOut(Out):
    model_config = ConfigDict(json_schema_extra=_examples({"id": 1, "name": "WP01 Electrical"}))

    id: int
    name: str


class LabelCreate(Body):
    """A delay reason or blocker category: the project's own label and its canonical category."""

    model_config = ConfigDict(
        json_schema_extra=_examples({"label": "Awaiting access", "category": "space_access"})
    )

    label: Name
    category: Category


class LabelOut(Out):
    model_config = ConfigDict(
        json_schema_extra=_examples(
            {"id": 2, "label": "Awaiting access", "category": "space_access"}
        )
    )

    id: int
    label: str
    category: Category


class CalendarOut(Out):
    model_config = ConfigDict(
        json_schema_extra=_examples(
            {
                "id": 1,
                "name": "Standard",
                "working_weekdays": [0, 1, 2, 3, 4],
                "holidays": ["2026-12-25"],
                "hours_per_day": 8,
            }
        )
    )

    id: int
    name: str
    working_weekdays: list[int] = Field(description="Worked weekdays, Monday = 0.")
    holidays: list[str]
    hours_per_day: int


class MemberOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=_examples(
            {"user_id": 3, "email": "ana@example.com", "name": "Ana Souza", "role": "admin"}
        )
    )

    user_id: int
    email: str
    name: str
    role: str


# ---------------------------------------------------------------- versions and the project
class VersionCreate(Body):
    model_config = ConfigDict(
        json_schema_extra=_examples({"name": "Week 48 2026", "comment": "Agreed at Monday LPS"})
    )

    name: str | None = Field(
        default=None, min_length=1, max_length=200, description="Default: 'Week NN YYYY'."
    )
    comment: str | None = Field(default=None, max_length=2000)


class VersionOut(Out):
    model_config = ConfigDict(
        json_schema_extra=_examples(
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
        json_schema_extra=_examples(
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
