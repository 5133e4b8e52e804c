"""Backups of the whole database, and restoring them.

SQLite uses its online backup API (a consistent copy while the service keeps serving);
PostgreSQL uses the server's own tools, ``pg_dump -Fc`` and ``pg_restore``. A backup is written
beside its target and renamed into place, so a failed backup never leaves a half file. A
restore refuses a database that already has a schema unless ``force`` is given.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import URL, make_url

from planbridge.db import location
from planbridge.db.engine import make_engine
from planbridge.errors import BackupFailed, DatabaseNotEmpty

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
PG_TOOLS_HINT = (
    "install the PostgreSQL client tools of the server's major version "
    "(Debian: apt-get install postgresql-client) or put them on the PATH"
)


def backup(url: str, target: Path, *, force: bool = False) -> int:
    """Write a backup of the database at ``url`` to ``target``; return its size in bytes."""
    if target.exists() and not force:
        raise BackupFailed(f"{target} already exists", hint="add --force to overwrite it")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = location.sqlite_path(url)
    try:
        if source is not None:
            _sqlite_backup(source, partial)
        else:
            _pg_dump(_libpq(url), partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target.stat().st_size


def restore(url: str, source: Path, *, force: bool = False) -> None:
    """Replace the database at ``url`` with the backup ``source``."""
    kind = backup_kind(source)
    target = location.sqlite_path(url)
    engine_kind = "SQLite" if target is not None else "PostgreSQL"
    if kind != engine_kind:
        raise BackupFailed(
            f"{source} is a {kind} backup; the database is {engine_kind}",
            hint="restore it into a database of the same kind "
            "(set PLANBRIDGE_DATABASE_URL); moving between SQLite and PostgreSQL is not supported",
        )
    engine = make_engine(url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables and not force:
        raise DatabaseNotEmpty(
            f"the database {location.describe(url)} already has {len(tables)} tables; "
            "restoring would replace them"
        )
    if target is not None:
        _sqlite_restore(source, target)
    else:
        _pg_restore(_libpq(url), source, clean=bool(tables))


def backup_kind(path: Path) -> str:
    """``SQLite`` or ``PostgreSQL``, from the file's first bytes."""
    try:
        with path.open("rb") as stream:
            head = stream.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise BackupFailed(f"cannot read {path}: {exc.strerror}") from exc
    if head.startswith(SQLITE_MAGIC):
        return "SQLite"
    if head.startswith(PG_DUMP_MAGIC):
        return "PostgreSQL"
    raise BackupFailed(
        f"{path} is not a PlanBridge backup",
        hint="give a file written by planbridge backup (a SQLite file or a pg_dump -Fc archive)",
    )


# ---------------------------------------------------------------- SQLite
def _sqlite_backup(source: Path, target: Path) -> None:
    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
        closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it


def _sqlite_restore(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src:
        names = {row[0] for row in src.execute("SELECT name FROM sqlite_master")}
        if "alembic_version" not in names:
            raise BackupFailed(
                f"{source} is a SQLite file but not a PlanBridge database",
                hint="give a file written by planbridge backup",
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")


# ---------------------------------------------------------------- PostgreSQL
def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password (it goes in PGPASSWORD, never in the process list)."""
    parsed: URL = make_url(url)
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupFailed(f"{name} is not installed", hint=PG_TOOLS_HINT)
    return found


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        detail = lines[0] if lines else f"exit status {done.returncode}"
        raise BackupFailed(f"{Path(args[0]).name} failed: {detail}", hint=PG_TOOLS_HINT)


def _pg_dump(libpq: tuple[str, dict[str, str]], target: Path) -> None:
    url, env = libpq
    _run([_tool("pg_dump"), "--format=custom", f"--file={target}", f"--dbname={url}"], env)


def _pg_restore(libpq: tuple[str, dict[str, str]], source: Path, *, clean: bool) -> None:
    url, env = libpq
    args = [
        _tool("pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        f"--dbname={url}",
    ]
    if clean:
        args += ["--clean", "--if-exists"]
    _run([*args, str(source)], env)
