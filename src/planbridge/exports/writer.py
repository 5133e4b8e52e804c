"""Rows to the bytes of an export file, written as they stream: a header row, then one line
per row. CSV is RFC 4180 (comma, double quotes, CRLF); TXT is the same with tabs.

Values are the JSON feed's (as in the feed's CSV download): dates ``YYYY-MM-DD``, date-times
ISO 8601 UTC with a ``Z``, booleans ``true``/``false``; null is an empty field. A text cell that
starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading single quote, as in
the feed's CSV files, unless ``neutralise`` is off (:mod:`planbridge.csv_cells`).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from planbridge.csv_cells import neutralised
from planbridge.exports.definition import Definition

Row = dict[str, Any]


def file_pieces(
    definition: Definition, batches: Iterable[list[Row]], *, neutralise: bool = True
) -> Iterator[bytes]:
    field = _neutralised if neutralise else _field
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=definition.delimiter, lineterminator="\r\n")
    writer.writerow(definition.columns)
    yield (codecs.BOM_UTF8 if definition.bom else b"") + _drain(buffer)
    for rows in batches:
        writer.writerows([field(row.get(name)) for name in definition.columns] for row in rows)
        yield _drain(buffer)


def kept(definition: Definition, batches: Iterable[list[Row]]) -> Iterator[list[Row]]:
    """The rows that pass the action's filters, batch by batch."""
    for rows in batches:
        yield [row for row in rows if definition.keeps(row)]


def _field(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _neutralised(value: Any) -> Any:
    return _field(neutralised(value))


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data
