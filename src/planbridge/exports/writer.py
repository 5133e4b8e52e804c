"""Rows to the bytes of an export file, written as they stream: a header row, then one line
per row. CSV is RFC 4180 (comma, double quotes, CRLF); TXT is the same with tabs.

Values are the JSON feed's (as in the feed's CSV download): dates ``YYYY-MM-DD``, date-times
ISO 8601 UTC with a ``Z``, booleans ``true``/``false``; null is an empty field. A text cell that
starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading single quote, as in
the feed's CSV files, unless ``neutralise`` is off (:mod:`planbridge.csv_cells`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from planbridge.csv_cells import delimited_pieces
from planbridge.exports.definition import Definition

Row = dict[str, Any]


def file_pieces(
    definition: Definition, batches: Iterable[list[Row]], *, neutralise: bool = True
) -> Iterator[bytes]:
    return delimited_pieces(
        definition.columns,
        batches,
        delimiter=definition.delimiter,
        bom=definition.bom,
        neutralise=neutralise,
    )


def kept(definition: Definition, batches: Iterable[list[Row]]) -> Iterator[list[Row]]:
    """The rows that pass the action's filters, batch by batch."""
    for rows in batches:
        yield [row for row in rows if definition.keeps(row)]
