"""Writing the downloadable spreadsheet template (CSV or XLSX)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from planbridge import workbooks
from planbridge.imports.columns import COLUMNS, DATE_COLUMNS, EXAMPLE_ROWS, Cell
from planbridge.imports.errors import ImportFileError
from planbridge.imports.spreadsheet import TASKS_SHEET, SheetKind

INSTRUCTIONS_SHEET = "Instructions"
_DATE_FORMAT = "yyyy-mm-dd"


def template_bytes(kind: SheetKind, *, examples: bool = False) -> bytes:
    """The template file's content. ``examples`` adds three example rows."""
    rows = EXAMPLE_ROWS if examples else ()
    return _csv_template(rows) if kind == "csv" else _xlsx_template(rows)


def write_template(path: Path, *, examples: bool = False) -> None:
    """Write the template to ``path``; its suffix (.csv or .xlsx) chooses the format."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ImportFileError(f"A template is a .csv or .xlsx file, not {suffix or 'no suffix'}.")
    path.write_bytes(template_bytes("csv" if suffix == ".csv" else "xlsx", examples=examples))


def _csv_template(rows: tuple[dict[str, Cell], ...]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(c.name for c in COLUMNS)
    for row in rows:
        writer.writerow(_csv_value(row.get(c.name)) for c in COLUMNS)
    # The byte-order mark makes Excel open the file as UTF-8, so accents survive.
    return out.getvalue().encode("utf-8-sig")


def _csv_value(value: Cell) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def _xlsx_template(rows: tuple[dict[str, Cell], ...]) -> bytes:
    from openpyxl import Workbook  # on first use: ~22 MiB a server need not hold at start
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = TASKS_SHEET
    sheet.append([c.name for c in COLUMNS])
    for row in rows:
        sheet.append([row.get(c.name) for c in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet[f"{letter}1"].font = Font(bold=True)
        sheet.column_dimensions[letter].width = max(14, len(column.name) + 4)
        if column.name in DATE_COLUMNS:
            for cell in sheet[letter][1:]:
                cell.number_format = _DATE_FORMAT
    sheet.freeze_panes = "A2"
    help_sheet = book.create_sheet(INSTRUCTIONS_SHEET)
    help_sheet.append(["column", "required", "what to write"])
    for column in COLUMNS:
        help_sheet.append([column.name, "yes" if column.required else "", column.description])
    help_sheet.column_dimensions["A"].width = 24
    help_sheet.column_dimensions["C"].width = 100
    out = io.BytesIO()
    workbooks.save(book, out)
    return out.getvalue()
