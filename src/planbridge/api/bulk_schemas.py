"""Wire shapes of the bulk upsert (``POST .../tasks/bulk-upsert``) and of imports
(``POST .../imports``): request bodies refuse unknown fields, every shape has an example."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from planbridge.api.schemas import Body, Tag
from planbridge.planning.enums import Shift, TaskStatus, TaskType

MAX_BULK_TASKS = 50_000
"""The most tasks one bulk upsert accepts."""


def _by_name(noun: str) -> Any:
    return Field(default=None, min_length=1, max_length=200, description=f"The {noun}'s name.")


# ---------------------------------------------------------------- bulk upsert
BULK_TASK_EXAMPLE: dict[str, Any] = {
    "external_id": "EL-1040",
    "name": "First fix wiring – Level 01 Zone A",
    "start_date": "2026-11-23",
    "duration_days": 3,
    "subcontractor": "Sparks Ltd",
    "location": "Level 01",
    "folder": "1.1",
    "status": "planned",
    "tags": ["lookahead"],
}

BulkField = Literal[
    "name",
    "type",
    "start_date",
    "end_date",
    "duration_days",
    "calendar",
    "calendar_id",
    "parent_external_id",
    "shift",
    "owner_id",
    "assignee_ids",
    "subcontractor",
    "subcontractor_id",
    "location",
    "location_id",
    "work_area",
    "folder",
    "folder_id",
    "package",
    "package_id",
    "status",
    "committed",
    "milestone_target_date",
    "tags",
    "notes",
]


class BulkTask(Body):
    """One task of the sync source, matched to the project's tasks by ``external_id``.

    Each list reference is given by name (``subcontractor``, ``location``, ``package``,
    ``calendar``; ``folder`` is the WBS code) or by id (``..._id``), not both.
    """

    model_config = ConfigDict(json_schema_extra={"examples": [BULK_TASK_EXAMPLE]})

    external_id: str = Field(
        min_length=1, max_length=100, description="The source's id of the task; the match key."
    )
    name: str = Field(min_length=1, max_length=500)
    type: TaskType = TaskType.task
    parent_external_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="`external_id` of the parent: another task of the call or of the project.",
    )
    start_date: dt.date = Field(description="A working day of the task's calendar.")
    end_date: dt.date | None = Field(
        default=None, description="Last working day; give it or `duration_days` (or both, equal)."
    )
    duration_days: int | None = Field(
        default=None, ge=1, description="Working days (default 1 when no `end_date`)."
    )
    calendar: str | None = _by_name("calendar")
    calendar_id: int | None = Field(default=None, description="Default: the project's calendar.")
    shift: Shift = Shift.day
    owner_id: int | None = Field(default=None, description="User id of a project member.")
    assignee_ids: list[int] = Field(default_factory=list, max_length=100)
    subcontractor: str | None = _by_name("subcontractor")
    subcontractor_id: int | None = None
    location: str | None = _by_name("location")
    location_id: int | None = None
    work_area: str | None = Field(default=None, max_length=200)
    folder: str | None = Field(
        default=None, min_length=1, max_length=100, description="The folder's WBS code."
    )
    folder_id: int | None = None
    package: str | None = _by_name("package")
    package_id: int | None = None
    status: TaskStatus = TaskStatus.planned
    committed: bool = Field(default=False, description="On the weekly work plan.")
    milestone_target_date: dt.date | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=50)
    notes: str | None = Field(default=None, max_length=20000)


class BulkUpsert(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "tasks": [
                        BULK_TASK_EXAMPLE,
                        {
                            "external_id": "EL-1050",
                            "name": "Second fix wiring – Level 01 Zone A",
                            "start_date": "2026-11-26",
                            "end_date": "2026-11-30",
                            "subcontractor_id": 1,
                            "parent_external_id": "EL-1000",
                        },
                        {
                            "external_id": "EL-1000",
                            "name": "Electrical – Level 01",
                            "start_date": "2026-11-23",
                            "duration_days": 6,
                        },
                    ],
                    "fields": None,
                    "prune": False,
                    "dry_run": True,
                }
            ]
        }
    )

    tasks: list[BulkTask] = Field(
        min_length=1,
        max_length=MAX_BULK_TASKS,
        description=f"Up to {MAX_BULK_TASKS:,} tasks, each `external_id` once.",
    )
    fields: list[BulkField] | None = Field(
        default=None,
        min_length=1,
        description="The properties this source owns: only these are compared and overwritten "
        "on existing tasks (new tasks get everything sent). A name and its `_id` are the same "
        "property; the dates and the calendar go together. Default: every property.",
    )
    prune: bool = Field(
        default=False,
        description="Delete the project's tasks whose `external_id` is not in `tasks` (admins).",
    )
    dry_run: bool = Field(default=False, description="Report what would change; change nothing.")


class BulkCounts(BaseModel):
    added: int
    updated: int
    unchanged: int
    missing: int
    pruned: int


class BulkUpsertOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "dry_run": False,
                    "prune": False,
                    "counts": {
                        "added": 1,
                        "updated": 1,
                        "unchanged": 1,
                        "missing": 1,
                        "pruned": 0,
                    },
                    "added": ["EL-1050"],
                    "updated": ["EL-1040"],
                    "unchanged": ["EL-1000"],
                    "missing": ["EL-0990"],
                    "pruned": [],
                    "task_ids": {"EL-1040": 42, "EL-1050": 57, "EL-1000": 40},
                    "activity_ids": {"EL-1050": "A-0057"},
                }
            ]
        }
    )

    dry_run: bool
    prune: bool
    counts: BulkCounts
    added: list[str] = Field(description="External ids of the tasks created, in input order.")
    updated: list[str] = Field(description="Tasks whose owned properties changed.")
    unchanged: list[str]
    missing: list[str] = Field(
        description="The project's tasks with an `external_id` not in the call (sorted)."
    )
    pruned: list[str] = Field(description="The `missing` tasks deleted (would be, in a dry run).")
    task_ids: dict[str, int] = Field(
        description="Task id by external id; new tasks are absent in a dry run."
    )
    activity_ids: dict[str, str] = Field(description="The activity id given to each new task.")


# ---------------------------------------------------------------- imports
class ProblemOut(BaseModel):
    location: str = Field(description='Where in the file: "row 7", "activity A1010", "file".')
    field: str | None
    row: int | None
    message: str
    text: str = Field(description="The problem in one line, as the CLI prints it.")


class ImportTasksOut(BaseModel):
    added: list[str]
    updated: list[str]
    unchanged: list[str]
    missing: list[str] = Field(description="Tasks that left the schedule (kept without prune).")
    pruned: list[str]


class ImportLinksOut(BaseModel):
    added: list[str] = Field(description='Links as "A1000 FS A1010".')
    removed: list[str]
    updated: list[str]
    unchanged: int


class ImportCreatedOut(BaseModel):
    calendars: list[str]
    folders: list[str]
    subcontractors: list[str]
    locations: list[str]
    packages: list[str]


IMPORT_REPORT_EXAMPLE: dict[str, Any] = {
    "ok": True,
    "project": "RIV01",
    "source": "programme.xer",
    "source_format": "xer",
    "dry_run": True,
    "prune": False,
    "counts": {
        "tasks_added": 2,
        "tasks_updated": 0,
        "tasks_unchanged": 0,
        "tasks_missing": 0,
        "tasks_pruned": 0,
        "milestones": 1,
        "links_added": 1,
        "links_removed": 0,
        "links_updated": 0,
        "links_unchanged": 0,
        "resources": 0,
        "warnings": 0,
        "problems": 0,
    },
    "tasks": {
        "added": ["A1000", "M1010"],
        "updated": [],
        "unchanged": [],
        "missing": [],
        "pruned": [],
    },
    "links": {"added": ["A1000 FS M1010"], "removed": [], "updated": [], "unchanged": 0},
    "external_links": 0,
    "resources_replaced_on": [],
    "created": {
        "calendars": [],
        "folders": ["RIV.1"],
        "subcontractors": [],
        "locations": [],
        "packages": [],
    },
    "updated_calendars": ["Standard"],
    "updated_folders": [],
    "problems": [],
    "warnings": [],
}


class ImportReportOut(BaseModel):
    """What the import did or, in a dry run, would do."""

    model_config = ConfigDict(json_schema_extra={"examples": [IMPORT_REPORT_EXAMPLE]})

    ok: bool
    project: str
    source: str | None = Field(description="The file name.")
    source_format: Literal["xer", "mspdi", "csv", "xlsx"]
    dry_run: bool
    prune: bool
    counts: dict[str, int]
    tasks: ImportTasksOut
    links: ImportLinksOut
    external_links: int = Field(description="Links to activities outside the file: not created.")
    resources_replaced_on: list[str]
    created: ImportCreatedOut = Field(description="List entries the import created.")
    updated_calendars: list[str]
    updated_folders: list[str]
    problems: list[ProblemOut] = Field(description="Always empty: problems are a 422.")
    warnings: list[ProblemOut]
