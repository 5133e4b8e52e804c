"""Helpers of the import-apply tests: whole-database snapshots, CSV files, one-call imports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from planbridge.actors import OPERATOR, Actor
from planbridge.db.session import Database
from planbridge.imports import COLUMNS, parse_bytes
from planbridge.imports.apply import apply_schedule, project_calendars
from planbridge.imports.report import ImportReport
from planbridge.projects.models import Project
from planbridge.schema.models import Base

HEADER = [c.name for c in COLUMNS]


def snapshot(db: Database, *, skip: tuple[str, ...] = ()) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order: equal snapshots mean no change at all."""
    with db.engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
            if table.name not in skip
        }


def count(db: Database, model: type[Any], *where: Any) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def csv_file(*rows: dict[str, str]) -> bytes:
    lines = [",".join(HEADER)]
    lines += [",".join(_quote(row.get(name, "")) for name in HEADER) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _quote(value: str) -> str:
    return f'"{value}"' if any(c in value for c in ',";\n') else value


def import_bytes(
    db: Database,
    project: Project,
    data: bytes,
    filename: str,
    *,
    actor: Actor = OPERATOR,
    prune: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Parse (with the project's calendars) and apply in one transaction, as the CLI does."""
    with db.transaction() as session:
        target = session.get(Project, project.id)
        assert target is not None
        parsed = parse_bytes(data, filename, calendars=project_calendars(session, target))
        return apply_schedule(
            session, target, parsed, actor=actor, prune=prune, dry_run=dry_run, source=filename
        )


def import_path(db: Database, project: Project, path: Path, **options: Any) -> ImportReport:
    return import_bytes(db, project, path.read_bytes(), path.name, **options)
