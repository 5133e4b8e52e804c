"""Reading the raw tables of a Primavera P6 XER file.

XER is plain text: an ``ERMHDR`` header line, then for each table a ``%T`` line with its name,
a ``%F`` line with tab-separated field names and ``%R`` lines with tab-separated values, and
``%E`` at the end. Fields are never enclosed in quotes and never contain a tab; P6 writes a
double quote inside a field as two (``""``), and a line break as two DEL characters (0x7F).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from planbridge.imports.errors import ImportFileError

Row = dict[str, str]

LINE_BREAK_IN_FIELD = "\x7f\x7f"


@dataclass
class XerTables:
    """Every table of one XER file, as lists of rows (field name → raw string)."""

    version: str
    tables: dict[str, list[Row]] = field(default_factory=dict)
    short_rows: int = 0

    def rows(self, name: str) -> list[Row]:
        return self.tables.get(name, [])


def read_xer_tables(text: str) -> XerTables:
    """Split XER text into tables. Raises ImportFileError when the text is not an XER export."""
    # Split on LF only: str.splitlines() would also split on form feeds and other controls
    # that may sit inside a notebook field.
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    if not lines or not lines[0].startswith("ERMHDR"):
        raise ImportFileError(
            "This is not a Primavera P6 XER export: its first line does not start with ERMHDR.",
            hint="In P6 use File > Export > Primavera PM - (XER).",
        )
    header = lines[0].split("\t")
    result = XerTables(version=header[1] if len(header) > 1 else "")
    current: list[Row] | None = None
    fields: list[str] = []
    for number, line in enumerate(lines[1:], start=2):
        marker, _, rest = line.partition("\t")
        if marker == "%T":
            current = result.tables.setdefault(rest.strip(), [])
            fields = []
        elif marker == "%F":
            fields = [name.strip() for name in rest.split("\t")]
        elif marker == "%R":
            if current is None or not fields:
                raise ImportFileError(f"XER line {number}: a %R row comes before its %T/%F lines.")
            values = [value.replace('""', '"') for value in rest.split("\t")]
            if len(values) < len(fields):
                result.short_rows += 1
            current.append(dict(zip(fields, values, strict=False)))
        elif marker == "%E":
            break
    if "PROJECT" not in result.tables:
        raise ImportFileError("This XER file has no PROJECT table, so it holds no project.")
    return result
