"""One feed table as CSV: RFC 4180 (comma, double quotes, CRLF), UTF-8, written as it streams.

Values are the JSON feed's: dates ``YYYY-MM-DD``, date-times ISO 8601 UTC with a ``Z``,
booleans ``true``/``false``, numbers with a ``.`` decimal point; null is an empty field. A text
cell that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading single
quote, as OWASP recommends against CSV injection (unless ``neutralise`` is off, see
:mod:`planbridge.csv_cells`); numbers, negative ones included, are never changed.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

from planbridge.catalog import Table
from planbridge.csv_cells import delimited_pieces
from planbridge.feeds.files.rows import Row

MEDIA_TYPE = "text/csv; charset=utf-8; header=present"
GZIP_LEVEL = 6


def csv_bytes(
    table: Table, batches: Iterable[list[Row]], *, bom: bool, neutralise: bool = True
) -> Iterator[bytes]:
    """The header row, then one piece per batch of rows (a stored chunk), encoded as UTF-8."""
    return delimited_pieces(table.column_names, batches, bom=bom, neutralise=neutralise)


def gzipped(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """The same bytes as one gzip member, compressed as they pass."""
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    for piece in pieces:
        out = compressor.compress(piece)
        if out:
            yield out
    yield compressor.flush()
