"""P6 XER samples: counts checked against the raw files, encodings, projects, broken files."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from planbridge.imports import ImportFileError, parse_file, parse_xer
from planbridge.planning.enums import LinkType, ResourceKind, TaskStatus, TaskType

from .raw import raw_xer_rows

LINK_NAMES = {"PR_FS": "FS", "PR_SS": "SS", "PR_FF": "FF", "PR_SF": "SF"}


def exported_project_ids(tables: dict[str, list[dict[str, str]]]) -> set[str]:
    return {p["proj_id"] for p in tables["PROJECT"] if p.get("export_flag") == "Y"}


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("xer-parser_test.xer", "cp1252"),
        ("aspose_MultiprojectWithExternal.xer", "cp1251"),
        ("aspose_encoding1251.xer", "cp1251"),
        ("mpxj_percent-complete-8.4.xer", "cp1252"),
    ],
)
def test_every_xer_sample_matches_counts_read_from_the_raw_file(
    samples: Path, name: str, encoding: str
) -> None:
    raw = raw_xer_rows(samples / name, encoding)
    ours = exported_project_ids(raw)
    tasks = [t for t in raw["TASK"] if t["proj_id"] in ours]
    task_ids = {t["task_id"] for t in tasks}
    preds = [r for r in raw.get("TASKPRED", []) if r["task_id"] in task_ids]
    internal = [r for r in preds if r["pred_task_id"] in task_ids]
    wbs = [w for w in raw["PROJWBS"] if w["proj_id"] in ours and w["proj_node_flag"] != "Y"]
    assignments = [r for r in raw.get("TASKRSRC", []) if r["task_id"] in task_ids]

    schedule = parse_file(samples / name)

    assert schedule.problems == []
    assert schedule.encoding == encoding
    assert len(schedule.tasks) == len(tasks)
    milestones = [t for t in tasks if t["task_type"] in ("TT_Mile", "TT_FinMile")]
    assert sum(t.type is TaskType.milestone for t in schedule.tasks) == len(milestones)
    assert len(schedule.links) == len(internal)
    assert len(schedule.external_links) == len(preds) - len(internal)
    assert Counter(link.type.value for link in schedule.links) == Counter(
        LINK_NAMES[r["pred_type"]] for r in internal
    )
    assert len(schedule.folders) == len(wbs)
    assert sum(len(t.resources) for t in schedule.tasks) == len(assignments)
    assert {t.external_id for t in schedule.tasks} == {t["task_code"] for t in tasks}


def test_xer_parser_sample_has_the_counts_its_readme_states(samples: Path) -> None:
    # Numbers from shared/samples/README.md, which were counted by hand from the file.
    schedule = parse_file(samples / "xer-parser_test.xer")

    assert len(schedule.tasks) == 692
    assert sum(t.type is TaskType.milestone for t in schedule.tasks) == 30
    assert len(schedule.links) + len(schedule.external_links) == 1595
    assert len(schedule.folders) == 152
    assert sum(len(t.resources) for t in schedule.tasks) == 449
    assert schedule.name == "Post LOS Schedule"


def test_relationships_into_a_non_exported_project_are_reported_not_created(
    samples: Path,
) -> None:
    schedule = parse_file(samples / "xer-parser_test.xer")

    # The 3 external activities of project 935 ("Madagascar Community Development").
    assert {(x.predecessor, x.successor) for x in schedule.external_links} == {
        ("A7720", "M1320"),
        ("A7770", "M1320"),
        ("A7820", "M1320"),
    }
    assert {x.external_project for x in schedule.external_links} == {"935"}
    assert {x.external_side for x in schedule.external_links} == {"predecessor"}
    assert "A7720" not in {t.external_id for t in schedule.tasks}
    assert sum("not imported" in w.message for w in schedule.warnings) == 3


def test_p6_ss_and_ff_pairs_between_the_same_activities_are_both_kept(samples: Path) -> None:
    schedule = parse_file(samples / "xer-parser_test.xer")

    pair = [
        link
        for link in schedule.links
        if (link.predecessor_external_id, link.successor_external_id) == ("A4580", "A4590")
    ]

    # Raw TASKPRED: A4580 -> A4590 PR_SS lag 120 h and PR_FS lag -120 h, 8 h calendar days.
    assert {(link.type, link.lag_days) for link in pair} == {(LinkType.SS, 15), (LinkType.FS, -15)}


def test_lag_hours_become_working_days_of_the_successor_calendar(samples: Path) -> None:
    schedule = parse_file(samples / "xer-parser_test.xer")
    links = {
        (x.predecessor_external_id, x.successor_external_id, x.type): x for x in schedule.links
    }

    # Raw TASKPRED: A4620 -> A4630 PR_FF 32 h; A3110 -> A3140 PR_FS 160 h (8 h per day).
    assert links["A4620", "A4630", LinkType.FF].lag_days == 4
    assert links["A3110", "A3140", LinkType.FS].lag_days == 20


def test_windows_1252_text_and_doubled_quotes_survive(samples: Path) -> None:
    schedule = parse_file(samples / "xer-parser_test.xer")

    # Raw TASK row A8120: 'Investment Agreement (""IA"") negotiated and signed'.
    assert schedule.task("A8120").name == 'Investment Agreement ("IA") negotiated and signed'
    # Raw ACTVCODE 7494 (windows-1252 curly quotes 0x93/0x94) is A8120's "Level 3 WBS" code.
    assert "Level 3 WBS: 6" in schedule.task("A8120").tags


def test_xer_activity_codes_notebooks_and_calendars_are_mapped(samples: Path) -> None:
    schedule = parse_file(samples / "xer-parser_test.xer")
    m1000 = schedule.task("M1000")

    assert m1000.type is TaskType.milestone
    assert m1000.start == m1000.end == dt.date(2024, 12, 2)
    assert m1000.duration_days == 1
    assert m1000.status is TaskStatus.complete
    assert m1000.folder_code == "1.1"
    assert m1000.location == "Off Site"  # activity code type "Site Area", value OS
    assert (
        m1000.notes == "Comments:\n2024-10-03 00:00:00>Jaco van der Merwe\nThis is a test message"
    )
    calendar = next(c for c in schedule.calendars if c.name == m1000.calendar)
    assert calendar.working_isoweekdays == (1, 2, 3, 4, 5)
    assert dt.date(2025, 1, 1) in calendar.holidays  # exception d|45658
    assert {c.name for c in schedule.calendars} == {
        "B11-Standard 5 day Workweek",
        "B11-Standard 5 day workweek - No Shutdown",
    }


def test_in_progress_activity_runs_from_actual_start_to_remaining_finish(samples: Path) -> None:
    schedule = parse_file(samples / "xer-parser_test.xer")
    task = schedule.task("A7830")

    # Raw: act_start_date 2025-01-28 10:40, reend_date 2025-06-19 09:00, TK_Active.
    assert (task.start, task.end, task.status) == (
        dt.date(2025, 1, 28),
        dt.date(2025, 6, 19),
        TaskStatus.in_progress,
    )


def test_multiproject_file_imports_only_the_exported_project(samples: Path) -> None:
    schedule = parse_file(samples / "aspose_MultiprojectWithExternal.xer")

    assert [t.name for t in schedule.tasks] == ["Activity2 - 1", "Activity 2 - 2"]
    assert schedule.links == []
    [external] = schedule.external_links
    assert (external.predecessor, external.successor, external.type) == (
        "A1000",
        "A1010",
        LinkType.FS,
    )
    assert external.external_project == "TestProject"


def test_a_named_project_can_be_picked_from_a_multiproject_file(samples: Path) -> None:
    schedule = parse_file(samples / "aspose_MultiprojectWithExternal.xer", project="TestProject")

    assert [t.name for t in schedule.tasks] == ["Задача 1"]
    assert [x.successor for x in schedule.external_links] == ["A1010"]


def test_unknown_project_name_lists_the_projects_in_the_file(samples: Path) -> None:
    with pytest.raises(ImportFileError, match="TestProject2"):
        parse_file(samples / "aspose_MultiprojectWithExternal.xer", project="Nope")


def test_windows_1251_crlf_file_keeps_cyrillic_names_and_resources(samples: Path) -> None:
    schedule = parse_file(samples / "aspose_encoding1251.xer")

    assert schedule.encoding == "cp1251"
    assert [t.name for t in schedule.tasks] == ["Задача 1", "Тест2"]
    first = schedule.task("A1000")
    assert [(r.kind, r.name, r.quantity, r.unit) for r in first.resources] == [
        (ResourceKind.labour, "Painter", 40.0, "h"),
        (ResourceKind.material, "Material Resources", 40.0, "CY"),
        (ResourceKind.plant, "SANITISED", 72.0, "h"),
    ]
    assert all("\r" not in t.name for t in schedule.tasks)


def test_uncalculated_schedule_uses_remaining_dates(samples: Path) -> None:
    schedule = parse_file(samples / "mpxj_percent-complete-8.4.xer")
    raw = raw_xer_rows(samples / "mpxj_percent-complete-8.4.xer", "cp1252")["TASK"]

    assert all(r["early_start_date"] == "" for r in raw)
    a1000 = schedule.task("A1000")  # restart 2015-02-24 08:00, reend 2015-07-13 16:00, 800 h
    assert (a1000.start, a1000.end, a1000.duration_days) == (
        dt.date(2015, 2, 24),
        dt.date(2015, 7, 13),
        100,
    )
    assert Counter(t.status for t in schedule.tasks) == Counter(
        {TaskStatus.planned: 3, TaskStatus.in_progress: 9}
    )


def test_wrong_encoding_can_be_forced_and_keeps_counts(samples: Path) -> None:
    data = (samples / "aspose_encoding1251.xer").read_bytes()

    garbled = parse_xer(data, encoding="cp1252")

    assert len(garbled.tasks) == 2
    assert garbled.task("A1000").name != "Задача 1"


# -- broken files ---------------------------------------------------------------------------

CALENDAR_DATA = (
    "(0||CalendarData()((0||DaysOfWeek()((0||1()())(0||2()((0||0(s|08:00|f|16:00)())))"
    "(0||3()((0||0(s|08:00|f|16:00)())))(0||4()((0||0(s|08:00|f|16:00)())))"
    "(0||5()((0||0(s|08:00|f|16:00)())))(0||6()((0||0(s|08:00|f|16:00)())))(0||7()())))"
    "(0||Exceptions()((0||0(d|45658)())))))"
)


def small_xer(*task_rows: tuple[str, str, str, str, str]) -> bytes:
    """A minimal XER: one exported project, one calendar, tasks (code, clndr, start, end, type)."""
    lines = [
        "ERMHDR\t23.12\t2025-01-01\tProject\tadmin\tAdmin\tdb\tProject Management\tEUR",
        "%T\tPROJECT",
        "%F\tproj_id\tproj_short_name\tclndr_id\texport_flag",
        "%R\t1\tSITE\t10\tY",
        "%T\tCALENDAR",
        "%F\tclndr_id\tclndr_name\tday_hr_cnt\tclndr_data",
        f"%R\t10\tChantier 5j\t8\t{CALENDAR_DATA}",
        "%T\tPROJWBS",
        "%F\twbs_id\tproj_id\tproj_node_flag\twbs_short_name\twbs_name\tparent_wbs_id",
        "%R\t100\t1\tY\tSITE\tRésidence Les Érables\t",
        "%T\tTASK",
        "%F\ttask_id\tproj_id\twbs_id\tclndr_id\ttask_type\tstatus_code\ttask_code\ttask_name"
        "\tearly_start_date\tearly_end_date",
    ]
    for number, (code, clndr, start, end, task_type) in enumerate(task_rows):
        lines.append(
            f"%R\t{number + 1}\t1\t100\t{clndr}\t{task_type}\tTK_NotStart\t{code}\tTâche {code}"
            f"\t{start}\t{end}"
        )
    lines.append("%E")
    return "\r\n".join(lines).encode("cp1252")


def test_small_xer_with_holiday_counts_working_days() -> None:
    schedule = parse_xer(small_xer(("A1", "10", "2024-12-30 08:00", "2025-01-03 16:00", "TT_Task")))

    assert schedule.problems == []
    task = schedule.task("A1")
    assert task.name == "Tâche A1"
    assert task.duration_days == 4  # Mon 30 Dec to Fri 3 Jan less 1 January
    assert schedule.name == "Résidence Les Érables"


def test_xer_problems_name_the_activity() -> None:
    schedule = parse_xer(
        small_xer(
            ("A1", "10", "2025-01-10 08:00", "2025-01-06 16:00", "TT_Task"),
            ("A2", "99", "2025-01-06 08:00", "2025-01-07 16:00", "TT_Task"),
            ("A3", "10", "", "", "TT_Task"),
            ("A3", "10", "2025-01-06 08:00", "2025-01-07 16:00", "TT_Task"),
            ("A4", "10", "06/01/2025", "2025-01-07 16:00", "TT_Task"),
        )
    )

    problems = [(p.location, p.message) for p in schedule.problems]
    assert ("activity A1", "finish 2025-01-06 is before start 2025-01-10") in problems
    assert ("activity A2", "unknown calendar id '99'") in problems
    assert ("activity A3", "the activity has no start or finish date") in problems
    assert any(loc == "activity A4" and "06/01/2025" in msg for loc, msg in problems)
    assert [t.external_id for t in schedule.tasks] == ["A3"]


def test_duplicate_activity_ids_are_a_problem() -> None:
    schedule = parse_xer(
        small_xer(
            ("A1", "10", "2025-01-06 08:00", "2025-01-07 16:00", "TT_Task"),
            ("A1", "10", "2025-01-06 08:00", "2025-01-07 16:00", "TT_Task"),
        )
    )

    assert [p.location for p in schedule.problems] == ["activity A1"]
    assert schedule.problems[0].message == "two activities have this Activity ID"


def test_a_file_that_is_not_xer_is_refused() -> None:
    with pytest.raises(ImportFileError, match="ERMHDR"):
        parse_xer(b"hello\tworld\n")


def test_a_row_before_its_table_is_refused() -> None:
    with pytest.raises(ImportFileError, match="line 2"):
        parse_xer(b"ERMHDR\t23.12\n%R\t1\t2\n")


def test_an_xer_without_projects_is_refused() -> None:
    with pytest.raises(ImportFileError, match="PROJECT"):
        parse_xer(b"ERMHDR\t23.12\n%T\tTASK\n%F\ttask_id\n%R\t1\n%E\n")


def test_an_xer_missing_a_key_field_is_refused() -> None:
    with pytest.raises(ImportFileError, match="task_id"):
        parse_xer(
            b"ERMHDR\t23.12\n%T\tPROJECT\n%F\tproj_id\texport_flag\n%R\t1\tY\n"
            b"%T\tTASK\n%F\tproj_id\ttask_code\n%R\t1\tA1\n%E\n"
        )
