"""One feed table as CSV: RFC 4180 (comma, double quotes, CRLF), UTF-8, written as it streams.

Values are the JSON feed's: dates ``YYYY-MM-DD``, date-times ISO 8601 UTC with a ``Z``,
booleans ``true``/``false``, numbers with a ``.`` decimal point; null is an empty field. A text
cell that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading single
quote, as OWASP recommends against CSV injection (unless ``neutralise`` is off, see
:mod:`planbridge.csv_cells`); numbers, negative ones included, are never changed.
"""

from __future__ import annotations

import codecs
import csv
import io
import zlib
from collections.abc import Iterable, Iterator
from typing import Any

from planbridge.catalog import Table
from planbridge.csv_cells import neutralised
from planbridge.feeds.files.rows import Row

MEDIA_TYPE = "text/csv; charset=utf-8; header=present"
GZIP_LEVEL = 6


def csv_bytes(
    table: Table, batches: Iterable[list[Row]], *, bom: bool, neutralise: bool = True
) -> Iterator[bytes]:
    """The header row, then one piece per batch of rows (a stored chunk), encoded as UTF-8."""
    field = _neutralised if neutralise else _field
    names = table.column_names
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    yield (codecs.BOM_UTF8 if bom else b"") + _drain(buffer)
    for rows in batches:
        writer.writerows([field(row.get(name)) for name in names] for row in rows)
        yield _drain(buffer)


def gzipped(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """The same bytes as one gzip member, compressed as they pass."""
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    for piece in pieces:
        out = compressor.compress(piece)
        if out:
            yield out
    yield compressor.flush()


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
