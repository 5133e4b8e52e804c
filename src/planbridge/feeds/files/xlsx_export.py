"""Feed tables as one XLSX workbook: a sheet per table, each an Excel table with typed cells.

openpyxl in write-only mode writes each sheet's rows to a temporary file as they come and
inline strings (no shared-string table), so memory stays flat; the workbook is zipped into a
spooled temporary file that the response then streams.

Cells are typed from the registry: ``date`` columns are Excel dates (``yyyy-mm-dd``),
``datetime`` columns Excel date-times in UTC without a time zone (Excel has none), integers and
numbers numeric, booleans TRUE/FALSE, strings text (never a formula, even when they start with
``=``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from planbridge import workbooks
from planbridge.catalog import Column, ColumnType, Table
from planbridge.errors import ResponseTooLarge
from planbridge.feeds.files.rows import Extract, Row
from planbridge.feeds.params import BOOL_FLAGS, FeedParams

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# openpyxl (with numpy, which it loads when present: about 22 MiB) is imported by the functions
# that write a workbook, on the first download, not by every server process at start.

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXCEL_MAX_ROWS = 1_048_576
"""Rows in an Excel sheet, header included."""
EXCEL_MAX_TEXT = 32_767
"""Characters in an Excel cell; longer text is cut."""
XLSX_MAX_CELLS = 2_000_000
"""Cells (rows x columns) in one workbook download. openpyxl writes 50,000 to 100,000 cells a
second, so this keeps a download under about 40 s, inside proxy and Excel timeouts. Memory does
not grow with it (write-only mode)."""
TABLE_STYLE = "TableStyleMedium2"
WIDTHS: dict[ColumnType, float] = {"date": 12, "datetime": 20, "string": 24}


@dataclass(frozen=True, slots=True)
class Sheet:
    table: Table
    batches: Iterable[list[Row]]


def write_workbook(out: IO[bytes], sheets: Sequence[Sheet], *, title: str) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    workbook.properties.creator = "PlanBridge"
    workbook.properties.title = title
    for sheet in sheets:
        _write_sheet(workbook.create_sheet(title=sheet.table.name), sheet)
    workbooks.save(workbook, out)


def check_bounds(
    extract: Extract, tables: Sequence[Table], *, params: FeedParams, max_cells: int
) -> None:
    """Refuse a workbook Excel cannot open (a sheet over Excel's row limit) or one that would
    take too long to write (over ``max_cells``), saying what would fit."""
    for table in tables:
        rows = extract.row_count(table.name)
        if rows >= EXCEL_MAX_ROWS:
            raise ResponseTooLarge(
                f"Table '{table.name}' has {rows:,} rows; an Excel sheet holds "
                f"{EXCEL_MAX_ROWS - 1:,} below its header.",
                hint="Ask for fewer versions (`limit`, `published_from`, `published_to`) or "
                "download the table as CSV, which has no row limit.",
                details={"table": table.name, "row_count": rows, "max_rows": EXCEL_MAX_ROWS - 1},
            )
    cells = _cells(extract, tables)
    if cells <= max_cells:
        return
    fitting = _largest_fitting_limit(extract, tables, max_cells)
    flags = _flag_savings(extract, tables, params, max_cells)
    advice = [f"limit={fitting}"] if fitting else []
    advice += [f["parameter"] for f in flags if f["fits"]]
    raise ResponseTooLarge(
        f"The workbook would have {cells:,} cells; a workbook download holds at most "
        f"{max_cells:,}.",
        hint=(
            f"Ask for fewer versions (the largest limit that fits is {fitting})"
            if fitting
            else "Even one version is too large"
        )
        + (f", or leave out sheets: {', '.join(f['parameter'] for f in flags)}" if flags else "")
        + ". CSV downloads and the OData feed have no such limit.",
        details={
            "cells": cells,
            "max_cells": max_cells,
            "largest_fitting_limit": fitting,
            "flags": flags,
            "suggested_parameters": advice,
        },
    )


def _cells(extract: Extract, tables: Iterable[Table], version_id: int | None = None) -> int:
    """Rows times columns of the given tables (of one version, or of all)."""
    return sum(
        c.row_count * len(t.columns)
        for t in tables
        for c in extract.chunks[t.name]
        if version_id is None or c.version_id == version_id
    )


def _largest_fitting_limit(extract: Extract, tables: Sequence[Table], max_cells: int) -> int:
    total, fitting = 0, 0
    for version_id in extract.version_ids:
        total += _cells(extract, tables, version_id)
        if total > max_cells:
            break
        fitting += 1
    return fitting


def _flag_savings(
    extract: Extract, tables: Sequence[Table], params: FeedParams, max_cells: int
) -> list[dict[str, Any]]:
    flags: list[dict[str, Any]] = []
    for flag in BOOL_FLAGS:
        if flag in params.allowed and params.flag(flag):
            kept = [t for t in tables if t.flag != flag]
            if len(kept) < len(tables):
                cells = _cells(extract, kept)
                flags.append(
                    {"parameter": f"{flag}=false", "cells": cells, "fits": cells <= max_cells}
                )
    return flags


def _write_sheet(ws: WriteOnlyWorksheet, sheet: Sheet) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.filters import AutoFilter
    from openpyxl.worksheet.table import Table as ExcelTable
    from openpyxl.worksheet.table import TableColumn, TableStyleInfo

    columns = sheet.table.columns
    dimensions = ws.column_dimensions  # type: ignore[attr-defined]  # set at run time, not in stubs
    for index, column in enumerate(columns, start=1):
        dimensions[get_column_letter(index)].width = _width(column)
    ws.freeze_panes = "A2"
    ws.append(list(sheet.table.column_names))
    converters = [(c.name, _converter(ws, c.type)) for c in columns]
    count = 0
    for rows in sheet.batches:
        for row in rows:
            ws.append([convert(row.get(name)) for name, convert in converters])
        count += len(rows)
    ref = f"A1:{get_column_letter(len(columns))}{max(count, 1) + 1}"
    table = ExcelTable(
        displayName=sheet.table.name,
        ref=ref,
        autoFilter=AutoFilter(ref=ref),
        tableStyleInfo=TableStyleInfo(name=TABLE_STYLE, showRowStripes=True),
    )
    table.tableColumns = [TableColumn(id=i, name=c.name) for i, c in enumerate(columns, start=1)]
    ws.tables.add(table)


def _width(column: Column) -> float:
    return max(WIDTHS.get(column.type, 0), len(column.name) + 4)


Converter = Callable[[Any], Any]


def _converter(ws: WriteOnlyWorksheet, kind: ColumnType) -> Converter:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE

    def text(value: Any) -> Any:
        if value is None:
            return None
        cleaned = ILLEGAL_CHARACTERS_RE.sub("", str(value))[:EXCEL_MAX_TEXT]
        if cleaned.startswith("=") or cleaned in ERROR_CODES:
            cell = WriteOnlyCell(ws, value=cleaned)
            cell.data_type = "s"
            return cell
        return cleaned

    converters: dict[ColumnType, Converter] = {
        "string": text,
        "date": _date,
        "datetime": _datetime,
    }
    return converters.get(kind, _as_is)


def _as_is(value: Any) -> Any:
    return value


def _date(value: Any) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def _datetime(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    moment = dt.datetime.fromisoformat(value)
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment
