"""MS Project XML (MSPDI) samples: counts from the raw files, quirks, broken files."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from planbridge.imports import ImportFileError, parse_file, parse_mspdi
from planbridge.planning.enums import LinkType, ResourceKind, TaskStatus, TaskType

from .raw import raw_link_types, raw_mspdi_tasks, raw_tag

MSPDI_SAMPLES = [
    "mpxj_sample1.xml",
    "mpxj_mspditimephased.xml",
    "mpxj_mspdinulltasks.xml",
    "aspose_not-updated.xml",
]


def raw_counts(path: Path) -> tuple[int, int, int]:
    """(leaf tasks, summary tasks, milestones) from <Task> blocks, skipping UID 0 and nulls."""
    blocks = [
        b for b in raw_mspdi_tasks(path) if raw_tag(b, "UID") != "0" and raw_tag(b, "IsNull") != "1"
    ]
    summaries = [b for b in blocks if raw_tag(b, "Summary") == "1"]
    leaves = [b for b in blocks if raw_tag(b, "Summary") != "1"]
    milestones = [b for b in leaves if raw_tag(b, "Milestone") == "1"]
    return len(leaves), len(summaries), len(milestones)


@pytest.mark.parametrize("name", MSPDI_SAMPLES)
def test_every_mspdi_sample_matches_counts_read_from_the_raw_file(samples: Path, name: str) -> None:
    leaves, summaries, milestones = raw_counts(samples / name)

    schedule = parse_file(samples / name)

    assert schedule.problems == []
    assert schedule.source_format == "mspdi"
    assert len(schedule.tasks) == leaves
    assert len(schedule.folders) == summaries
    assert sum(t.type is TaskType.milestone for t in schedule.tasks) == milestones
    assert Counter(link.type.value for link in schedule.links) == raw_link_types(samples / name)


def test_mspdi_counts_the_readme_states(samples: Path) -> None:
    # shared/samples/README.md: sample1 has 6 links (3 FS, 1 SS, 1 FF, 1 SF) and 4
    # assignments; mspditimephased has 40 tasks and 40 assignments; not-updated has 8 FS links.
    sample1 = parse_file(samples / "mpxj_sample1.xml")
    timephased = parse_file(samples / "mpxj_mspditimephased.xml")
    not_updated = parse_file(samples / "aspose_not-updated.xml")

    assert Counter(x.type for x in sample1.links) == Counter(
        {LinkType.FS: 3, LinkType.SS: 1, LinkType.FF: 1, LinkType.SF: 1}
    )
    assert sum(len(t.resources) for t in sample1.tasks) == 4
    assert len(timephased.tasks) == 40
    assert sum(len(t.resources) for t in timephased.tasks) == 40
    assert [x.type for x in not_updated.links] == [LinkType.FS] * 8


def test_summary_tasks_become_folders_with_their_wbs_codes(samples: Path) -> None:
    schedule = parse_file(samples / "mpxj_sample1.xml")

    assert [(f.code, f.name, f.parent_code) for f in schedule.folders] == [
        ("1", "First Task", None),
        ("1.3", "Recurring Task", None),
        ("3", "Task Relationships", None),
        ("3.13", "Resource Assignments", "3"),
    ]
    assert schedule.task("23").folder_code == "3.13"  # "Assigned Task 1"
    assert schedule.task("2").folder_code == "1"


def test_mspdi_task_fields_lags_and_resources(samples: Path) -> None:
    schedule = parse_file(samples / "mpxj_sample1.xml")

    third = schedule.task("3")
    assert (third.name, third.type, third.start, third.end, third.duration_days) == (
        "Third task",
        TaskType.milestone,
        dt.date(2003, 1, 7),
        dt.date(2003, 1, 7),
        1,
    )
    assert third.notes == "Third task note."
    lags = {
        (x.predecessor_external_id, x.successor_external_id): x.lag_days for x in schedule.links
    }
    assert lags["11", "12"] == 1  # LinkLag 4800 tenths of a minute = 1 day of 480 min
    assert lags["13", "14"] == -1
    second = schedule.task("2")
    assert [(r.kind, r.name, r.quantity, r.unit) for r in second.resources] == [
        (ResourceKind.labour, "First Resource", 200.0, "h"),
        (ResourceKind.labour, "Second Resource", 300.0, "h"),
    ]
    assert second.calendar == "Standard"
    assert [c.name for c in schedule.calendars] == ["Standard"]
    assert schedule.calendars[0].working_isoweekdays == (1, 2, 3, 4, 5)


def test_null_tasks_and_assignments_without_resource_are_skipped(samples: Path) -> None:
    schedule = parse_file(samples / "mpxj_mspdinulltasks.xml")

    assert [t.name for t in schedule.tasks] == ["Task 2", "Task 3", "Task 5"]
    assert [t.folder_code for t in schedule.tasks] == ["1", "1", "2"]
    assert all(t.resources == [] for t in schedule.tasks)
    assert schedule.warnings == []


def test_file_with_byte_order_mark_and_placeholder_actuals(samples: Path) -> None:
    path = samples / "aspose_not-updated.xml"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")

    schedule = parse_file(path)

    task3 = schedule.task("3")
    # ActualStart/ActualFinish are 2000-01-01 placeholders; Start/Finish are the plan.
    assert (task3.start, task3.end, task3.status) == (
        dt.date(2000, 1, 27),
        dt.date(2000, 1, 31),
        TaskStatus.planned,
    )
    assert task3.duration_days == 3  # Thu 27, Fri 28, Mon 31
    assert all(t.resources == [] for t in schedule.tasks)  # ResourceUID -1


def test_percent_complete_sets_status(samples: Path) -> None:
    schedule = parse_file(samples / "mpxj_mspditimephased.xml")

    assert schedule.task("1").status is TaskStatus.planned
    assert schedule.task("4").status is TaskStatus.in_progress  # 50 %
    assert schedule.task("7").status is TaskStatus.complete  # 100 %


# -- broken files ---------------------------------------------------------------------------

NS = "http://schemas.microsoft.com/project"


def small_mspdi(tasks: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="{NS}"><Name>Bâtiment B</Name><CalendarUID>1</CalendarUID>
<Calendars><Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar>
<WeekDays>
<WeekDay><DayType>1</DayType><DayWorking>0</DayWorking></WeekDay>
<WeekDay><DayType>7</DayType><DayWorking>0</DayWorking></WeekDay>
<WeekDay><DayType>0</DayType><DayWorking>0</DayWorking><TimePeriod>
<FromDate>2025-05-01T00:00:00</FromDate><ToDate>2025-05-02T23:59:00</ToDate></TimePeriod>
</WeekDay></WeekDays></Calendar></Calendars>
<Tasks>{tasks}</Tasks></Project>""".encode()


