"""Every shared sample imports into a project; the database holds the counts of the raw file."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from planbridge.planning.enums import TaskType
from planbridge.planning.models import Folder, Task, TaskLink, TaskResource
from planbridge.projects.models import Calendar

from .apply_support import count, import_path
from .raw import raw_link_types, raw_mspdi_tasks, raw_tag, raw_xer_rows

XER_SAMPLES = {
    "xer-parser_test.xer": "cp1252",
    "aspose_MultiprojectWithExternal.xer": "cp1251",
    "aspose_encoding1251.xer": "cp1251",
    "mpxj_percent-complete-8.4.xer": "cp1252",
}
MSPDI_SAMPLES = [
    "mpxj_sample1.xml",
    "mpxj_mspditimephased.xml",
    "mpxj_mspdinulltasks.xml",
    "aspose_not-updated.xml",
]


def raw_xer_counts(path: Path, encoding: str) -> dict[str, int]:
    raw = raw_xer_rows(path, encoding)
    ours = {p["proj_id"] for p in raw["PROJECT"] if p.get("export_flag") == "Y"}
    tasks = [t for t in raw["TASK"] if t["proj_id"] in ours]
    ids = {t["task_id"] for t in tasks}
    links = {
        (r["pred_task_id"], r["task_id"], r["pred_type"])
        for r in raw.get("TASKPRED", [])
        if r["task_id"] in ids and r["pred_task_id"] in ids
    }
    return {
        "tasks": len(tasks),
        "milestones": sum(t["task_type"] in ("TT_Mile", "TT_FinMile") for t in tasks),
        "links": len(links),
        "folders": sum(w["proj_id"] in ours and w["proj_node_flag"] != "Y" for w in raw["PROJWBS"]),
        "resources": sum(r["task_id"] in ids for r in raw.get("TASKRSRC", [])),
    }


def raw_mspdi_counts(path: Path) -> dict[str, int]:
    blocks = [
        b for b in raw_mspdi_tasks(path) if raw_tag(b, "UID") != "0" and raw_tag(b, "IsNull") != "1"
    ]
    leaves = [b for b in blocks if raw_tag(b, "Summary") != "1"]
    return {
        "tasks": len(leaves),
        "milestones": sum(raw_tag(b, "Milestone") == "1" for b in leaves),
        "links": sum(raw_link_types(path).values()),
        "folders": len(blocks) - len(leaves),
    }


def db_counts(db, project_id: int) -> dict[str, int]:
    in_project = Task.project_id == project_id
    return {
        "tasks": count(db, Task, in_project),
        "milestones": count(db, Task, in_project, Task.type == TaskType.milestone),
        "links": count(db, TaskLink, TaskLink.project_id == project_id),
        "folders": count(db, Folder, Folder.project_id == project_id),
        "resources": count(
            db,
            TaskResource,
            TaskResource.task_id.in_(select(Task.id).where(in_project)),
        ),
    }


@pytest.mark.parametrize("name", sorted(XER_SAMPLES))
def test_every_xer_sample_lands_in_the_database_with_the_raw_file_counts(
    db, make_project, samples: Path, name: str
) -> None:
    project = make_project().project
    expected = raw_xer_counts(samples / name, XER_SAMPLES[name])

    report = import_path(db, project, samples / name)

    assert db_counts(db, project.id) == expected
    assert len(report.tasks.added) == expected["tasks"]
    assert report.milestones == expected["milestones"]
    assert len(report.links.added) == expected["links"]
    assert len(report.created.folders) == expected["folders"]


@pytest.mark.parametrize("name", MSPDI_SAMPLES)
def test_every_mspdi_sample_lands_in_the_database_with_the_raw_file_counts(
    db, make_project, samples: Path, name: str
) -> None:
    project = make_project().project
    expected = raw_mspdi_counts(samples / name)

    import_path(db, project, samples / name)

    found = db_counts(db, project.id)
    del found["resources"]
    assert found == expected


def test_the_largest_sample_matches_the_counts_its_readme_states(
    db, make_project, samples: Path
) -> None:
    # shared/samples/README.md: 692 activities, 30 finish milestones, 1,595 relationships
    # (3 of them into the non-exported project), 152 WBS nodes, 449 resource assignments.
    project = make_project().project

    report = import_path(db, project, samples / "xer-parser_test.xer")

    assert db_counts(db, project.id) == {
        "tasks": 692,
        "milestones": 30,
        "links": 1592,
        "folders": 152,
        "resources": 449,
    }
    assert report.external_links == 3


def test_imported_tasks_keep_p6_ids_get_activity_ids_and_milestones_have_one_day(
    db, make_project, samples: Path
) -> None:
    project = make_project().project

    import_path(db, project, samples / "xer-parser_test.xer")

    with db.transaction() as session:
        tasks = session.scalars(select(Task).where(Task.project_id == project.id)).all()
        by_external = {t.external_id: t for t in tasks}
        activity_ids = sorted(t.activity_id for t in tasks)
        folder_codes = set(session.scalars(select(Folder.code)))
        milestone = by_external["M1320"]
        assert activity_ids == [f"A-{n:04d}" for n in range(1, 693)]
        assert milestone.type is TaskType.milestone
        assert milestone.start_date == milestone.end_date == milestone.milestone_target_date
        assert milestone.duration_days == 1
        assert by_external["A8120"].name == 'Investment Agreement ("IA") negotiated and signed'
        # Raw TASKPRED: A4580 -> A4590 is both PR_SS (120 h) and PR_FS (-120 h), 8 h days.
        pair = session.execute(
            select(TaskLink.type, TaskLink.lag_days).where(
                TaskLink.predecessor_id == by_external["A4580"].id,
                TaskLink.successor_id == by_external["A4590"].id,
            )
        ).all()
        assert {(str(kind), lag) for kind, lag in pair} == {("SS", 15), ("FS", -15)}
        # Every activity of this file sits in a WBS node below the project node.
        assert all(t.folder_id is not None for t in tasks)
        assert len(folder_codes) == 152


def test_schedule_calendars_become_project_calendars_with_monday_zero(
    db, make_project, samples: Path
) -> None:
    project = make_project().project

    import_path(db, project, samples / "xer-parser_test.xer")

    with db.transaction() as session:
        calendars = {
            c.name: c
            for c in session.scalars(select(Calendar).where(Calendar.project_id == project.id))
        }
        workweek = calendars["B11-Standard 5 day Workweek"]
        assert workweek.working_weekdays == [0, 1, 2, 3, 4]
        assert workweek.hours_per_day == 8
        assert set(calendars) == {
            "Standard",
            "B11-Standard 5 day Workweek",
            "B11-Standard 5 day workweek - No Shutdown",
        }
        uses = Counter(
            session.scalars(select(Task.calendar_id).where(Task.project_id == project.id))
        )
        assert set(uses) <= {c.id for c in calendars.values()} - {calendars["Standard"].id}


def test_mspdi_summary_tasks_become_a_folder_tree(db, make_project, samples: Path) -> None:
    project = make_project().project

    import_path(db, project, samples / "mpxj_sample1.xml")

    with db.transaction() as session:
        rows = session.execute(
            select(Folder.code, Folder.name, Folder.parent_id, Folder.id).where(
                Folder.project_id == project.id
            )
        ).all()
    code_of = {folder_id: code for code, _, _, folder_id in rows}
    tree = {code: code_of.get(parent) for code, _, parent, _ in rows}
    # The summary tasks as the parser reads them (tests/imports/test_import_mspdi.py).
    assert tree == {"1": None, "1.3": None, "3": None, "3.13": "3"}
    assert {name for _, name, _, _ in rows} >= {"First Task", "Task Relationships"}
