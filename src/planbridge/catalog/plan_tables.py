"""The plan tables: the live plan frozen at publication, one declaration each."""

from __future__ import annotations

from planbridge.catalog.model import Relation, Table, column

VERSION_ID = column("version_id", "integer", "The published version this row belongs to.")
TASK_ID = column(
    "task_id", "integer", "The task, stable across versions (relates to tasks.task_id)."
)

VERSIONS = Table(
    "versions",
    "One row per published version returned, newest first.",
    (
        VERSION_ID,
        column("number", "integer", "Sequence number of the version in its project (1, 2, ...)."),
        column("name", "string", "Name given at publication, e.g. `Week 47`."),
        column("comment", "string", "Comment given at publication.", nullable=True),
        column("published_at", "datetime", "When the version was published (UTC)."),
        column("published_by", "string", "Who published it (name or `operator`)."),
        column("task_count", "integer", "Number of tasks frozen in the version."),
    ),
    entity_set="Versions",
    entity_type="Version",
    key=("version_id",),
    builder="planbridge.publishing.service:version_row",
)


TASKS = Table(
    "tasks",
    "Every task of each version, as it stood when the version was published.",
    (
        VERSION_ID,
        TASK_ID,
        column("activity_id", "string", "PlanBridge activity id, e.g. `A-0042`."),
        column("external_id", "string", "Master-schedule activity id.", nullable=True),
        column("name", "string", "Task name."),
        column("type", "string", "`task` or `milestone`."),
        column("parent_task_id", "integer", "Parent task (summary) id.", nullable=True),
        column("start_date", "date", "Planned start (first working day)."),
        column("end_date", "date", "Planned finish (last working day)."),
        column("duration_days", "integer", "Duration in working days (at least 1)."),
        column("calendar", "string", "Name of the task's working-day calendar.", nullable=True),
        column("shift", "string", "`day`, `afternoon`, `night` or `all`."),
        column("owner", "string", "Owner's name.", nullable=True),
        column("assignees", "string", "Assignees' names, separated by `; `.", nullable=True),
        column("subcontractor_id", "integer", "Relates to subcontractors.", nullable=True),
        column("subcontractor", "string", "Subcontractor name.", nullable=True),
        column("location_id", "integer", "Relates to locations.", nullable=True),
        column("location", "string", "Location name.", nullable=True),
        column("work_area", "string", "Free-text work area.", nullable=True),
        column("folder_id", "integer", "Relates to folders (WBS).", nullable=True),
        column("folder_code", "string", "WBS code of the folder.", nullable=True),
        column("package_id", "integer", "Relates to packages.", nullable=True),
        column("package", "string", "Package name.", nullable=True),
        column(
            "status", "string", "`backlog`, `planned`, `in_progress`, `complete` or `promised`."
        ),
        column("committed", "boolean", "On the weekly work plan (committed)."),
        column("milestone_target_date", "date", "Target date of a milestone.", nullable=True),
        column("tags", "string", "Tags, separated by `; `.", nullable=True),
        column("notes", "string", "Free-text notes.", nullable=True),
    ),
    entity_set="Tasks",
    entity_type="Task",
    row_id="task_id",
    builder="planbridge.publishing.snapshot:task_rows",
)


LINKS = Table(
    "links",
    "Logic links between tasks of the same version.",
    (
        VERSION_ID,
        column("link_id", "integer", "Link id."),
        column(
            "predecessor_task_id", "integer", "The task that drives (relates to tasks.task_id)."
        ),
        column("successor_task_id", "integer", "The task that follows (relates to tasks.task_id)."),
        column("type", "string", "`FS`, `SS`, `FF` or `SF`."),
        column("lag_days", "integer", "Lag in working days (negative for a lead)."),
    ),
    entity_set="Links",
    entity_type="Link",
    row_id="link_id",
    builder="planbridge.publishing.snapshot:link_rows",
)