def task_xml(uid: int, name: str, start: str, finish: str, extra: str = "") -> str:
    return (
        f"<Task><UID>{uid}</UID><ID>{uid}</ID><Name>{name}</Name><OutlineLevel>1</OutlineLevel>"
        f"<Start>{start}</Start><Finish>{finish}</Finish>{extra}</Task>"
    )


def test_holidays_from_old_style_exception_days_shorten_durations() -> None:
    schedule = parse_mspdi(
        small_mspdi(task_xml(1, "Façade nord", "2025-04-28T08:00:00", "2025-05-06T17:00:00"))
    )

    assert schedule.problems == []
    assert schedule.task("1").name == "Façade nord"
    assert schedule.task("1").duration_days == 5  # 7 weekdays less 1 and 2 May
    assert schedule.calendars[0].holidays == (dt.date(2025, 5, 1), dt.date(2025, 5, 2))


def test_mspdi_problems_name_the_task() -> None:
    schedule = parse_mspdi(
        small_mspdi(
            task_xml(1, "Backwards", "2025-05-09T08:00:00", "2025-05-05T17:00:00")
            + task_xml(2, "No dates", "", "")
            + task_xml(
                3,
                "Odd calendar",
                "2025-05-05T08:00:00",
                "2025-05-05T17:00:00",
                "<CalendarUID>42</CalendarUID>",
            )
        )
    )

    assert [(p.location, p.message) for p in schedule.problems] == [
        ("task UID 1", "finish 2025-05-05 is before start 2025-05-09"),
        ("task UID 2", "the task has no readable Start or Finish"),
        ("task UID 3", "unknown calendar UID 42"),
    ]


def test_links_to_summary_tasks_are_dropped_with_a_warning() -> None:
    schedule = parse_mspdi(
        small_mspdi(
            task_xml(
                1,
                "Summary",
                "2025-05-05T08:00:00",
                "2025-05-06T17:00:00",
                "<Summary>1</Summary><WBS>1</WBS>",
            )
            + "<Task><UID>2</UID><Name>Child</Name><OutlineLevel>2</OutlineLevel>"
            "<Start>2025-05-05T08:00:00</Start><Finish>2025-05-06T17:00:00</Finish></Task>"
            + task_xml(
                3,
                "After",
                "2025-05-07T08:00:00",
                "2025-05-07T17:00:00",
                "<PredecessorLink><PredecessorUID>1</PredecessorUID><Type>1</Type>"
                "</PredecessorLink>",
            )
        )
    )

    assert schedule.links == []
    assert schedule.task("2").folder_code == "1"
    assert schedule.task("3").folder_code is None
    assert "summary task" in schedule.warnings[0].message


def test_malformed_xml_is_refused() -> None:
    with pytest.raises(ImportFileError, match="not well formed"):
        parse_mspdi(b"<Project><Tasks></Project>")


def test_xml_that_is_not_ms_project_is_refused() -> None:
    with pytest.raises(ImportFileError, match="not a Microsoft Project XML"):
        parse_mspdi(b"<?xml version='1.0'?><html><body/></html>")


def test_entity_expansion_is_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><Project>&b;</Project>'
    )
    with pytest.raises(ImportFileError, match="forbidden"):
        parse_mspdi(bomb)
