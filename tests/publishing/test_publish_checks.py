"""Checks before a publication: unique names per project, no empty plan, nothing written when
refused; the same-day warning; the Publish page's summary."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from planbridge.actors import OPERATOR
from planbridge.audit.models import AuditEvent
from planbridge.planning.enums import TaskStatus
from planbridge.planning.models import Task
from planbridge.publishing import checks
from planbridge.publishing.checks import EmptyPlan, VersionNameTaken
from planbridge.publishing.models import Version, VersionChunk
from tests.builders import publish_at, small_plan
from tests.conftest import T0


def _counts(db) -> tuple[int, int, int]:
    with db.transaction() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(m))
            for m in (Version, VersionChunk, AuditEvent)
        )


def test_a_name_used_by_another_version_of_the_project_is_refused(db, make_project):
    feed = make_project()
    small_plan(db, feed.project)
    publish_at(db, feed.project, T0, name="Week 47 2026")
    before = _counts(db)
    with pytest.raises(VersionNameTaken) as refused:
        publish_at(db, feed.project, T0 + dt.timedelta(days=7), name=" Week 47 2026 ")
    assert refused.value.status == 409
    assert refused.value.message == "Version 1 of P001 is already named 'Week 47 2026'."
    assert refused.value.details == {"name": "Week 47 2026", "number": 1}
    assert _counts(db) == before


def test_the_same_name_in_another_project_is_fine(db, make_project):
    a, b = make_project(), make_project()
    small_plan(db, a.project)
    small_plan(db, b.project)
    publish_at(db, a.project, T0, name="Baseline")
    assert publish_at(db, b.project, T0, name="Baseline").name == "Baseline"


def test_default_names_of_one_week_get_a_number(db, make_project):
    feed = make_project()
    small_plan(db, feed.project)
    names = [publish_at(db, feed.project, T0 + dt.timedelta(days=d)).name for d in (0, 1, 2)]
    assert names == ["Week 47 2026", "Week 47 2026 (2)", "Week 47 2026 (3)"]


def test_an_empty_plan_is_refused_before_anything_is_written(db, make_project):
    feed = make_project()
    before = _counts(db)
    with pytest.raises(EmptyPlan) as refused:
        publish_at(db, feed.project, T0)
    assert refused.value.status == 409
    assert "has no tasks, so there is nothing to publish" in refused.value.message
    assert _counts(db) == before


def test_the_database_refuses_a_duplicate_name_even_past_the_check(db, make_project):
    feed = make_project()
    small_plan(db, feed.project)
    publish_at(db, feed.project, T0, name="Twice")
    with pytest.raises(IntegrityError), db.transaction() as session:
        session.add(
            Version(
                project_id=feed.project.id,
                number=2,
                name="Twice",
                published_at=T0,
                published_by="x",
                task_count=0,
            )
        )
        session.flush()


def test_a_second_version_on_the_same_local_day_is_warned_about(db, make_project):
    feed = make_project()  # Europe/Zurich
    small_plan(db, feed.project)
    with db.transaction() as session:
        assert checks.publish_warnings(session, feed.project, now=T0) == []
    publish_at(db, feed.project, T0)  # 16:00 in Zurich
    with db.transaction() as session:
        later = checks.publish_warnings(session, feed.project, now=T0 + dt.timedelta(hours=7))
        next_day = checks.publish_warnings(session, feed.project, now=T0 + dt.timedelta(hours=9))
    assert len(later) == 1
    assert "already published today (2026-11-20, Europe/Zurich)" in later[0]
    assert "every PPC of the new version will be empty" in later[0]
    assert next_day == [], "09:00 UTC+1 is past midnight in Zurich: another local day"


def test_summary_counts_added_removed_moved_and_newly_completed(db, make_project):
    feed = make_project()
    small_plan(db, feed.project)
    publish_at(db, feed.project, T0)
    with db.transaction() as session:
        tasks = list(session.scalars(select(Task).order_by(Task.id)))
        tasks[0].status = TaskStatus.complete
        tasks[1].start_date += dt.timedelta(days=1)
        tasks[1].end_date += dt.timedelta(days=1)
        session.delete(tasks[2])
        session.add(
            Task(
                project_id=feed.project.id,
                activity_id="A-9999",
                name="New",
                start_date=dt.date(2026, 11, 30),
                end_date=dt.date(2026, 11, 30),
            )
        )
    with db.transaction() as session:
        summary = checks.summary(session, feed.project, OPERATOR, now=T0 + dt.timedelta(days=7))
    assert (summary.task_count, summary.added, summary.removed) == (3, 1, 1)
    assert (summary.moved, summary.completed) == (1, 1)
    assert summary.default_name == "Week 48 2026"
    assert summary.warnings == []


def test_summary_needs_an_admin(db, make_project):
    from planbridge.actors import Actor
    from planbridge.errors import NotProjectMember

    feed = make_project()
    with db.transaction() as session, pytest.raises(NotProjectMember):
        checks.summary(session, feed.project, Actor("x@example.com", user_id=10**6), now=T0)