RESOURCES = Table(
    "resources",
    "Labour, plant and material on each task. Omitted with `resource=false`.",
    (
        VERSION_ID,
        column("resource_id", "integer", "Resource line id."),
        TASK_ID,
        column("kind", "string", "`labour`, `plant` or `material`."),
        column("name", "string", "What it is, e.g. `Electricians`."),
        column("quantity", "number", "How many (or how much)."),
        column("unit", "string", "Unit of the quantity, e.g. `people`, `m3`."),
    ),
    flag="resource",
    entity_set="Resources",
    entity_type="Resource",
    row_id="resource_id",
    builder="planbridge.publishing.snapshot:resource_rows",
)


STATUS = Table(
    "status",
    "Progress updates (delays and progress) per task day. Omitted with `status=false`.",
    (
        VERSION_ID,
        column("status_id", "integer", "Progress update id."),
        TASK_ID,
        column("day", "date", "The working day of the task the update is about."),
        column("type", "string", "`delayed`, `on_schedule`, `improved` or `complete`."),
        column("reason_id", "integer", "Relates to delay_reasons.", nullable=True),
        column("reason", "string", "The project's delay reason label.", nullable=True),
        column("reason_category", "string", "Canonical category of the reason.", nullable=True),
        column("impact", "string", "For delays: `extend` or `move`.", nullable=True),
        column("amount_days", "integer", "Impact in working days (signed)."),
        column("comment", "string", "Comment.", nullable=True),
        column("recorded_by", "string", "Who recorded it.", nullable=True),
        column("recorded_at", "datetime", "When it was recorded (UTC)."),
    ),
    flag="status",
    entity_set="StatusUpdates",
    entity_type="StatusUpdate",
    row_id="status_id",
    builder="planbridge.publishing.snapshot:status_rows",
)


BLOCKERS = Table(
    "blockers",
    "Constraints on tasks. Omitted with `blockers=false`.",
    (
        VERSION_ID,
        column("blocker_id", "integer", "Blocker id, stable across versions."),
        TASK_ID,
        column("title", "string", "What must be cleared."),
        column("category_id", "integer", "Relates to blocker_categories.", nullable=True),
        column("category", "string", "The project's blocker category label.", nullable=True),
        column("canonical_category", "string", "Canonical category.", nullable=True),
        column("owner", "string", "Who must clear it.", nullable=True),
        column("raised_on", "date", "When it was raised."),
        column("due_on", "date", "Need-by date.", nullable=True),
        column("status", "string", "`open` or `resolved`."),
        column("resolved_on", "date", "When it was resolved.", nullable=True),
    ),
    flag="blockers",
    entity_set="Blockers",
    entity_type="Blocker",
    row_id="blocker_id",
    builder="planbridge.publishing.snapshot:blocker_rows",
)


SUBCONTRACTORS = Table(
    "subcontractors",
    "The project's subcontractors.",
    (
        VERSION_ID,
        column("subcontractor_id", "integer", "Subcontractor id."),
        column("name", "string", "Company name."),
        column("trade", "string", "Trade, e.g. `Electrical`.", nullable=True),
    ),
    entity_set="Subcontractors",
    entity_type="Subcontractor",
    row_id="subcontractor_id",
    builder="planbridge.publishing.snapshot:list_rows",
)


LOCATIONS = Table(
    "locations",
    "Levels, zones and areas.",
    (
        VERSION_ID,
        column("location_id", "integer", "Location id."),
        column("name", "string", "Location name."),
        column("kind", "string", "`level`, `zone` or `area`."),
        column("parent_location_id", "integer", "Enclosing location.", nullable=True),
    ),
    entity_set="Locations",
    entity_type="Location",
    row_id="location_id",
    builder="planbridge.publishing.snapshot:list_rows",
)


