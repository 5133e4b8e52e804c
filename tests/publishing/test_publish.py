"""Publishing: numbered, immutable versions, stored once, atomically."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, func, select

from planbridge.actors import Actor
from planbridge.audit.models import AuditEvent
from planbridge.errors import NotProjectMember
from planbridge.publishing.models import Version, VersionChunk
from planbridge.publishing.service import publish
from tests.builders import publish_at, small_plan
from tests.conftest import T0


def _count(db, model, **where):
    with db.transaction() as session:
        query = select(func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return session.scalar(query)


def test_versions_are_numbered_per_project(db, make_project):
    a, b = make_project(), make_project()
    small_plan(db, a.project)
    small_plan(db, b.project)
    assert publish_at(db, a.project, T0).number == 1
    assert publish_at(db, a.project, T0).number == 2
    assert publish_at(db, b.project, T0).number == 1


def test_publication_records_name_time_publisher_and_comment(db, make_project):
    feed = make_project()
    small_plan(db, feed.project)
    with db.transaction() as session:
        version = publish(
            session, feed.project, feed.admin, now=T0, chunk_rows=50, comment="Agreed on site"
        )
    assert version.name == "Week 47 2026"
    assert version.published_at == T0
    assert version.published_by == "Admin 1"
    assert version.comment == "Agreed on site"
    assert version.task_count == 3


def test_rows_are_serialized_once_into_chunks(db, make_project):
    feed = make_project()
    small_plan(db, feed.project)
    version = publish_at(db, feed.project, T0)  # chunk_rows=2
    with db.transaction() as session:
        chunks = session.execute(
            select(VersionChunk.table_name, VersionChunk.seq, VersionChunk.row_count).where(
                VersionChunk.version_id == version.id
            )
        ).all()
    tasks = sorted((seq, rows) for name, seq, rows in chunks if name == "tasks")
    assert tasks == [(0, 2), (1, 1)]


def test_a_publish_that_fails_midway_leaves_nothing(db, make_project):
    feed = make_project()
    small_plan(db, feed.project)
    statements = []

    def fail_on_status_chunk(conn, cursor, statement, parameters, context, executemany):
        if "INSERT INTO version_chunks" in statement:
            statements.append(statement)
            if len(statements) == 4:
                raise RuntimeError("disk full")

    event.listen(db.engine, "before_cursor_execute", fail_on_status_chunk)
    try:
        with pytest.raises(RuntimeError, match="disk full"):
            publish_at(db, feed.project, T0)
    finally:
        event.remove(db.engine, "before_cursor_execute", fail_on_status_chunk)
    assert len(statements) == 4, "the failure struck after some chunks were written"
    assert _count(db, Version) == 0
    assert _count(db, VersionChunk) == 0
    assert _count(db, AuditEvent, action="version.publish") == 0
    assert publish_at(db, feed.project, T0).number == 1


def test_a_process_killed_during_publish_leaves_nothing(db, make_project, database_url, tmp_path):
    """A real crash: a child process publishes a big plan and is killed before it commits."""
    import os
    import signal
    import subprocess
    import sys
    import time

    feed = make_project()
    code = feed.project.code
    script = tmp_path / "publish_slowly.py"
    script.write_text(
        "import datetime as dt, sys, time\n"
        "from planbridge.actors import OPERATOR\n"
        "from planbridge.db.session import Database\n"
        "from planbridge.projects.service import get_project\n"
        "from planbridge.publishing.service import publish\n"
        "db = Database.from_url(sys.argv[1])\n"
        "with db.transaction() as s:\n"
        "    p = get_project(s, sys.argv[2])\n"
        "    def progress(done, total):\n"
        "        print('chunk', done, flush=True)\n"
        "        time.sleep(30)\n"
        "    now = dt.datetime.now(dt.UTC)\n"
        "    publish(s, p, OPERATOR, now=now, chunk_rows=1, progress=progress)\n"
    )
    small_plan(db, feed.project)
    child = subprocess.Popen(
        [sys.executable, str(script), database_url, code],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().startswith("chunk 1")
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stdout.close()
    time.sleep(0.2)
    assert _count(db, Version) == 0
    assert _count(db, VersionChunk) == 0


def test_only_members_publish(db, make_project):
    mine, other = make_project(), make_project()
    with db.transaction() as session, pytest.raises(NotProjectMember):
        publish(session, mine.project, other.admin, now=T0, chunk_rows=10)


def test_published_version_survives_live_plan_changes_byte_for_byte(db, make_project):
    from planbridge.planning.models import Task

    feed = make_project()
    small_plan(db, feed.project)
    version = publish_at(db, feed.project, T0)

    def chunk_bytes():
        with db.transaction() as session:
            return session.execute(
                select(VersionChunk.body)
                .where(VersionChunk.version_id == version.id)
                .order_by(VersionChunk.id)
            ).all()

    before = chunk_bytes()
    with db.transaction() as session:
        for task in session.scalars(select(Task)):
            task.name = "renamed"
            task.start_date = dt.date(2027, 1, 4)
    assert chunk_bytes() == before
    assert b"renamed" not in b"".join(bytes(row[0]) for row in before)


def test_operator_publishes_as_operator(db, make_project):
    feed = make_project()
    small_plan(db, feed.project)
    version = publish_at(db, feed.project, T0)
    assert version.published_by == "operator"
    assert Actor("operator").is_operator


def test_list_columns_are_joined_per_task_even_when_tasks_share_them(db, make_project):
    from sqlalchemy import update

    from planbridge.planning.models import Task
    from planbridge.publishing.store import load_rows

    feed = make_project()
    small_plan(db, feed.project)
    with db.transaction() as session:
        ids = session.scalars(
            select(Task.id).where(Task.project_id == feed.project.id).order_by(Task.id)
        ).all()
        admin = feed.admin.user_id
        lists = [
            ([admin, 10**6], ["b", "a"]),  # an unknown user is left out
            ([admin, 10**6], ["b", "a"]),
            ([], []),
        ]
        for task_id, (assignees, tags) in zip(ids, lists, strict=True):
            session.execute(
                update(Task).where(Task.id == task_id).values(assignee_ids=assignees, tags=tags)
            )
    version = publish_at(db, feed.project, T0)
    with db.transaction() as session:
        tasks = load_rows(session, version.id, ["tasks"])["tasks"]
    assert [(t["assignees"], t["tags"]) for t in tasks] == [
        ("Admin 1", "b; a"),
        ("Admin 1", "b; a"),
        (None, None),
    ]
    assert sorted(t["type"] for t in tasks) == ["milestone", "task", "task"]
