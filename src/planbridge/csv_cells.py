"""CSV cells a spreadsheet would run as a formula, and how they are made safe.

Excel, LibreOffice and Google Sheets read a cell that starts with ``=``, ``+``, ``-``, ``@``,
tab or carriage return as a formula, so a task named ``=HYPERLINK(...)`` would run when a
downloaded CSV is opened ("CSV injection"). As OWASP recommends, such a text cell gets a
leading single quote, which spreadsheets show as text. Numbers, negative ones included, are
never changed. Used by the feed's CSV files and the connector's export files alike, both
switched by the ``csv_neutralise_formulas`` setting.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make Excel, LibreOffice or Sheets read a cell as a formula."""


def neutralised(value: Any) -> Any:
    """``value`` with a leading ``'`` if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
