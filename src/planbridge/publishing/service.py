"""Publishing a week: freeze the live plan into an immutable, numbered version.

``publish`` is one flow in one transaction: the caller's unit of work commits it or, if anything
fails (or the process dies) before that, nothing of it remains. Its checks (role, a unique name,
no empty plan) run first, before anything is written: see :mod:`planbridge.publishing.checks`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planbridge import audit
from planbridge import catalog as T
from planbridge.actors import Actor
from planbridge.projects.models import Project, User
from planbridge.publishing.checks import check_publish
from planbridge.publishing.metrics import metrics_for
from planbridge.publishing.models import Version
from planbridge.publishing.snapshot import Row, plan_rows
from planbridge.publishing.store import Progress, store_rows


def publish(
    session: Session,
    project: Project,
    actor: Actor,
    *,
    now: dt.datetime,
    chunk_rows: int,
    name: str | None = None,
    comment: str | None = None,
    progress: Progress | None = None,
) -> Version:
    name = check_publish(session, project, actor, now=now, name=name)
    session.execute(select(Project.id).where(Project.id == project.id).with_for_update())
    number = (
        session.scalar(select(func.max(Version.number)).where(Version.project_id == project.id))
        or 0
    ) + 1
    publisher = session.get(User, actor.user_id) if actor.user_id is not None else None
    version = Version(
        project_id=project.id,
        number=number,
        name=name,
        comment=comment,
        published_at=now,
        published_by_id=actor.user_id,
        published_by=publisher.name if publisher else actor.label,
        task_count=0,
    )
    session.add(version)
    session.flush()
    rows = plan_rows(session, project, version.id)
    version.task_count = len(rows[T.TASKS.name])
    rows[T.VERSIONS.name] = [version_row(version)]
    rows.update(metrics_for(session, project, version, rows))
    store_rows(session, version.id, rows, chunk_rows=chunk_rows, progress=progress)
    audit.record(
        session,
        actor,
        "version.publish",
        project_id=project.id,
        subject=f"version {number}",
        tasks=version.task_count,
    )
    session.flush()
    return version


def version_row(version: Version) -> Row:
    return {
        "version_id": version.id,
        "number": version.number,
        "name": version.name,
        "comment": version.comment,
        "published_at": version.published_at,
        "published_by": version.published_by,
        "task_count": version.task_count,
    }


def list_versions(session: Session, project: Project) -> list[Version]:
    return list(
        session.scalars(
            select(Version).where(Version.project_id == project.id).order_by(Version.number)
        )
    )
