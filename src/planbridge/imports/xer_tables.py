"""Reading the raw tables of a Primavera P6 XER file.

XER is plain text: an ``ERMHDR`` header line, then for each table a ``%T`` line with its name,
a ``%F`` line with tab-separated field names and ``%R`` lines with tab-separated values, and
``%E`` at the end. Fields are never enclosed in quotes and never contain a tab; P6 writes a
double quote inside a field as two (``""``), and a line break as two DEL characters (0x7F).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NoReturn

from planbridge.imports.errors import ImportFileError
from planbridge.imports.limits import too_many_rows

Row = dict[str, str]

LINE_BREAK_IN_FIELD = "\x7f\x7f"


@dataclass
class XerTables:
    """Every table of one XER file, as lists of rows (field name → raw string)."""

    version: str
    tables: dict[str, list[Row]] = field(default_factory=dict)

    def rows(self, name: str) -> list[Row]:
        return self.tables.get(name, [])


def read_xer_tables(text: str, *, max_rows: int | None = None) -> XerTables:
    """Split XER text into tables. Raises ImportFileError when the text is not an XER export, or
    when it ends early: a row with fewer values than its table's fields, or no ``%E`` line."""
    lines = _lines(text)
    first = next(lines, "")
    if not first.startswith("ERMHDR"):
        raise ImportFileError(
            "This is not a Primavera P6 XER export: its first line does not start with ERMHDR.",
            hint="In P6 use File > Export > Primavera PM - (XER).",
        )
    header = first.split("\t")
    result = XerTables(version=header[1] if len(header) > 1 else "")
    current: list[Row] | None = None
    table = ""
    fields: list[str] = []
    short: tuple[int, int] | None = None
    number = 1
    for number, line in enumerate(lines, start=2):
        if short is not None:
            _refuse_short_row(table, fields, *short)
        marker, _, rest = line.partition("\t")
        if marker == "%T":
            table = rest.strip()
            current = result.tables.setdefault(table, [])
            fields = []
        elif marker == "%F":
            fields = [name.strip() for name in rest.split("\t")]
        elif marker == "%R":
            if current is None or not fields:
                raise ImportFileError(f"XER line {number}: a %R row comes before its %T/%F lines.")
            values = [value.replace('""', '"') for value in rest.split("\t")]
            if len(values) < len(fields):
                short = (number, len(values))
            current.append(dict(zip(fields, values, strict=False)))
            if table == "TASK" and max_rows is not None and len(current) > max_rows:
                raise too_many_rows(max_rows, "activities (TASK rows)")
        elif marker == "%E":
            break
    else:
        _refuse_missing_end(table, len(current or ()), number)
    if "PROJECT" not in result.tables:
        raise ImportFileError("This XER file has no PROJECT table, so it holds no project.")
    return result


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text``, without their CR LF or LF, one at a time.

    Split on LF only: str.splitlines() would also split on form feeds and other controls that
    may sit inside a notebook field.
    """
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        yield text[start:end].removesuffix("\r")
        start = end + 1


def _refuse_missing_end(table: str, rows: int, line: int) -> NoReturn:
    where = f"in table {table} after {rows} rows" if table else "before its first table"
    raise ImportFileError(
        f"The XER file ends before its %E end marker, {where} (line {line}): "
        "it was cut short, and importing it would lose everything after that point.",
        hint="Export the schedule from P6 again and upload the whole file.",
        details={"table": table or None, "line": line, "rows_read": rows},
    )


def _refuse_short_row(table: str, fields: list[str], line: int, values: int) -> NoReturn:
    raise ImportFileError(
        f"XER line {line}: a row of table {table} has {values} of its {len(fields)} values, "
        "so the file is damaged or was cut short.",
        hint="Export the schedule from P6 again and upload the whole file.",
        details={"table": table, "line": line, "values": values, "fields": len(fields)},
    )
