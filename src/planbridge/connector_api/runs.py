"""Running an export action: one immutable file per covered published version.

A run reads the versions' stored chunks (immutable, published rows), so it never locks or slows
the live plan. It spans three steps: plan in one short transaction, write the files outside any
transaction (to a temporary name, renamed when complete), record their manifests and the audit
row in a last transaction. A file that would exceed the download cap is deleted while being
written and the run fails with the cap's error; nothing is recorded then.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from planbridge.actors import Actor
from planbridge.db.session import Database
from planbridge.exports import service
from planbridge.exports.definition import Definition
from planbridge.exports.models import ExportAction, ExportFile
from planbridge.exports.writer import file_pieces, kept
from planbridge.feeds.files.rows import Row, StoredChunk, extract, read_rows
from planbridge.projects.models import Project
from planbridge.projects.service import get_project
from planbridge.publishing.models import Version
from planbridge.settings import Settings

PREVIEW_ROWS = 1000


@dataclass(frozen=True, slots=True)
class Manifest:
    version_number: int
    version_id: int
    rows: int
    bytes: int
    sha256: str
    path: Path
    written_now: bool

    def as_json(self) -> dict[str, object]:
        return {
            "version": self.version_number,
            "rows": self.rows,
            "bytes": self.bytes,
            "sha256": self.sha256,
            "written_now": self.written_now,
        }


@dataclass(frozen=True, slots=True)
class RunResult:
    project: Project
    action: ExportAction
    definition: Definition
    files: list[Manifest]
    """Newest version first."""


def run(
    db: Database,
    settings: Settings,
    actor: Actor,
    *,
    project_ref: str,
    action_ref: str,
    now: dt.datetime,
) -> RunResult:
    with db.transaction() as session:
        project = get_project(session, project_ref)
        action = service.get_action(session, project, actor, action_ref)
        plan = service.plan_run(
            session, project, actor, action, now=now, history_days=settings.history_days
        )
        pending = _pending(session, plan)
    root = Path(settings.exports_dir)
    fresh: list[ExportFile] = []
    try:
        for version, chunks in pending:
            fresh.append(
                _write(db, settings, root, project, plan.definition, action, version, chunks, now)
            )
        with db.transaction() as session:
            service.record_run(session, project, actor, action, fresh)
    except IntegrityError:
        # Another run recorded the same versions first: keep its files, drop ours.
        for file in fresh:
            (root / file.path).unlink(missing_ok=True)
        with db.transaction() as session:
            plan = service.plan_run(
                session, project, actor, action, now=now, history_days=settings.history_days
            )
        fresh = []
    except BaseException:
        for file in fresh:
            (root / file.path).unlink(missing_ok=True)
        raise
    written = {f.version_id: f for f in fresh}
    files = []
    for version in plan.versions:
        file = written.get(version.id) or plan.written[version.id]
        files.append(_manifest(root, version, file, written_now=version.id in written))
    return RunResult(project, action, plan.definition, files)


def _write(
    db: Database,
    settings: Settings,
    root: Path,
    project: Project,
    definition: Definition,
    action: ExportAction,
    version: Version,
    chunks: tuple[StoredChunk, ...],
    now: dt.datetime,
) -> ExportFile:
    cap = service.cap_bytes(settings.export_max_mb)
    folder = root / project.api_id / str(action.id)
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    counter = _Counter()
    size = 0
    handle, temp_name = tempfile.mkstemp(dir=folder, prefix=".run-", suffix=".part")
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            batches = counter.count(kept(definition, read_rows(db.engine, chunks)))
            for piece in file_pieces(
                definition, batches, neutralise=settings.csv_neutralise_formulas
            ):
                size += len(piece)
                if size > cap:
                    raise service.too_large(settings.export_max_mb)
                digest.update(piece)
                out.write(piece)
        sha = digest.hexdigest()
        final = folder / f"v{version.number}-{sha[:16]}.{definition.extension}"
        temp.replace(final)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return ExportFile(
        action_id=action.id,
        version_id=version.id,
        path=final.relative_to(root).as_posix(),
        row_count=counter.rows,
        byte_count=size,
        sha256=sha,
        created_at=now,
    )


def _pending(
    session: Session, plan: service.RunPlan
) -> list[tuple[Version, tuple[StoredChunk, ...]]]:
    """The covered versions without a file yet, with the stored chunks each file reads."""
    name = plan.definition.table.name
    return [
        (version, extract(session, [version.id], [name]).chunks[name])
        for version in plan.versions
        if version.id not in plan.written
    ]


class _Counter:
    def __init__(self) -> None:
        self.rows = 0

    def count(self, batches: Iterator[list[Row]]) -> Iterator[list[Row]]:
        for rows in batches:
            self.rows += len(rows)
            yield rows


def _manifest(root: Path, version: Version, file: ExportFile, *, written_now: bool) -> Manifest:
    return Manifest(
        version_number=version.number,
        version_id=version.id,
        rows=file.row_count,
        bytes=file.byte_count,
        sha256=file.sha256,
        path=root / file.path,
        written_now=written_now,
    )


def pick(result: RunResult, version: int | None) -> Manifest:
    """The file of one version number (default: the newest the action covers)."""
    if version is None:
        return result.files[0]
    for manifest in result.files:
        if manifest.version_number == version:
            return manifest
    covered = ", ".join(str(m.version_number) for m in result.files)
    raise service.ExportActionNotFound(
        f"Export action '{result.action.name}' has no file for version {version}.",
        hint=f"It covers the latest {result.action.versions} version(s): {covered}.",
    )


def preview(manifest: Manifest, definition: Definition) -> dict[str, object]:
    """The header and the first 1,000 rows of a written file, as text fields."""
    types = {c.name: c.type for c in definition.table.columns}
    with manifest.path.open("r", encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=definition.delimiter)
        columns = next(reader)
        rows = [row for _, row in zip(range(PREVIEW_ROWS), reader, strict=False)]
    return {
        "version": manifest.version_number,
        "columns": columns,
        "types": [types.get(name, "string") for name in columns],
        "rows": rows,
        "total_rows": manifest.rows,
    }
