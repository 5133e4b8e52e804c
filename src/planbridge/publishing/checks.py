"""Before a publication: who may publish, the version's name (unique per project), a refusal
of an empty plan, the warning for a second version on one local day, and the summary of what a
publication would freeze. Nothing here writes; ``publish`` calls :func:`check_publish` first.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planbridge import catalog as T
from planbridge.actors import Actor
from planbridge.errors import Conflict, InvalidInput
from planbridge.planning.enums import TaskStatus
from planbridge.planning.models import Task
from planbridge.projects.models import Project
from planbridge.projects.permissions import require_admin, require_member, require_writable
from planbridge.publishing.models import Version
from planbridge.publishing.store import load_rows

NAME_MAX = 200


class VersionNameTaken(Conflict):
    code = "version_name_taken"
    default_hint = "Choose another name: each version of a project has its own name."


class EmptyPlan(Conflict):
    code = "plan_empty"
    default_hint = "Import a schedule or add tasks to the live plan, then publish."


@dataclass(frozen=True, slots=True)
class PublishSummary:
    """What a publication now would freeze, compared with the latest version."""

    task_count: int
    latest: Version | None
    default_name: str
    added: int = 0
    removed: int = 0
    moved: int = 0
    """In both: the start or finish date changed."""
    completed: int = 0
    """In both: complete now, not complete in the latest version."""
    warnings: list[str] = field(default_factory=list)


def local_date(project: Project, moment: dt.datetime) -> dt.date:
    return moment.astimezone(zoneinfo.ZoneInfo(project.timezone)).date()


def default_name(session: Session, project: Project, now: dt.datetime) -> str:
    """``Week NN YYYY`` of the project's local date, with `` (2)``, `` (3)``... when taken."""
    year, week, _ = local_date(project, now).isocalendar()
    base = f"Week {week} {year}"
    taken = set(
        session.scalars(
            select(Version.name).where(
                Version.project_id == project.id, Version.name.startswith(base, autoescape=True)
            )
        )
    )
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base} ({n})"
    return name


def check_publish(
    session: Session, project: Project, actor: Actor, *, now: dt.datetime, name: str | None
) -> str:
    """Refuse a publication before anything is written; the version's name if it may go on."""
    require_member(session, project, actor)
    require_admin(session, project, actor, "publish")
    require_writable(project)
    if name is None:
        chosen = default_name(session, project, now)
    else:
        chosen = name.strip()
        if not 1 <= len(chosen) <= NAME_MAX:
            raise InvalidInput(f"A version name must have 1 to {NAME_MAX} characters.")
        number = session.scalar(
            select(Version.number).where(Version.project_id == project.id, Version.name == chosen)
        )
        if number is not None:
            raise VersionNameTaken(
                f"Version {number} of {project.code} is already named '{chosen}'.",
                details={"name": chosen, "number": number},
            )
    if task_count(session, project) == 0:
        raise EmptyPlan(
            f"The live plan of {project.code} has no tasks, so there is nothing to publish; "
            "nothing was written."
        )
    return chosen


def task_count(session: Session, project: Project) -> int:
    count = session.scalar(
        select(func.count()).select_from(Task).where(Task.project_id == project.id)
    )
    return count or 0


def latest_version(session: Session, project: Project) -> Version | None:
    return session.scalar(
        select(Version)
        .where(Version.project_id == project.id)
        .order_by(Version.number.desc())
        .limit(1)
    )


def publish_warnings(session: Session, project: Project, *, now: dt.datetime) -> list[str]:
    """Publishing now is allowed but these things should be said first."""
    latest = latest_version(session, project)
    if latest is None or local_date(project, latest.published_at) != local_date(project, now):
        return []
    return [
        f"Version {latest.number} '{latest.name}' was already published today "
        f"({local_date(project, now).isoformat()}, {project.timezone}). A second version on "
        "the same day has an empty reference window, so every PPC of the new version will be "
        "empty (null). Publish on another day to measure a week."
    ]


def summary(
    session: Session, project: Project, actor: Actor, *, now: dt.datetime
) -> PublishSummary:
    """The Publish page's summary: task count, changes since the latest version, warnings."""
    require_member(session, project, actor)
    require_admin(session, project, actor, "publish")
    live = {
        row.id: (str(row.start_date), str(row.end_date), row.status)
        for row in session.execute(
            select(Task.id, Task.start_date, Task.end_date, Task.status).where(
                Task.project_id == project.id
            )
        )
    }
    latest = latest_version(session, project)
    base = PublishSummary(
        task_count=len(live),
        latest=latest,
        default_name=default_name(session, project, now),
        warnings=publish_warnings(session, project, now=now),
    )
    if latest is None:
        return base
    frozen = {
        row["task_id"]: (row["start_date"], row["end_date"], row["status"])
        for row in load_rows(session, latest.id, [T.TASKS.name])[T.TASKS.name]
    }
    both = live.keys() & frozen.keys()
    return PublishSummary(
        task_count=base.task_count,
        latest=latest,
        default_name=base.default_name,
        warnings=base.warnings,
        added=len(live.keys() - frozen.keys()),
        removed=len(frozen.keys() - live.keys()),
        moved=sum(1 for i in both if live[i][:2] != frozen[i][:2]),
        completed=sum(
            1
            for i in both
            if live[i][2] == TaskStatus.complete and frozen[i][2] != TaskStatus.complete.value
        ),
    )
