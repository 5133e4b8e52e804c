"""A file that ends early is refused, naming the table, row or element where it broke.

Every truncated file is made at run time by cutting a shared sample (or a template-made
spreadsheet) the way an interrupted upload or copy would: mid-line, at a line end, mid-table.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from planbridge.imports import ImportFileError, parse_bytes

XER = "xer-parser_test.xer"


def _cut_after(data: bytes, marker: bytes, extra: int) -> bytes:
    """``data`` up to ``extra`` bytes past the first ``marker``."""
    at = data.index(marker)
    return data[: at + len(marker) + extra]


def _nth_row_of(data: bytes, table: bytes, n: int) -> int:
    """The byte offset of the n-th ``%R`` line of ``table``."""
    start = data.index(b"%T\t" + table)
    offset = start
    for _ in range(n):
        offset = data.index(b"\n%R\t", offset + 1)
    return offset + 1


def test_an_intact_xer_sample_still_parses(samples: Path) -> None:
    assert parse_bytes((samples / XER).read_bytes(), XER).tasks


def test_an_xer_cut_mid_row_in_its_task_table_names_the_table(samples: Path) -> None:
    data = (samples / XER).read_bytes()
    row = _nth_row_of(data, b"TASK\n", 40)
    cut = data[: row + 25]

    with pytest.raises(ImportFileError) as caught:
        parse_bytes(cut, XER)

    assert "TASK" in caught.value.message
    assert "end" in caught.value.message.lower()
    assert caught.value.details["table"] == "TASK"


def test_an_xer_cut_at_a_line_end_inside_a_table_is_refused(samples: Path) -> None:
    data = (samples / XER).read_bytes()
    cut = data[: _nth_row_of(data, b"TASK\n", 40)]

    with pytest.raises(ImportFileError) as caught:
        parse_bytes(cut, XER)

    assert "%E" in caught.value.message
    assert caught.value.details["table"] == "TASK"


def test_an_xer_cut_right_after_a_table_header_is_refused(samples: Path) -> None:
    data = (samples / XER).read_bytes()
    start = data.index(b"%T\tTASKPRED")
    cut = data[: data.index(b"\n", data.index(b"%F", start)) + 1]

    with pytest.raises(ImportFileError) as caught:
        parse_bytes(cut, XER)

    assert caught.value.details["table"] == "TASKPRED"


def test_an_xer_with_a_short_row_names_its_table_and_line(samples: Path) -> None:
    data = (samples / XER).read_bytes()
    lines = data.split(b"\n")
    index = next(
        i for i, line in enumerate(lines) if line.startswith(b"%R") and i > 200 and b"\t" in line
    )
    lines[index] = b"\t".join(lines[index].split(b"\t")[:3])

    with pytest.raises(ImportFileError) as caught:
        parse_bytes(b"\n".join(lines), XER)

    assert f"line {index + 1}" in caught.value.message
    assert caught.value.details["line"] == index + 1


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.99])
def test_an_ms_project_xml_that_is_not_closed_is_refused_with_its_line(
    samples: Path, keep: float
) -> None:
    data = (samples / "mpxj_sample1.xml").read_bytes()
    cut = data[: int(len(data) * keep)]

    with pytest.raises(ImportFileError) as caught:
        parse_bytes(cut, "plan.xml")

    assert "line" in caught.value.message
    assert "ends before" in caught.value.message


CSV = (
    "external_id,name,start,duration_days,notes\r\n"
    "A-1,Set out,2026-11-23,2,first\r\n"
    "A-2,Excavate,2026-11-25,3,second\r\n"
    'A-3,Pour,2026-11-30,2,"a note, with a comma"\r\n'
)


def test_an_intact_csv_parses() -> None:
    assert len(parse_bytes(CSV.encode(), "plan.csv").tasks) == 3


def test_a_csv_cut_mid_row_is_refused_naming_the_row() -> None:
    cut = CSV[: CSV.index("A-2,Excavate") + len("A-2,Excav")]

    with pytest.raises(ImportFileError) as caught:
        parse_bytes(cut.encode(), "plan.csv")

    assert "row 3" in caught.value.message
    assert caught.value.details["row"] == 3


def test_a_csv_cut_inside_a_quoted_field_is_refused_naming_the_row() -> None:
    cut = CSV[: CSV.index("with a comma")]

    with pytest.raises(ImportFileError) as caught:
        parse_bytes(cut.encode(), "plan.csv")

    assert "row 4" in caught.value.message


def test_a_csv_without_a_final_line_break_but_whole_rows_is_fine() -> None:
    assert len(parse_bytes(CSV.rstrip().encode(), "plan.csv").tasks) == 3


def _xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Tasks"
    sheet.append(["external_id", "name", "start", "duration_days"])
    for n in range(300):
        sheet.append([f"A-{n}", f"Task {n}", "2026-11-23", 2])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("keep", [0.3, 0.7, 0.95])
def test_an_xlsx_cut_short_is_refused(keep: float) -> None:
    data = _xlsx()
    assert len(parse_bytes(data, "plan.xlsx").tasks) == 300

    with pytest.raises(ImportFileError) as caught:
        parse_bytes(data[: int(len(data) * keep)], "plan.xlsx")

    assert "xlsx" in caught.value.message.lower() or "excel" in caught.value.message.lower()


def test_an_xlsx_whose_sheet_is_cut_inside_the_zip_is_refused() -> None:
    source = zipfile.ZipFile(io.BytesIO(_xlsx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as broken:
        for item in source.infolist():
            content = source.read(item)
            if item.filename.endswith("sheet1.xml"):
                content = content[: len(content) // 2]
            broken.writestr(item, content)

    with pytest.raises(ImportFileError) as caught:
        parse_bytes(out.getvalue(), "plan.xlsx")

    assert "row" in caught.value.message or "sheet" in caught.value.message
