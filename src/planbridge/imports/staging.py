"""Uploads kept between a dry run and **Apply import** in the web app.

The page's dry run stores the file under a random key (256 bits; only its SHA-256 is kept),
bound to the project and to the admin who uploaded it, for ``STAGED_MINUTES``. **Apply import**
sends the key back; the file is taken, applied through :func:`import_schedule` and deleted in
the same transaction, so an import that fails keeps it and a repeated apply finds nothing.
Expired uploads are deleted whenever a new one is staged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from planbridge.actors import Actor
from planbridge.errors import PlanBridgeError
from planbridge.imports.dates import DateFormat
from planbridge.planning.staged_models import StagedImport
from planbridge.projects.models import Project
from planbridge.projects.permissions import require_admin, require_member, require_writable

STAGED_MINUTES = 60
IMPORT_ACTION = "import a schedule from the web app"


class StagedImportGone(PlanBridgeError):
    code = "staged_import_gone"
    status = 410
    default_hint = "Upload the file again: a dry run's upload is kept for an hour, and once."


@dataclass(frozen=True, slots=True)
class Staged:
    data: bytes
    filename: str
    p6_project: str | None
    date_format: DateFormat = DateFormat.auto
    """How CSV/XLSX text dates are read, so the apply parses the file as its dry run did."""


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def stage(
    session: Session,
    project: Project,
    actor: Actor,
    upload: Staged,
    *,
    now: dt.datetime,
) -> str:
    """Keep ``upload`` for a later apply by the same admin; the key to send back."""
    require_member(session, project, actor)
    require_admin(session, project, actor, IMPORT_ACTION)
    require_writable(project)
    assert actor.user_id is not None, "only signed-in users stage uploads"
    session.execute(
        delete(StagedImport).where(
            StagedImport.created_at < now - dt.timedelta(minutes=STAGED_MINUTES)
        )
    )
    key = secrets.token_urlsafe(32)
    session.add(
        StagedImport(
            key_sha256=_digest(key),
            project_id=project.id,
            user_id=actor.user_id,
            filename=upload.filename,
            p6_project=upload.p6_project,
            date_format=upload.date_format.value,
            data=upload.data,
            created_at=now,
        )
    )
    session.flush()
    return key


def take(session: Session, project: Project, actor: Actor, key: str, *, now: dt.datetime) -> Staged:
    """The upload staged under ``key`` by this actor for this project, deleted from the store
    (the deletion is undone if the caller's transaction fails)."""
    require_member(session, project, actor)
    require_admin(session, project, actor, IMPORT_ACTION)
    staged = session.scalar(
        select(StagedImport).where(
            StagedImport.key_sha256 == _digest(key),
            StagedImport.project_id == project.id,
            StagedImport.user_id == actor.user_id,
            StagedImport.created_at >= now - dt.timedelta(minutes=STAGED_MINUTES),
        )
    )
    if staged is None:
        raise StagedImportGone(
            "The file of that dry run is no longer here: it was applied already, or it expired."
        )
    upload = Staged(
        bytes(staged.data),
        staged.filename,
        staged.p6_project,
        # A row staged before the column existed was read with the default.
        DateFormat(staged.date_format or DateFormat.auto),
    )
    session.delete(staged)
    session.flush()
    return upload