FOLDERS = Table(
    "folders",
    "The work breakdown structure (WBS).",
    (
        VERSION_ID,
        column("folder_id", "integer", "Folder id."),
        column("code", "string", "WBS code, e.g. `1.2.3`."),
        column("name", "string", "Folder name."),
        column("parent_folder_id", "integer", "Parent folder.", nullable=True),
    ),
    entity_set="Folders",
    entity_type="Folder",
    row_id="folder_id",
    builder="planbridge.publishing.snapshot:list_rows",
)


PACKAGES = Table(
    "packages",
    "Work packages.",
    (
        VERSION_ID,
        column("package_id", "integer", "Package id."),
        column("name", "string", "Package name."),
    ),
    entity_set="Packages",
    entity_type="Package",
    row_id="package_id",
    builder="planbridge.publishing.snapshot:list_rows",
)


DELAY_REASONS = Table(
    "delay_reasons",
    "The project's delay reasons with their canonical category.",
    (
        VERSION_ID,
        column("reason_id", "integer", "Reason id."),
        column("label", "string", "The project's own label."),
        column("category", "string", "Canonical category."),
    ),
    entity_set="DelayReasons",
    entity_type="DelayReason",
    row_id="reason_id",
    builder="planbridge.publishing.snapshot:list_rows",
)


BLOCKER_CATEGORIES = Table(
    "blocker_categories",
    "The project's blocker categories with their canonical category.",
    (
        VERSION_ID,
        column("category_id", "integer", "Category id."),
        column("label", "string", "The project's own label."),
        column("category", "string", "Canonical category."),
    ),
    entity_set="BlockerCategories",
    entity_type="BlockerCategory",
    row_id="category_id",
    builder="planbridge.publishing.snapshot:list_rows",
)


CALENDARS = Table(
    "calendars",
    "Working-day calendars.",
    (
        VERSION_ID,
        column("calendar_id", "integer", "Calendar id."),
        column("name", "string", "Calendar name."),
        column(
            "working_weekdays",
            "string",
            "Worked weekdays, ISO numbers (1 = Monday), e.g. `1,2,3,4,5`.",
        ),
        column("holidays", "string", "Non-working dates, ISO, separated by `; `.", nullable=True),
        column("is_default", "boolean", "The project's default calendar."),
    ),
    entity_set="Calendars",
    entity_type="Calendar",
    row_id="calendar_id",
    builder="planbridge.publishing.snapshot:list_rows",
)


#: Every plan table, in the order they appear in a feed body.
PLAN_TABLES: tuple[Table, ...] = (
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

#: How the plan tables relate (beyond ``version_id``, which relates every table to versions).
RELATIONS: tuple[Relation, ...] = (
    Relation("resources", "Task", "tasks", "Resources", "task_id", "task_id"),
    Relation("status", "Task", "tasks", "StatusUpdates", "task_id", "task_id"),
    Relation("blockers", "Task", "tasks", "Blockers", "task_id", "task_id"),
    Relation("links", "Predecessor", "tasks", "OutgoingLinks", "predecessor_task_id", "task_id"),
    Relation("links", "Successor", "tasks", "IncomingLinks", "successor_task_id", "task_id"),
    Relation(
        "tasks",
        "SubcontractorDetails",
        "subcontractors",
        "Tasks",
        "subcontractor_id",
        "subcontractor_id",
        nullable=True,
    ),
    Relation(
        "tasks",
        "LocationDetails",
        "locations",
        "Tasks",
        "location_id",
        "location_id",
        nullable=True,
    ),
    Relation("tasks", "FolderDetails", "folders", "Tasks", "folder_id", "folder_id", nullable=True),
    Relation(
        "tasks", "PackageDetails", "packages", "Tasks", "package_id", "package_id", nullable=True
    ),
    Relation(
        "status",
        "ReasonDetails",
        "delay_reasons",
        "StatusUpdates",
        "reason_id",
        "reason_id",
        nullable=True,
    ),
    Relation(
        "blockers",
        "CategoryDetails",
        "blocker_categories",
        "Blockers",
        "category_id",
        "category_id",
        nullable=True,
    ),
)
