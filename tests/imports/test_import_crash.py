"""A real crash during an import: a child process imports a large CSV in one transaction and
is killed (SIGKILL) once its first batch of tasks is written; the database then holds none of
it, and the project takes the same import afterwards."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from planbridge.planning import bulk
from planbridge.planning.models import Task, TaskLink, TaskResource
from planbridge.projects.models import Calendar

from .apply_support import count, csv_file, import_bytes, snapshot

MONDAY = dt.date(2025, 3, 3)

CHILD = """\
import sys, time
from pathlib import Path
from sqlalchemy import event
from planbridge.actors import OPERATOR
from planbridge.db.session import Database
from planbridge.imports import parse_bytes
from planbridge.imports import service as imports
from planbridge.projects.service import get_project

db = Database.from_url(sys.argv[1])
data = Path(sys.argv[3]).read_bytes()

@event.listens_for(db.engine, "after_cursor_execute")
def written(conn, cursor, statement, parameters, context, executemany):
    # The ids of a written batch of tasks are read back right after the batch: wait there.
    if "FROM tasks" in statement and "external_id IN" in statement:
        print("batch written", flush=True)
        time.sleep(60)

with db.transaction() as session:
    imports.import_schedule(
        session,
        get_project(session, sys.argv[2]),
        OPERATOR,
        lambda calendars: parse_bytes(data, "big.csv", calendars=calendars, max_rows=10**6),
        source="big.csv",
    )
print("committed", flush=True)
"""


def _plan(n: int, prefix: str) -> bytes:
    return csv_file(
        *(
            {
                "external_id": f"{prefix}{i:05d}",
                "name": f"Task {i}",
                "start": str(MONDAY + dt.timedelta(days=7 * (i % 20))),
                "duration_days": "2",
                "predecessors": f"{prefix}{i - 1:05d}" if i else "",
                "resources": "labour:Crew:2:person" if i % 3 == 0 else "",
                "subcontractor": f"Sub {i % 7}",
            }
            for i in range(n)
        )
    )


def test_a_process_killed_during_an_import_leaves_nothing(
    db, make_project, database_url, tmp_path: Path
):
    project = make_project().project
    import_bytes(db, project, _plan(30, "OLD"), "old.csv")
    counts = {m.__name__: count(db, m) for m in (Task, TaskLink, TaskResource, Calendar)}
    before = snapshot(db)
    big = tmp_path / "big.csv"
    big.write_bytes(_plan(bulk.BATCH_ROWS * 2, "NEW"))
    script = tmp_path / "import_slowly.py"
    script.write_text(CHILD)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen(
        [sys.executable, str(script), database_url, project.code, str(big)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "batch written"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        if child.stdout is not None:
            child.stdout.close()
    time.sleep(0.2)
    assert {m.__name__: count(db, m) for m in (Task, TaskLink, TaskResource, Calendar)} == counts
    assert snapshot(db) == before
    # The project is still usable: the same import goes through afterwards.
    report = import_bytes(db, project, big.read_bytes(), "big.csv")
    assert len(report.tasks.added) == bulk.BATCH_ROWS * 2
    assert count(db, Task) == counts["Task"] + bulk.BATCH_ROWS * 2
