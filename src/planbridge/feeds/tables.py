"""The feed's tables and columns: one registry that the serializer, the JSON Schema and
``docs/feed.md`` are all checked against.

Types are the JSON Schema view: ``date`` is ``YYYY-MM-DD``, ``datetime`` is ISO 8601 in UTC
with a ``Z``; every table row carries ``version_id`` so Power BI can relate the tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnType = Literal["integer", "number", "string", "boolean", "date", "datetime"]


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: ColumnType
    description: str
    nullable: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    flag: str | None = None
    """The request flag that switches this table off (``resource``, ``status``, ``blockers``)."""

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _c(name: str, type_: ColumnType, description: str, nullable: bool = False) -> Column:
    return Column(name, type_, description, nullable)


VERSION_ID = _c("version_id", "integer", "The published version this row belongs to.")
TASK_ID = _c("task_id", "integer", "The task, stable across versions (relates to tasks.task_id).")

VERSIONS = Table(
    "versions",
    "One row per published version returned, newest first.",
    (
        VERSION_ID,
        _c("number", "integer", "Sequence number of the version in its project (1, 2, ...)."),
        _c("name", "string", "Name given at publication, e.g. `Week 47`."),
        _c("comment", "string", "Comment given at publication.", nullable=True),
        _c("published_at", "datetime", "When the version was published (UTC)."),
        _c("published_by", "string", "Who published it (name or `operator`)."),
        _c("task_count", "integer", "Number of tasks frozen in the version."),
    ),
)

TASKS = Table(
    "tasks",
    "Every task of each version, as it stood when the version was published.",
    (
        VERSION_ID,
        TASK_ID,
        _c("activity_id", "string", "PlanBridge activity id, e.g. `A-0042`."),
        _c("external_id", "string", "Master-schedule activity id.", nullable=True),
        _c("name", "string", "Task name."),
        _c("type", "string", "`task` or `milestone`."),
        _c("parent_task_id", "integer", "Parent task (summary) id.", nullable=True),
        _c("start_date", "date", "Planned start (first working day)."),
        _c("end_date", "date", "Planned finish (last working day)."),
        _c("duration_days", "integer", "Duration in working days (at least 1)."),
        _c("calendar", "string", "Name of the task's working-day calendar.", nullable=True),
        _c("shift", "string", "`day`, `afternoon`, `night` or `all`."),
        _c("owner", "string", "Owner's name.", nullable=True),
        _c("assignees", "string", "Assignees' names, separated by `; `.", nullable=True),
        _c("subcontractor_id", "integer", "Relates to subcontractors.", nullable=True),
        _c("subcontractor", "string", "Subcontractor name.", nullable=True),
        _c("location_id", "integer", "Relates to locations.", nullable=True),
        _c("location", "string", "Location name.", nullable=True),
        _c("work_area", "string", "Free-text work area.", nullable=True),
        _c("folder_id", "integer", "Relates to folders (WBS).", nullable=True),
        _c("folder_code", "string", "WBS code of the folder.", nullable=True),
        _c("package_id", "integer", "Relates to packages.", nullable=True),
        _c("package", "string", "Package name.", nullable=True),
        _c("status", "string", "`backlog`, `planned`, `in_progress`, `complete` or `promised`."),
        _c("committed", "boolean", "On the weekly work plan (committed)."),
        _c("milestone_target_date", "date", "Target date of a milestone.", nullable=True),
        _c("tags", "string", "Tags, separated by `; `.", nullable=True),
        _c("notes", "string", "Free-text notes.", nullable=True),
    ),
)

LINKS = Table(
    "links",
    "Logic links between tasks of the same version.",
    (
        VERSION_ID,
        _c("link_id", "integer", "Link id."),
        _c("predecessor_task_id", "integer", "The task that drives (relates to tasks.task_id)."),
        _c("successor_task_id", "integer", "The task that follows (relates to tasks.task_id)."),
        _c("type", "string", "`FS`, `SS`, `FF` or `SF`."),
        _c("lag_days", "integer", "Lag in working days (negative for a lead)."),
    ),
)

RESOURCES = Table(
    "resources",
    "Labour, plant and material on each task. Omitted with `resource=false`.",
    (
        VERSION_ID,
        _c("resource_id", "integer", "Resource line id."),
        TASK_ID,
        _c("kind", "string", "`labour`, `plant` or `material`."),
        _c("name", "string", "What it is, e.g. `Electricians`."),
        _c("quantity", "number", "How many (or how much)."),
        _c("unit", "string", "Unit of the quantity, e.g. `people`, `m3`."),
    ),
    flag="resource",
)

STATUS = Table(
    "status",
    "Progress updates (delays and progress) per task day. Omitted with `status=false`.",
    (
        VERSION_ID,
        _c("status_id", "integer", "Progress update id."),
        TASK_ID,
        _c("day", "date", "The working day of the task the update is about."),
        _c("type", "string", "`delayed`, `on_schedule`, `improved` or `complete`."),
        _c("reason_id", "integer", "Relates to delay_reasons.", nullable=True),
        _c("reason", "string", "The project's delay reason label.", nullable=True),
        _c("reason_category", "string", "Canonical category of the reason.", nullable=True),
        _c("impact", "string", "For delays: `extend` or `move`.", nullable=True),
        _c("amount_days", "integer", "Impact in working days (signed)."),
        _c("comment", "string", "Comment.", nullable=True),
        _c("recorded_by", "string", "Who recorded it.", nullable=True),
        _c("recorded_at", "datetime", "When it was recorded (UTC)."),
    ),
    flag="status",
)

BLOCKERS = Table(
    "blockers",
    "Constraints on tasks. Omitted with `blockers=false`.",
    (
        VERSION_ID,
        _c("blocker_id", "integer", "Blocker id, stable across versions."),
        TASK_ID,
        _c("title", "string", "What must be cleared."),
        _c("category_id", "integer", "Relates to blocker_categories.", nullable=True),
        _c("category", "string", "The project's blocker category label.", nullable=True),
        _c("canonical_category", "string", "Canonical category.", nullable=True),
        _c("owner", "string", "Who must clear it.", nullable=True),
        _c("raised_on", "date", "When it was raised."),
        _c("due_on", "date", "Need-by date.", nullable=True),
        _c("status", "string", "`open` or `resolved`."),
        _c("resolved_on", "date", "When it was resolved.", nullable=True),
    ),
    flag="blockers",
)

SUBCONTRACTORS = Table(
    "subcontractors",
    "The project's subcontractors.",
    (
        VERSION_ID,
        _c("subcontractor_id", "integer", "Subcontractor id."),
        _c("name", "string", "Company name."),
        _c("trade", "string", "Trade, e.g. `Electrical`.", nullable=True),
    ),
)

LOCATIONS = Table(
    "locations",
    "Levels, zones and areas.",
    (
        VERSION_ID,
        _c("location_id", "integer", "Location id."),
        _c("name", "string", "Location name."),
        _c("kind", "string", "`level`, `zone` or `area`."),
        _c("parent_location_id", "integer", "Enclosing location.", nullable=True),
    ),
)

FOLDERS = Table(
    "folders",
    "The work breakdown structure (WBS).",
    (
        VERSION_ID,
        _c("folder_id", "integer", "Folder id."),
        _c("code", "string", "WBS code, e.g. `1.2.3`."),
        _c("name", "string", "Folder name."),
        _c("parent_folder_id", "integer", "Parent folder.", nullable=True),
    ),
)

PACKAGES = Table(
    "packages",
    "Work packages.",
    (
        VERSION_ID,
        _c("package_id", "integer", "Package id."),
        _c("name", "string", "Package name."),
    ),
)

DELAY_REASONS = Table(
    "delay_reasons",
    "The project's delay reasons with their canonical category.",
    (
        VERSION_ID,
        _c("reason_id", "integer", "Reason id."),
        _c("label", "string", "The project's own label."),
        _c("category", "string", "Canonical category."),
    ),
)

BLOCKER_CATEGORIES = Table(
    "blocker_categories",
    "The project's blocker categories with their canonical category.",
    (
        VERSION_ID,
        _c("category_id", "integer", "Category id."),
        _c("label", "string", "The project's own label."),
        _c("category", "string", "Canonical category."),
    ),
)

CALENDARS = Table(
    "calendars",
    "Working-day calendars.",
    (
        VERSION_ID,
        _c("calendar_id", "integer", "Calendar id."),
        _c("name", "string", "Calendar name."),
        _c(
            "working_weekdays",
            "string",
            "Worked weekdays, ISO numbers (1 = Monday), e.g. `1,2,3,4,5`.",
        ),
        _c("holidays", "string", "Non-working dates, ISO, separated by `; `.", nullable=True),
        _c("is_default", "boolean", "The project's default calendar."),
    ),
)

#: Every feed table, in the order they appear in the body.
TABLES: tuple[Table, ...] = (
    VERSIONS,
    TASKS,
    LINKS,
    RESOURCES,
    STATUS,
    BLOCKERS,
    SUBCONTRACTORS,
    LOCATIONS,
    FOLDERS,
    PACKAGES,
    DELAY_REASONS,
    BLOCKER_CATEGORIES,
    CALENDARS,
)
TABLES_BY_NAME = {t.name: t for t in TABLES}
FLAGS = ("resource", "status", "blockers")
