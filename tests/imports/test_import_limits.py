"""The import row limit: a file with more task rows than ``PLANBRIDGE_IMPORT_MAX_ROWS`` is
refused while it is read (the rest is never parsed), in every format, over HTTP too."""

from __future__ import annotations

from pathlib import Path

import pytest

from planbridge.imports import ImportFileError, parse_bytes


def _csv(rows: int, tail: str = "") -> bytes:
    lines = ["external_id,name,start,duration_days"]
    lines += [f"T-{n},Task {n},2026-11-23,2" for n in range(rows)]
    return ("\r\n".join(lines) + "\r\n" + tail).encode()


def _refused(data: bytes, name: str, limit: int) -> ImportFileError:
    with pytest.raises(ImportFileError) as caught:
        parse_bytes(data, name, max_rows=limit)
    assert caught.value.details == {"reason": "too_many_rows", "max_rows": limit}
    assert f"more than {limit:,}" in caught.value.message
    return caught.value


def test_a_csv_at_the_limit_parses_and_one_row_more_is_refused() -> None:
    assert len(parse_bytes(_csv(5), "plan.csv", max_rows=5).tasks) == 5
    _refused(_csv(6), "plan.csv", 5)


def test_reading_stops_at_the_limit_so_the_rest_is_never_parsed() -> None:
    # a quoted field left open at the very end would be a truncation error if it were read
    _refused(_csv(50, tail='T-x,"never closed'), "plan.csv", 10)


def test_an_xer_with_more_activities_than_the_limit_is_refused(samples: Path) -> None:
    data = (samples / "xer-parser_test.xer").read_bytes()
    assert parse_bytes(data, "plan.xer", max_rows=100_000).tasks
    _refused(data, "plan.xer", 10)


def test_an_ms_project_file_with_more_tasks_than_the_limit_is_refused(samples: Path) -> None:
    _refused((samples / "mpxj_sample1.xml").read_bytes(), "plan.xml", 3)
