"""Import memory: peak RSS of a CSV import of N rows, measured in a fresh subprocess each.

    .venv/bin/python bench/import_memory_bench.py [--rows 600000 200000 100000 20000]

For each row count the parent writes a template CSV (4 columns, about 34 bytes a row: 600,000
rows are 20.4 MB, the size of the file in issue 13) and starts a child that migrates a temporary
SQLite database, creates a project, then parses and applies the file in one transaction, as
``POST .../imports`` does, with the row limit of the default settings
(``PLANBRIDGE_IMPORT_MAX_ROWS``). The child prints its RSS before, its peak (``getrusage``
high-water mark), its RSS after the import and a ``gc.collect()``, and after ``malloc_trim``
(glibc keeps freed heap pages until asked). Goal (issue 13): peak growth at most 10x the file,
released afterwards. ``PLANBRIDGE_IMPORT_MAX_ROWS=600000`` lets the 600,000-row file import.
"""

from __future__ import annotations

import argparse
import ctypes
import datetime as dt
import gc
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

MIB = 1024 * 1024
MONDAY = dt.date(2026, 11, 23)


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("external_id,name,start,duration_days\r\n")
        for n in range(rows):
            start = MONDAY + dt.timedelta(days=7 * (n % 40))
            out.write(f"A{n:06d},Task {n:06d},{start},2\r\n")


def child(csv_path: str) -> None:
    from planbridge.actors import OPERATOR
    from planbridge.db.session import Database
    from planbridge.errors import PlanBridgeError
    from planbridge.imports import parse_bytes
    from planbridge.imports.apply import apply_schedule, project_calendars
    from planbridge.projects import service as projects
    from planbridge.schema import migrate
    from planbridge.settings import load_settings

    process = psutil.Process()
    with tempfile.TemporaryDirectory() as workdir:
        db = Database.from_url(f"sqlite:///{workdir}/bench.db")
        migrate.upgrade(db.engine)
        with db.transaction() as session:
            project_id = projects.create_project(
                session, name="Bench", code="BENCH", organisation="Bench"
            ).id
        limit = load_settings(_env_file=None).import_max_rows
        data = Path(csv_path).read_bytes()
        gc.collect()
        before = process.memory_info().rss
        started = time.perf_counter()
        outcome = "imported"
        try:
            with db.transaction() as session:
                from planbridge.projects.models import Project

                project = session.get(Project, project_id)
                assert project is not None
                parsed = parse_bytes(
                    data, "plan.csv", calendars=project_calendars(session, project), max_rows=limit
                )
                apply_schedule(session, project, parsed, actor=OPERATOR, source="plan.csv")
                del parsed
        except PlanBridgeError as exc:
            outcome = f"refused: {exc.code} ({exc.details.get('reason', '')})"
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
        gc.collect()
        after = process.memory_info().rss
        db.dispose()
        trimmed = _trimmed(process)
    print(
        json.dumps(
            {
                "bytes": len(data),
                "limit": limit,
                "before": before,
                "peak": peak,
                "after": after,
                "trimmed": trimmed,
                "seconds": seconds,
                "outcome": outcome,
            }
        )
    )


def _trimmed(process: psutil.Process) -> int | None:
    """RSS after asking glibc to give freed heap pages back (``malloc_trim``): what "held
    after" keeps is then the allocator's, not live objects. ``None`` off glibc."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        return None
    return int(process.memory_info().rss)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[600_000, 200_000, 100_000, 20_000])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    print(
        f"{'rows':>8} {'file MB':>8} {'peak growth MiB':>16} {'x file':>7} "
        f"{'held after MiB':>15} {'trimmed MiB':>12} {'s':>6}  outcome"
    )
    with tempfile.TemporaryDirectory() as workdir:
        for rows in args.rows:
            path = Path(workdir) / f"plan-{rows}.csv"
            write_csv(path, rows)
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(path)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            r = json.loads(out.strip().splitlines()[-1])
            growth = r["peak"] - r["before"]
            trimmed = "-" if r["trimmed"] is None else f"{(r['trimmed'] - r['before']) / MIB:.0f}"
            print(
                f"{rows:>8,} {r['bytes'] / 1e6:>8.1f} {growth / MIB:>16.0f} "
                f"{growth / r['bytes']:>7.1f} {(r['after'] - r['before']) / MIB:>15.0f} "
                f"{trimmed:>12} {r['seconds']:>6.1f}  {r['outcome']} (limit {r['limit']:,})",
                flush=True,
            )


if __name__ == "__main__":
    main()
