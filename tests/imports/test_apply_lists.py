"""Calendars and WBS folders of a master schedule follow it on re-import; names are matched."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from planbridge.actors import OPERATOR
from planbridge.imports import ParsedCalendar, ParsedFolder, ParsedSchedule, ParsedTask
from planbridge.imports.apply import apply_schedule
from planbridge.planning.models import Folder, Task
from planbridge.projects.models import Calendar, Project

MONDAY = dt.date(2025, 3, 3)


def _schedule(calendar: ParsedCalendar, folders: list[ParsedFolder]) -> ParsedSchedule:
    task = ParsedTask(
        external_id="A1",
        name="Piling",
        start=MONDAY,
        end=MONDAY + dt.timedelta(days=4),
        duration_days=5,
        source="activity A1",
        calendar=calendar.name,
        folder_code=folders[-1].code,
    )
    return ParsedSchedule(source_format="xer", calendars=[calendar], folders=folders, tasks=[task])


def _apply(db, project: Project, schedule: ParsedSchedule, **options):
    with db.transaction() as session:
        target = session.get(Project, project.id)
        return apply_schedule(session, target, schedule, actor=OPERATOR, **options)


def test_a_changed_calendar_and_wbs_are_updated_in_place(db, make_project) -> None:
    project = make_project().project
    folders = [ParsedFolder("1", "Substructure"), ParsedFolder("1.1", "Piling", "1")]
    first = _apply(db, project, _schedule(ParsedCalendar("Site 5d"), folders))
    six_days = ParsedCalendar(
        "SITE 5D", working_isoweekdays=(1, 2, 3, 4, 5, 6), holidays=(dt.date(2025, 4, 18),)
    )
    moved = [
        ParsedFolder("1", "Substructure works"),
        ParsedFolder("2", "Foundations"),
        ParsedFolder("1.1", "Piling", "2"),
    ]

    dry = _apply(db, project, _schedule(six_days, moved), dry_run=True)
    second = _apply(db, project, _schedule(six_days, moved))

    assert first.created.calendars == ["Site 5d"]
    assert first.created.folders == ["1", "1.1"]
    assert (second.updated_calendars, second.created.calendars) == (["Site 5d"], [])
    assert (second.updated_folders, second.created.folders) == (["1", "1.1"], ["2"])
    assert (dry.updated_calendars, dry.updated_folders) == (["Site 5d"], ["1", "1.1"])
    with db.transaction() as session:
        calendar = session.scalar(select(Calendar).where(Calendar.name == "Site 5d"))
        assert calendar is not None
        assert calendar.working_weekdays == [0, 1, 2, 3, 4, 5]
        assert calendar.holidays == ["2025-04-18"]
        folders_now = {f.code: f for f in session.scalars(select(Folder))}
        assert folders_now["1"].name == "Substructure works"
        assert folders_now["1.1"].parent_id == folders_now["2"].id
        task = session.scalar(select(Task))
        assert task is not None
        assert (task.calendar_id, task.folder_id) == (calendar.id, folders_now["1.1"].id)


def test_spreadsheet_folders_are_created_but_never_renamed(db, make_project) -> None:
    project = make_project().project
    with db.transaction() as session:
        session.add(Folder(project_id=project.id, code="GO.N2", name="Gros œuvre niveau 2"))
    schedule = _schedule(ParsedCalendar("Standard"), [ParsedFolder("GO.N2", "GO.N2")])
    schedule.source_format = "csv"

    report = _apply(db, project, schedule)

    assert (report.created.folders, report.updated_folders) == ([], [])
    with db.transaction() as session:
        assert session.scalars(select(Folder.name)).all() == ["Gros œuvre niveau 2"]
