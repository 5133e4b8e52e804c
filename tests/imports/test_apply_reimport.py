"""Re-importing: idempotent, updates matched tasks, reports disappeared ones, prunes on request,
and a dry run reports the same as the real run while changing nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from planbridge import audit
from planbridge.actors import Actor
from planbridge.errors import NotProjectAdmin, NotProjectMember
from planbridge.planning import service as planning
from planbridge.planning.models import Subcontractor, Task, TaskLink, TaskResource
from planbridge.projects import service as projects
from planbridge.projects.models import Project

from .apply_support import count, csv_file, import_bytes, import_path, snapshot

DAY = dt.date(2025, 3, 3)
PLAN = [
    {
        "external_id": "T1",
        "name": "Excavate",
        "start": "2025-03-03",
        "end": "2025-03-07",
        "subcontractor": "Groundworks Ltd",
        "resources": "labour:Operatives:4:person-days",
    },
    {
        "external_id": "T2",
        "name": "Pour footings",
        "start": "2025-03-10",
        "duration_days": "3",
        "predecessors": "T1",
        "resources": "material:Concrete:12.5:m3",
        "owner": "admin1@example.com",
    },
    {
        "external_id": "T3",
        "name": "Backfill",
        "start": "2025-03-13",
        "duration_days": "2",
        "predecessors": "T2:FS:1",
        "parent_external_id": "T2",
    },
    {"external_id": "M1", "name": "Ground floor ready", "type": "milestone", "start": "2025-03-17"},
]


def _changed(rows: list[dict[str, str]], external_id: str, **values: str) -> list[dict[str, str]]:
    return [{**row, **values} if row["external_id"] == external_id else row for row in rows]


def _tasks(db, project: Project) -> dict[str, Task]:
    with db.transaction() as session:
        tasks = session.scalars(select(Task).where(Task.project_id == project.id)).all()
        return {t.external_id or t.activity_id: t for t in tasks}


def test_reimporting_the_same_schedule_changes_no_row(db, make_project, samples: Path) -> None:
    project = make_project().project
    import_path(db, project, samples / "xer-parser_test.xer")
    before = snapshot(db, skip=("audit_events",))

    report = import_path(db, project, samples / "xer-parser_test.xer")

    assert snapshot(db, skip=("audit_events",)) == before
    assert (len(report.tasks.unchanged), report.tasks.added, report.tasks.updated) == (692, [], [])
    assert (report.links.unchanged, report.links.added, report.links.removed) == (1592, [], [])
    assert report.resources_replaced_on == []
    assert report.created.counts() == dict.fromkeys(report.created.counts(), 0)


def test_a_changed_row_updates_its_task_in_place(db, make_project) -> None:
    fp = make_project()
    import_bytes(db, fp.project, csv_file(*PLAN), "plan.csv")
    first = _tasks(db, fp.project)
    rows = _changed(PLAN, "T1", name="Excavate to formation", end="2025-03-10")
    rows = _changed(rows, "T2", resources="material:Concrete:14:m3", predecessors="T1:SS:2")

    report = import_bytes(db, fp.project, csv_file(*rows), "plan.csv")

    after = _tasks(db, fp.project)
    assert report.tasks.updated == ["T1", "T2"]
    assert report.tasks.unchanged == ["T3", "M1"]
    assert report.tasks.added == []
    assert (report.links.added, report.links.removed) == (["T1 SS T2"], ["T1 FS T2"])
    assert report.resources_replaced_on == ["T2"]
    assert after["T1"].name == "Excavate to formation"
    assert (after["T1"].end_date.isoformat(), after["T1"].duration_days) == ("2025-03-10", 6)
    assert after["T1"].row_version == first["T1"].row_version + 1
    assert after["T2"].row_version == first["T2"].row_version + 1  # its resources changed
    assert after["T3"].row_version == first["T3"].row_version
    assert {t: after[t].activity_id for t in after} == {t: first[t].activity_id for t in first}
    assert after["T3"].parent_id == after["T2"].id
    with db.transaction() as session:
        quantities = session.scalars(
            select(TaskResource.quantity).where(TaskResource.task_id == after["T2"].id)
        ).all()
    assert quantities == [14.0]


def test_lag_changes_update_the_link_instead_of_replacing_it(db, make_project) -> None:
    project = make_project().project
    import_bytes(db, project, csv_file(*PLAN), "plan.csv")

    report = import_bytes(
        db, project, csv_file(*_changed(PLAN, "T3", predecessors="T2:FS:4")), "plan.csv"
    )

    assert (report.links.updated, report.links.added, report.links.removed) == (
        ["T2 FS T3"],
        [],
        [],
    )
    with db.transaction() as session:
        assert session.scalars(select(TaskLink.lag_days).order_by(TaskLink.id)).all() == [0, 4]


def test_disappeared_tasks_are_reported_and_kept_without_prune(db, make_project) -> None:
    project = make_project().project
    import_bytes(db, project, csv_file(*PLAN), "plan.csv")

    report = import_bytes(db, project, csv_file(*PLAN[:2]), "plan.csv")

    assert report.tasks.missing == ["M1", "T3"]
    assert report.tasks.pruned == []
    assert set(_tasks(db, project)) == {"T1", "T2", "T3", "M1"}
    # The T2 -> T3 link has one end outside the schedule: it is not among the imported tasks.
    assert count(db, TaskLink, TaskLink.project_id == project.id) == 2


def test_prune_deletes_disappeared_tasks_but_never_hand_made_ones(db, make_project) -> None:
    fp = make_project()
    import_bytes(db, fp.project, csv_file(*PLAN), "plan.csv")
    with db.transaction() as session:
        target = session.get(Project, fp.project.id)
        hand = planning.add_task(session, target, name="Site induction", start_date=DAY)
        hand_id = hand.id

    report = import_bytes(db, fp.project, csv_file(*PLAN[:2]), "plan.csv", prune=True)

    assert report.tasks.pruned == ["M1", "T3"]
    tasks = _tasks(db, fp.project)
    assert set(tasks) == {"T1", "T2", hand.activity_id}
    assert tasks[hand.activity_id].id == hand_id
    assert count(db, TaskLink, TaskLink.project_id == fp.project.id) == 1


def test_new_tasks_continue_the_activity_id_sequence(db, make_project) -> None:
    project = make_project().project
    with db.transaction() as session:
        target = session.get(Project, project.id)
        for name in ("One", "Two"):
            planning.add_task(session, target, name=name, start_date=DAY)

    import_bytes(db, project, csv_file(*PLAN), "plan.csv")

    tasks = _tasks(db, project)
    assert sorted(t.activity_id for t in tasks.values()) == [f"A-{n:04d}" for n in range(1, 7)]
    assert tasks["T1"].activity_id == "A-0003"


def test_dry_run_reports_what_the_real_run_does_and_changes_nothing(db, make_project) -> None:
    project = make_project().project
    import_bytes(db, project, csv_file(*PLAN), "plan.csv")
    rows = _changed(PLAN[:3], "T1", name="Excavate to formation", subcontractor="Diggers plc")
    rows = [
        *rows,
        {"external_id": "T9", "name": "Drainage", "start": "2025-03-20", "duration_days": "2"},
    ]
    before = snapshot(db)

    dry = import_bytes(db, project, csv_file(*rows), "plan.csv", prune=True, dry_run=True)

    assert snapshot(db) == before
    real = import_bytes(db, project, csv_file(*rows), "plan.csv", prune=True)
    assert dry == dataclasses.replace(real, dry_run=True)
    assert dry.tasks.added == ["T9"]
    assert dry.tasks.updated == ["T1"]
    assert dry.tasks.pruned == ["M1"]
    assert dry.created.subcontractors == ["Diggers plc"]


def test_dry_run_of_a_first_import_changes_nothing(db, make_project, samples: Path) -> None:
    project = make_project().project
    before = snapshot(db)

    report = import_path(db, project, samples / "xer-parser_test.xer", dry_run=True)

    assert snapshot(db) == before
    assert len(report.tasks.added) == 692
    assert len(report.links.added) == 1592
    assert len(report.created.folders) == 152


def test_names_become_list_entries_once_and_match_any_case(db, make_project) -> None:
    project = make_project().project
    rows = _changed(PLAN, "T2", subcontractor="GROUNDWORKS LTD")

    import_bytes(db, project, csv_file(*rows), "plan.csv")

    with db.transaction() as session:
        names = session.scalars(
            select(Subcontractor.name).where(Subcontractor.project_id == project.id)
        ).all()
    tasks = _tasks(db, project)
    assert names == ["Groundworks Ltd"]
    assert tasks["T1"].subcontractor_id == tasks["T2"].subcontractor_id


def test_owner_matches_a_member_and_unknown_people_are_a_warning(db, make_project) -> None:
    fp = make_project()
    rows = _changed(PLAN, "T1", owner="Nobody Known", assignees="Admin 1; admin1@example.com")

    report = import_bytes(db, fp.project, csv_file(*rows), "plan.csv")

    tasks = _tasks(db, fp.project)
    assert tasks["T2"].owner_id == fp.admin.user_id
    assert tasks["T1"].owner_id is None
    assert tasks["T1"].assignee_ids == [fp.admin.user_id]
    assert [(w.location, w.field) for w in report.warnings] == [("row 2", "owner")]


def test_an_import_is_audited_and_a_dry_run_is_not(db, make_project) -> None:
    fp = make_project()
    import_bytes(db, fp.project, csv_file(*PLAN), "plan.csv", dry_run=True)
    import_bytes(db, fp.project, csv_file(*PLAN), "plan.csv", actor=fp.admin)

    with db.transaction() as session:
        events = [e for e in audit.events(session, fp.project.id) if e.action == "import.apply"]
    assert len(events) == 1
    assert (events[0].actor, events[0].subject) == (fp.admin.label, "plan.csv")
    assert events[0].details["tasks_added"] == 4
    assert events[0].details["links_added"] == 2


def test_members_import_but_only_admins_prune(db, make_project) -> None:
    fp = make_project()
    with db.transaction() as session:
        target = session.get(Project, fp.project.id)
        user = projects.create_user(
            session, email="member@example.com", name="Mia Member", organisation="Test Org"
        )
        projects.add_member(session, target, user, "member")
        outsider = projects.create_user(
            session, email="out@example.com", name="Otto", organisation="Test Org"
        )
    member = Actor(label=user.email, user_id=user.id)

    import_bytes(db, fp.project, csv_file(*PLAN), "plan.csv", actor=member)

    with pytest.raises(NotProjectAdmin):
        import_bytes(db, fp.project, csv_file(*PLAN[:1]), "plan.csv", actor=member, prune=True)
    with pytest.raises(NotProjectMember):
        import_bytes(
            db, fp.project, csv_file(*PLAN), "plan.csv", actor=Actor(outsider.email, outsider.id)
        )
    assert count(db, Task, Task.project_id == fp.project.id) == 4
