"""Recognising an uploaded file and handing it to the right parser."""

from __future__ import annotations

import codecs
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from planbridge.imports.errors import ImportFileError
from planbridge.imports.mspdi import parse_mspdi
from planbridge.imports.schedule import ParsedCalendar, ParsedSchedule
from planbridge.imports.spreadsheet import parse_spreadsheet
from planbridge.imports.xer import parse_xer

FileKind = Literal["xer", "mspdi", "csv", "xlsx"]

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls and .mpp
_SPREADSHEET_SUFFIXES = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx"}


def detect_kind(data: bytes, filename: str) -> FileKind:
    """The file's format, from its first bytes, then from its name for CSV."""
    suffix = Path(filename).suffix.lower()
    head = data[:512].removeprefix(codecs.BOM_UTF8).lstrip()
    if not data.strip():
        raise ImportFileError(f"{filename} is empty.")
    if head.startswith(b"ERMHDR"):
        return "xer"
    if head.startswith(b"<"):
        return "mspdi"
    if data.startswith(_ZIP_MAGIC):
        if suffix in ("", ".xlsx", ".xlsm"):
            return "xlsx"
        raise ImportFileError(f"{filename} is a zip archive, not an .xlsx workbook.")
    if data.startswith(_OLE_MAGIC):
        raise ImportFileError(
            f"{filename} is a binary Office file (.xls or .mpp), which PlanBridge cannot read.",
            hint="Save Excel files as .xlsx; save MS Project plans as XML (File > Save As > "
            "XML Format); export P6 plans as XER.",
        )
    if suffix == ".xer":
        raise ImportFileError(
            f"{filename} does not start with ERMHDR, so it is not a P6 XER export."
        )
    kind = _SPREADSHEET_SUFFIXES.get(suffix)
    if kind == "csv":
        return "csv"
    raise ImportFileError(f"{filename}: unknown file type {suffix or '(no extension)'}.")


def parse_bytes(
    data: bytes,
    filename: str,
    *,
    project: str | None = None,
    calendars: Sequence[ParsedCalendar] | None = None,
    encoding: str | None = None,
    max_rows: int | None = None,
    date_format: str | None = None,
) -> ParsedSchedule:
    """Parse an uploaded file's content; ``filename`` only helps to recognise CSV files.

    ``project`` picks one project of a multi-project XER file (P6 short name); ``calendars``
    are the target project's calendars (default first) for spreadsheets; ``encoding`` forces
    the text encoding of XER and CSV files; ``date_format`` (``auto``, ``dmy``, ``mdy``,
    ``ymd``) how CSV/XLSX text dates are read; ``max_rows`` caps the task rows (default: the
    bound ``PLANBRIDGE_IMPORT_MAX_ROWS``, see ``planbridge.imports.limits``).
    """
    kind = detect_kind(data, filename)
    if kind == "xer":
        return parse_xer(data, project=project, encoding=encoding, max_rows=max_rows)
    if kind == "mspdi":
        return parse_mspdi(data, max_rows=max_rows)
    return parse_spreadsheet(
        data,
        kind,
        calendars=calendars,
        encoding=encoding,
        max_rows=max_rows,
        date_format=date_format,
    )


def parse_file(
    path: Path,
    *,
    project: str | None = None,
    calendars: Sequence[ParsedCalendar] | None = None,
    encoding: str | None = None,
    date_format: str | None = None,
) -> ParsedSchedule:
    """Read and parse a schedule file (XER, MSPDI XML, CSV or XLSX)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    return parse_bytes(
        data,
        path.name,
        project=project,
        calendars=calendars,
        encoding=encoding,
        date_format=date_format,
    )
