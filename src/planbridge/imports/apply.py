"""Applying a parsed schedule to a project's live plan, in the caller's transaction.

``apply_schedule`` checks everything first (a schedule with any problem changes nothing and
raises ``ImportRejected`` listing them all), then writes lists, tasks, links and resources with
a few bulk statements. Tasks are matched by ``external_id``; tasks that left the schedule are
reported and deleted only with ``prune``. ``dry_run`` returns the same report and writes
nothing. It flushes, never commits: the caller's unit of work makes the import one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from planbridge import audit
from planbridge.actors import Actor
from planbridge.imports.checks import check_schedule
from planbridge.imports.lists import Resolver, key, project_calendars
from planbridge.imports.relations import sync_links, sync_resources
from planbridge.imports.report import ImportRejected, ImportReport, ListChanges, TaskChanges
from planbridge.imports.schedule import (
    ParsedFolder,
    ParsedSchedule,
    ParsedTask,
    Problem,
    SourceFormat,
)
from planbridge.planning import bulk
from planbridge.planning.bulk import ALL_FIELDS, TaskField, TaskInput
from planbridge.planning.enums import TaskType
from planbridge.planning.models import (
    Folder,
    Location,
    Package,
    Subcontractor,
    TaskLink,
    TaskResource,
)
from planbridge.projects.models import Calendar, Project
from planbridge.projects.permissions import require_admin, require_member

__all__ = ["FIELDS_BY_FORMAT", "apply_schedule", "project_calendars"]

_SCHEDULE_FIELDS: frozenset[TaskField] = frozenset(
    {"name", "type", "start_date", "end_date", "duration_days", "calendar_id", "folder_id"}
)
FIELDS_BY_FORMAT: dict[SourceFormat, frozenset[TaskField]] = {
    "xer": _SCHEDULE_FIELDS
    | {"status", "subcontractor_id", "location_id", "package_id", "tags", "notes"},
    "mspdi": _SCHEDULE_FIELDS | {"status", "notes"},
    "csv": ALL_FIELDS,
    "xlsx": ALL_FIELDS,
}
"""The task fields each format carries, so a re-import overwrites them (and only them)."""


def apply_schedule(
    session: Session,
    project: Project,
    parsed: ParsedSchedule,
    *,
    actor: Actor,
    prune: bool = False,
    dry_run: bool = False,
    source: str | None = None,
) -> ImportReport:
    """Bring ``parsed`` into ``project``'s live plan and report what changed.

    Any member may import; ``prune`` (deleting tasks) needs a project admin. ``source`` names
    the file in the report and the audit log. Raises ``ImportRejected`` when the schedule has
    problems; nothing is written then.
    """
    require_member(session, project, actor)
    if prune:
        require_admin(session, project, actor, "prune tasks")
    session.flush()
    report = ImportReport(
        project=project.code,
        source_format=parsed.source_format,
        source=source or parsed.name,
        dry_run=dry_run,
        prune=prune,
        external_links=len(parsed.external_links),
        warnings=list(parsed.warnings),
    )
    for task in parsed.tasks:
        report.milestones += task.type is TaskType.milestone
        report.resources += len(task.resources)
    report.problems = list(parsed.problems) + check_schedule(session, project, parsed)
    if report.problems:
        raise ImportRejected(report)
    refs = _resolve(Resolver(session, project, dry_run), parsed, report)
    result = bulk.upsert_tasks(
        session,
        project,
        (refs.task_input(task, report.warnings) for task in parsed.tasks),
        fields=FIELDS_BY_FORMAT[parsed.source_format],
        prune=prune,
        dry_run=dry_run,
        checked=True,  # check_schedule ran bulk.check_input on every task
        keep_activity_ids=False,
    )
    report.links = sync_links(session, project, parsed, result.task_ids, dry_run=dry_run)
    replaced = sync_resources(session, project, parsed, result, dry_run=dry_run)
    report.resources_replaced_on = replaced
    changed = set(result.updated) | set(replaced)
    report.tasks = TaskChanges(
        added=result.added,
        updated=[t.external_id for t in parsed.tasks if t.external_id in changed],
        unchanged=[ext for ext in result.unchanged if ext not in changed],
        missing=result.missing,
        pruned=result.missing if prune else [],
    )
    if not dry_run:
        fields_changed = set(result.updated)
        bulk.touch_tasks(session, [result.task_ids[e] for e in replaced if e not in fields_changed])
        bulk.expire_cached(
            session, Calendar, Folder, Subcontractor, Location, Package, TaskLink, TaskResource
        )
        _audit(session, project, actor, report)
    return report


def _audit(session: Session, project: Project, actor: Actor, report: ImportReport) -> None:
    audit.record(
        session,
        actor,
        "import.apply",
        project_id=project.id,
        subject=(report.source or report.source_format)[:200],
        source_format=report.source_format,
        prune=report.prune,
        **report.counts(),
    )


# -- names to ids -----------------------------------------------------------------------------


@dataclass
class _Refs:
    """Ids of the project's lists by name key, for turning parsed tasks into ``TaskInput``."""

    project: Project
    source_format: SourceFormat
    calendars: dict[str, int]
    folders: dict[str, int]
    subcontractors: dict[str, int]
    locations: dict[str, int]
    packages: dict[str, int]
    members: dict[str, int]

    def task_input(self, task: ParsedTask, warnings: list[Problem]) -> TaskInput:
        target = task.milestone_target_date
        if (
            target is None
            and task.type is TaskType.milestone
            and self.source_format
            in (
                "xer",
                "mspdi",
            )
        ):
            target = task.start  # only used for new tasks: these formats do not own it
        return TaskInput(
            external_id=task.external_id,
            name=task.name.strip(),
            start_date=task.start,
            end_date=task.end,
            duration_days=task.duration_days,
            type=task.type,
            calendar_id=(
                self.calendars[key(task.calendar)]
                if task.calendar
                else self.project.default_calendar_id
            ),
            parent_external_id=task.parent_external_id,
            shift=task.shift,
            owner_id=self._person(task, "owner", task.owner, warnings),
            assignee_ids=tuple(
                dict.fromkeys(
                    person_id
                    for name in task.assignees
                    if (person_id := self._person(task, "assignees", name, warnings)) is not None
                )
            ),
            subcontractor_id=_lookup(self.subcontractors, task.subcontractor),
            location_id=_lookup(self.locations, task.location),
            work_area=task.work_area or None,
            folder_id=self.folders[task.folder_code] if task.folder_code else None,
            package_id=_lookup(self.packages, task.package),
            status=task.status,
            committed=task.committed,
            milestone_target_date=target,
            tags=tuple(task.tags),
            notes=task.notes or None,
        )

    def _person(
        self, task: ParsedTask, field: str, name: str | None, warnings: list[Problem]
    ) -> int | None:
        if not name:
            return None
        person = self.members.get(key(name))
        if person is None:
            warnings.append(
                Problem(
                    task.source,
                    f"{name!r} is not a member of project {self.project.code}; left out",
                    field=field,
                )
            )
        return person


