"""Metrics stored with versions: computed at publication, rebuilt on demand.

Metric rows are stored as chunks of the version they describe (C), like its plan tables, so the
feed serves them without computing anything.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from planbridge import audit
from planbridge.actors import Actor
from planbridge.catalog import METRIC_TABLES
from planbridge.metrics import MetricRows, compute_metrics
from planbridge.projects.models import Project
from planbridge.projects.permissions import require_admin
from planbridge.publishing.chunks import dumps
from planbridge.publishing.models import Version, VersionChunk
from planbridge.publishing.snapshot import Row
from planbridge.publishing.store import load_rows, store_rows

#: The plan tables the formulas read.
INPUT_TABLES = ("versions", "tasks", "status", "blockers", "calendars", "delay_reasons")
METRIC_NAMES = tuple(t.name for t in METRIC_TABLES)


def previous_version(session: Session, version: Version) -> Version | None:
    return session.scalar(
        select(Version)
        .where(Version.project_id == version.project_id, Version.number < version.number)
        .order_by(Version.number.desc())
        .limit(1)
    )


def metrics_for(
    session: Session, project: Project, version: Version, rows: dict[str, list[Row]]
) -> MetricRows:
    """Metric rows of ``version`` (whose plan rows are ``rows``) against its predecessor."""
    previous = previous_version(session, version)
    previous_rows = load_rows(session, previous.id, INPUT_TABLES) if previous else None
    return compute_metrics(rows, previous_rows, project.timezone)


@dataclass(frozen=True, slots=True)
class RebuildReport:
    versions: int
    changed: int


def rebuild(session: Session, project: Project, actor: Actor, *, chunk_rows: int) -> RebuildReport:
    """Recompute every version's metrics (project admins). Idempotent: versions whose metric
    rows come out the same are not touched, so a second rebuild changes nothing (not even
    ETags). Audited."""
    require_admin(session, project, actor, "rebuild metrics")
    versions = session.scalars(
        select(Version).where(Version.project_id == project.id).order_by(Version.number)
    ).all()
    changed = 0
    for version in versions:
        fresh = metrics_for(session, project, version, load_rows(session, version.id, INPUT_TABLES))
        stored = load_rows(session, version.id, METRIC_NAMES)
        if all(stored[name] == orjson.loads(dumps(fresh[name])) for name in METRIC_NAMES):
            continue
        session.execute(
            delete(VersionChunk).where(
                VersionChunk.version_id == version.id, VersionChunk.table_name.in_(METRIC_NAMES)
            )
        )
        store_rows(session, version.id, dict(fresh), chunk_rows=chunk_rows)
        changed += 1
    session.flush()
    audit.record(
        session,
        actor,
        "metrics.rebuild",
        project_id=project.id,
        subject=project.code,
        versions=len(versions),
        changed=changed,
    )
    return RebuildReport(versions=len(versions), changed=changed)
