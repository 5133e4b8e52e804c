"""Wire shapes of what is recorded on a task: resources, progress updates and blockers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ConfigDict, Field

from planbridge.api.schemas import Body, Comment, Name, Out, examples
from planbridge.planning.enums import (
    BlockerStatus,
    Category,
    Impact,
    ProgressType,
    ResourceKind,
)


# ---------------------------------------------------------------- resources
class ResourceCreate(Body):
    model_config = ConfigDict(
        json_schema_extra=examples(
            {"kind": "labour", "name": "Electricians", "quantity": 4, "unit": "people"}
        )
    )

    kind: ResourceKind
    name: Name
    quantity: float = Field(ge=0)
    unit: str = Field(min_length=1, max_length=40)


class ResourceOut(Out):
    model_config = ConfigDict(
        json_schema_extra=examples(
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
    model_config = ConfigDict(json_schema_extra=examples(PROGRESS_EXAMPLE))

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
        json_schema_extra=examples({"amount_days": 2, "comment": "Scaffold late by two days"})
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
        json_schema_extra=examples(
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
        json_schema_extra=examples(
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
    model_config = ConfigDict(json_schema_extra=examples({"due_on": "2026-12-02"}))

    title: str | None = Field(default=None, min_length=1, max_length=300)
    category: str | None = Field(default=None, max_length=200)
    category_id: int | None = None
    owner_id: int | None = None
    raised_on: dt.date | None = None
    due_on: dt.date | None = None


class BlockerResolve(Body):
    model_config = ConfigDict(json_schema_extra=examples({"resolved_on": "2026-11-26"}))

    resolved_on: dt.date | None = Field(
        default=None, description="Default: today in the project's timezone."
    )


class BlockerOut(Out):
    model_config = ConfigDict(
        json_schema_extra=examples(
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