def _lookup(ids: dict[str, int], name: str | None) -> int | None:
    return ids[key(name)] if name and name.strip() else None


def _resolve(resolver: Resolver, parsed: ParsedSchedule, report: ImportReport) -> _Refs:
    created = ListChanges()
    calendars, created.calendars, report.updated_calendars = resolver.calendars(parsed.calendars)
    folders = list(parsed.folders)
    listed = {f.code for f in folders}
    # The distinct names of the tasks, in file order, read in one pass over the tasks.
    codes: dict[str, None] = {}
    subcontractors: dict[str, None] = {}
    locations: dict[str, None] = {}
    packages: dict[str, None] = {}
    for task in parsed.tasks:
        if task.folder_code:
            codes[task.folder_code] = None
        for names, value in (
            (subcontractors, task.subcontractor),
            (locations, task.location),
            (packages, task.package),
        ):
            if value and value.strip():
                names[value] = None
    folders += [ParsedFolder(code, code) for code in codes if code not in listed]
    folder_ids, created.folders, report.updated_folders = resolver.folders(
        folders, update_existing=parsed.source_format in ("xer", "mspdi")
    )
    subcontractor_ids, created.subcontractors = resolver.named(Subcontractor, subcontractors)
    location_ids, created.locations = resolver.named(Location, locations)
    package_ids, created.packages = resolver.named(Package, packages)
    report.created = created
    return _Refs(
        project=resolver.project,
        source_format=parsed.source_format,
        calendars=calendars,
        folders=folder_ids,
        subcontractors=subcontractor_ids,
        locations=location_ids,
        packages=package_ids,
        members=resolver.members(),
    )
