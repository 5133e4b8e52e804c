"""CSV files as Excel saves them: dates in the machine's regional order (day-first or
month-first, ``/``, ``.`` or ``-``, two-digit years, a time after the date), UTF-8 with a BOM,
Windows-1252 with ``;`` (European Excel), UTF-16 with tabs ("Unicode Text"). ``date_format``
``auto`` reads ISO, or the order the file proves, and refuses an ambiguous or mixed file
naming a row and the option; ``dmy``/``mdy``/``ymd`` say it outright."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planbridge.cli.main import app
from planbridge.imports import ImportFileError, parse_bytes
from planbridge.imports.spreadsheet import parse_spreadsheet

D = dt.date


def _csv(*rows: tuple[str, str, str], sep: str = ",", end: str = "\r\n") -> str:
    lines = [sep.join(("external_id", "name", "start", "end"))]
    lines += [
        sep.join((f"T{n}", "Task", start, finish)) for n, (start, finish, _) in enumerate(rows)
    ]
    return end.join(lines) + end


def _dates(text: str, encoding: str = "utf-8", date_format: str | None = None, **kw):
    schedule = parse_spreadsheet(text.encode(encoding), "csv", date_format=date_format, **kw)
    assert not schedule.problems, schedule.problems
    return [(t.start, t.end) for t in schedule.tasks], schedule


DAY_FIRST = _csv(("03/04/2025", "07/04/2025", ""), ("14/04/2025", "25/04/2025", ""))
MONTH_FIRST = _csv(("04/03/2025", "04/07/2025", ""), ("4/14/2025", "4/25/2025", ""))
AMBIGUOUS = _csv(("2025-04-01", "2025-04-02", ""), ("03/04/2025", "07/04/2025", ""))


def test_auto_reads_iso_dates_and_says_nothing():
    found, schedule = _dates(_csv(("2025-04-03", "2025-04-07T00:00:00", "")))
    assert found == [(D(2025, 4, 3), D(2025, 4, 7))] and schedule.warnings == []


def test_auto_reads_the_order_a_day_above_12_proves_and_says_so():
    found, schedule = _dates(DAY_FIRST)
    assert found == [(D(2025, 4, 3), D(2025, 4, 7)), (D(2025, 4, 14), D(2025, 4, 25))]
    [note] = [str(w) for w in schedule.warnings]
    assert note == (
        "file: dates read day first (dmy), as row 3 shows (start '14/04/2025'); choose another "
        "order with --date-format (API: date_format; Import page: Dates in the file)"
    )
    found, schedule = _dates(MONTH_FIRST)
    assert found == [(D(2025, 4, 3), D(2025, 4, 7)), (D(2025, 4, 14), D(2025, 4, 25))]
    assert "month first (mdy), as row 3 shows" in str(schedule.warnings[0])


def test_auto_refuses_an_ambiguous_file_naming_a_row_and_the_option():
    with pytest.raises(ImportFileError) as caught:
        parse_spreadsheet(AMBIGUOUS.encode(), "csv")
    assert caught.value.message == (
        "The dates are ambiguous: row 3 has start '03/04/2025', which is day-first or "
        "month-first, and no date in the file has a day above 12 to tell which."
    )
    assert "--date-format dmy" in caught.value.hint and "date_format=dmy" in caught.value.hint
    assert caught.value.details == {"row": 3}


def test_auto_refuses_a_file_mixing_both_orders():
    mixed = _csv(("25/03/2025", "26/03/2025", ""), ("03/27/2025", "03/28/2025", ""))
    with pytest.raises(ImportFileError, match=r"mixes day-first and month-first dates: row 2"):
        parse_spreadsheet(mixed.encode(), "csv")


def test_an_explicit_order_reads_ambiguous_dates_and_iso_ones_too():
    found, _ = _dates(AMBIGUOUS, date_format="dmy")
    assert found[1] == (D(2025, 4, 3), D(2025, 4, 7)) and found[0] == (D(2025, 4, 1), D(2025, 4, 2))
    found, _ = _dates(AMBIGUOUS, date_format="mdy")
    assert found[1] == (D(2025, 3, 4), D(2025, 7, 4))


@pytest.mark.parametrize(
    ("start", "order", "expected"),
    [
        ("03.04.25", "dmy", D(2025, 4, 3)),  # German Excel, two-digit year
        ("3-4-2025", "dmy", D(2025, 4, 3)),
        ("03/04/2025 00:00", "dmy", D(2025, 4, 3)),  # a time after the date
        ("4/3/2025 8:00 AM", "mdy", D(2025, 4, 3)),
        ("2025/04/03", "ymd", D(2025, 4, 3)),
        ("2025/04/03", "auto", D(2025, 4, 3)),
    ],
)
def test_excel_date_spellings(start, order, expected):
    found, _ = _dates(_csv((start, "", "")).replace(",\r\n", ",2025-04-30\r\n"), date_format=order)
    assert found[0][0] == expected


def test_a_wrong_date_in_an_explicit_order_is_a_row_problem_saying_how_to_write_it():
    schedule = parse_spreadsheet(
        _csv(("31/02/2025", "2025-03-05", "")).encode(), "csv", date_format="dmy"
    )
    assert [str(p) for p in schedule.problems] == [
        "row 2, start: '31/02/2025' is not a date; write DD/MM/YYYY or YYYY-MM-DD"
    ]
    schedule = parse_spreadsheet(DAY_FIRST.encode(), "csv", date_format="ymd")
    assert "'03/04/2025' is not a date; write YYYY-MM-DD" in str(schedule.problems[0])


def test_an_unknown_date_format_is_refused():
    with pytest.raises(ImportFileError, match="Unknown date format 'ddmmyy': use one of auto, dmy"):
        parse_spreadsheet(DAY_FIRST.encode(), "csv", date_format="ddmmyy")


@pytest.mark.parametrize(
    ("what", "encoding", "sep"),
    [
        ("CSV UTF-8 (Comma delimited)", "utf-8-sig", ","),
        ("CSV (semicolon), European Excel", "cp1252", ";"),
        ("Unicode Text", "utf-16", "\t"),
    ],
)
def test_what_excel_saves_is_read_whole(what, encoding, sep):
    text = _csv(("03/04/2025", "07/04/2025", ""), ("14/04/2025", "25/04/2025", ""), sep=sep)
    text = text.replace("Task", "Démolition – façade")
    found, schedule = _dates(text, encoding=encoding)
    assert found[1] == (D(2025, 4, 14), D(2025, 4, 25)), what
    assert schedule.tasks[0].name == "Démolition – façade"
    assert schedule.encoding == encoding


def test_the_option_reaches_parse_bytes():
    assert parse_bytes(AMBIGUOUS.encode(), "plan.csv", date_format="mdy").tasks[1].start == D(
        2025, 3, 4
    )


def test_import_command_takes_date_format(cli_db, tmp_path: Path):
    path = tmp_path / "plan.csv"
    path.write_text(AMBIGUOUS, encoding="utf-8")
    runner = CliRunner()
    refused = runner.invoke(app, ["import", cli_db, str(path), "--dry-run"])
    assert refused.exit_code == 1 and "--date-format dmy" in refused.output
    done = runner.invoke(app, ["import", cli_db, str(path), "--date-format", "dmy", "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["tasks"]["added"] == ["T0", "T1"]
    bad = runner.invoke(app, ["import", cli_db, str(path), "--date-format", "dd/mm"])
    assert bad.exit_code == 2 and "dmy" in bad.output


@pytest.fixture
def cli_db(db, database_url, monkeypatch, make_project):
    monkeypatch.setenv("PLANBRIDGE_DATABASE_URL", database_url)
    return make_project().project.code
