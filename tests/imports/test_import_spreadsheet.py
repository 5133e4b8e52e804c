"""The CSV/XLSX template: round trips, accents, and every problem located by row."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from planbridge.imports import (
    COLUMNS,
    ImportFileError,
    ParsedCalendar,
    parse_file,
    parse_spreadsheet,
    template_bytes,
    write_template,
)
from planbridge.imports.columns import EXAMPLE_ROWS
from planbridge.imports.spreadsheet import SheetKind
from planbridge.planning.enums import LinkType, ResourceKind, Shift, TaskStatus, TaskType

HEADER = ",".join(c.name for c in COLUMNS)


def csv_bytes(*rows: dict[str, str], header: str = HEADER, encoding: str = "utf-8") -> bytes:
    names = header.split(",")
    lines = [header] + [",".join(_quote(row.get(n, "")) for n in names) for row in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def _quote(value: str) -> str:
    return f'"{value}"' if any(c in value for c in ',";\n') else value


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_template_with_examples_round_trips(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"plan{suffix}"
    write_template(path, examples=True)

    schedule = parse_file(path)

    assert schedule.problems == []
    assert schedule.warnings == []
    assert [t.external_id for t in schedule.tasks] == [r["external_id"] for r in EXAMPLE_ROWS]
    first = schedule.task("A-100")
    assert first.name == "Coffrage voiles niveau 2 – zone Est"
    assert first.subcontractor == "Béton & Façades SARL"
    assert first.package == "Gros œuvre"
    assert first.assignees == ["Zoë Müller", "José Pérez"]
    assert first.tags == ["façade", "critique"]
    assert (first.start, first.end, first.duration_days) == (
        dt.date(2025, 3, 3),
        dt.date(2025, 3, 7),
        5,
    )
    assert first.committed is True
    assert [(r.kind, r.name, r.quantity, r.unit) for r in first.resources] == [
        (ResourceKind.labour, "Coffreurs", 4.0, "person-days"),
        (ResourceKind.plant, "Grue à tour", 1.0, "day"),
    ]
    second = schedule.task("A-110")
    assert second.end == dt.date(2025, 3, 11)  # 4 working days from Thu 6 March
    assert second.status is TaskStatus.backlog
    milestone = schedule.task("M-1")
    assert (milestone.type, milestone.start, milestone.end, milestone.duration_days) == (
        TaskType.milestone,
        dt.date(2025, 3, 14),
        dt.date(2025, 3, 14),
        1,
    )
    assert [
        (x.predecessor_external_id, x.successor_external_id, x.type, x.lag_days)
        for x in schedule.links
    ] == [
        ("A-100", "A-110", LinkType.SS, 3),
        ("A-110", "M-1", LinkType.FS, 0),
        ("A-100", "M-1", LinkType.FF, 1),
    ]
    assert [f.code for f in schedule.folders] == ["GO.N2"]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_empty_template_has_every_column_and_parses_to_nothing(kind: SheetKind) -> None:
    data = template_bytes(kind)

    schedule = parse_spreadsheet(data, kind)

    assert schedule.tasks == []
    assert schedule.problems == []
    if kind == "csv":
        assert data.startswith(b"\xef\xbb\xbf")
        assert data.decode("utf-8-sig").strip() == HEADER
    else:
        book = load_workbook(io.BytesIO(data))
        assert [c.value for c in book["Tasks"][1]] == [c.name for c in COLUMNS]
        assert book["Instructions"].max_row == len(COLUMNS) + 1


def test_every_problem_is_reported_with_its_row_and_column() -> None:
    data = csv_bytes(
        {"external_id": "A1", "name": "Ok", "start": "2025-03-03", "end": "2025-03-04"},
        {"external_id": "A1", "name": "Dup", "start": "2025-03-03", "end": "2025-03-04"},
        {"external_id": "A3", "name": "Backwards", "start": "2025-03-05", "end": "2025-03-04"},
        {},
        {"external_id": "A5", "start": "2025-02-30", "duration_days": "0"},
        {
            "external_id": "A6",
            "name": "Bad words",
            "start": "2025-03-03",
            "duration_days": "2",
            "type": "phase",
            "status": "done",
            "shift": "morning",
            "committed": "maybe",
        },
        {
            "external_id": "A7",
            "name": "Bad lists",
            "start": "2025-03-03",
            "end": "2025-03-03",
            "resources": "labour:Crew:2; robot:R2:1:u; plant:Crane:lots:day; material:x",
            "predecessors": "A1:XX:1; ZZ; A7",
            "parent_external_id": "NOPE",
        },
        {"external_id": "A8", "name": "No end", "start": "2025-03-03"},
        {
            "external_id": "M9",
            "name": "Long milestone",
            "type": "milestone",
            "start": "2025-03-03",
            "end": "2025-03-05",
        },
    )

    schedule = parse_spreadsheet(data, "csv")

    found = {(p.row, p.field) for p in schedule.problems}
    assert found == {
        (3, "external_id"),
        (4, "end"),
        (6, "name"),
        (6, "start"),
        (6, "duration_days"),
        (7, "type"),
        (7, "status"),
        (7, "shift"),
        (7, "committed"),
        (8, "resources"),
        (8, "predecessors"),
        (8, "parent_external_id"),
        (9, "end"),
        (10, "end"),
    }
    assert len([p for p in schedule.problems if p.row == 8 and p.field == "resources"]) == 4
    assert len([p for p in schedule.problems if p.row == 8 and p.field == "predecessors"]) == 3
    assert str(schedule.problems[0]) == "row 3, external_id: 'A1' is already used on row 2"
    assert [t.external_id for t in schedule.tasks] == ["A1"]


def test_missing_required_columns_are_reported_on_row_1() -> None:
    data = csv_bytes({"external_id": "A1"}, header="external_id,title,start")

    schedule = parse_spreadsheet(data, "csv")

    assert [(p.row, p.message) for p in schedule.problems] == [
        (1, "required column 'name' is missing")
    ]
    assert [w.message for w in schedule.warnings] == [
        "column 'title' is not in the template; ignored"
    ]
    assert schedule.tasks == []


def test_semicolon_csv_in_windows_1252_from_a_french_excel() -> None:
    text = (
        "external_id;name;start;end;subcontractor;resources\r\n"
        "A1;Démolition cloisons;2025-03-03;2025-03-05;Société Générale de Démolition;"
        '"labour:Manœuvres:3,5:j"\r\n'
    )

    schedule = parse_spreadsheet(text.encode("cp1252"), "csv")

    assert schedule.problems == []
    assert schedule.encoding == "cp1252"
    task = schedule.task("A1")
    assert task.name == "Démolition cloisons"
    assert task.subcontractor == "Société Générale de Démolition"
    assert task.resources[0].name == "Manœuvres"
    assert task.resources[0].quantity == 3.5


def test_calendars_check_names_and_drive_durations() -> None:
    six_days = ParsedCalendar("6 jours", (1, 2, 3, 4, 5, 6), (dt.date(2025, 3, 7),))
    standard = ParsedCalendar("Standard")
    data = csv_bytes(
        {
            "external_id": "A1",
            "name": "a",
            "start": "2025-03-03",
            "duration_days": "6",
            "calendar": "6 JOURS",
        },
        {"external_id": "A2", "name": "b", "start": "2025-03-03", "end": "2025-03-10"},
        {
            "external_id": "A3",
            "name": "c",
            "start": "2025-03-03",
            "end": "2025-03-03",
            "calendar": "Nuit",
        },
    )

    schedule = parse_spreadsheet(data, "csv", calendars=[standard, six_days])

    assert [(p.row, p.field) for p in schedule.problems] == [(4, "calendar")]
    assert "known: Standard, 6 jours" in schedule.problems[0].message
    a1 = schedule.task("A1")
    assert (a1.calendar, a1.end) == ("6 jours", dt.date(2025, 3, 10))  # Fri 7 is a holiday
    a2 = schedule.task("A2")
    assert (a2.calendar, a2.duration_days) == ("Standard", 6)


def test_xlsx_cells_of_any_type_are_read_with_their_row_numbers() -> None:
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.append(["External ID", "Name", "Start", "End", "Shift", "Committed"])
    sheet.append(
        [1001, "Pose carrelage – hall", dt.datetime(2025, 3, 3), dt.date(2025, 3, 4), "Night", True]
    )
    sheet.append([])
    sheet.append([1002.0, "Joints", dt.date(2025, 3, 5), dt.date(2025, 3, 4)])
    out = io.BytesIO()
    book.save(out)

    schedule = parse_spreadsheet(out.getvalue(), "xlsx")

    task = schedule.task("1001")
    assert (task.name, task.start, task.end, task.shift, task.committed) == (
        "Pose carrelage – hall",
        dt.date(2025, 3, 3),
        dt.date(2025, 3, 4),
        Shift.night,
        True,
    )
    assert [(p.row, p.field) for p in schedule.problems] == [(4, "end")]


def test_blank_file_broken_workbook_and_huge_cells_raise_import_errors() -> None:
    with pytest.raises(ImportFileError, match="empty"):
        parse_spreadsheet(b"\n\n", "csv")
    with pytest.raises(ImportFileError, match="cannot be opened"):
        parse_spreadsheet(b"PK\x03\x04 not really a zip", "xlsx")
    with pytest.raises(ImportFileError, match="CSV file cannot be read"):
        parse_spreadsheet(HEADER.encode() + b"\nA1," + b"x" * 200_000 + b"\n", "csv")


def test_a_template_needs_a_spreadsheet_suffix(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match=r"\.ods"):
        write_template(tmp_path / "plan.ods")
