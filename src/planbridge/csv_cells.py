"""CSV cells a spreadsheet would run as a formula, and how they are made safe.

Excel, LibreOffice and Google Sheets read a cell that starts with ``=``, ``+``, ``-``, ``@``,
tab or carriage return as a formula, so a task named ``=HYPERLINK(...)`` would run when a
downloaded CSV is opened ("CSV injection"). As OWASP recommends, such a text cell gets a
leading single quote, which spreadsheets show as text. Numbers, negative ones included, are
never changed. Used by the feed's CSV files and the connector's export files alike, both
switched by the ``csv_neutralise_formulas`` setting.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make Excel, LibreOffice or Sheets read a cell as a formula."""


def neutralised(value: Any) -> Any:
    """``value`` with a leading ``'`` if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def delimited_pieces(
    columns: Sequence[str],
    batches: Iterable[list[dict[str, Any]]],
    *,
    delimiter: str = ",",
    bom: bool = False,
    neutralise: bool = True,
) -> Iterator[bytes]:
    """Rows as RFC 4180 text (double quotes, CRLF; ``delimiter`` between fields), UTF-8, as
    they stream: the header row (after a UTF-8 BOM if ``bom``), then one piece per batch.
    Values are the JSON feed's: null is an empty field, booleans ``true``/``false``; text a
    spreadsheet would run is neutralised unless ``neutralise`` is off. Shared by the feed's
    CSV files and the connector's export files."""
    field = _neutralised_field if neutralise else _field
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    yield (codecs.BOM_UTF8 if bom else b"") + _drain(buffer)
    for rows in batches:
        writer.writerows([field(row.get(name)) for name in columns] for row in rows)
        yield _drain(buffer)


def _field(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _neutralised_field(value: Any) -> Any:
    return _field(neutralised(value))


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data
