"""Dates written as text in CSV (and XLSX text cells): ISO, day-first or month-first.

Excel saves a CSV with the dates as the machine's regional settings show them: ``25/03/2025``
in most of Europe, ``3/25/2025`` in the United States, with ``/``, ``.`` or ``-`` between the
parts, sometimes a two-digit year or a time after the date. ``date_format`` says how to read
them:

- ``auto`` (the default): ISO dates (``2025-03-25``, also with a time) always; other numeric
  dates in the order the file itself proves. A day above 12 in the first place proves
  day-first, in the second place month-first. A CSV whose numeric dates could be either (every
  part 12 or less) is refused, naming a row, rather than guessed; so is one that mixes both.
- ``dmy``: day first (``25/03/2025``, ``25.03.25``); ISO dates too.
- ``mdy``: month first (``03/25/2025``); ISO dates too.
- ``ymd``: year first only (``2025-03-25``, ``2025/03/25``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from enum import StrEnum

from planbridge.imports.errors import ImportFileError


class DateFormat(StrEnum):
    auto = "auto"
    dmy = "dmy"
    mdy = "mdy"
    ymd = "ymd"


DATE_FORMATS = tuple(f.value for f in DateFormat)


class AmbiguousDates(ImportFileError):
    """A file read with ``auto`` whose numeric dates could be day-first or month-first."""


_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?)?"
_NUMERIC = re.compile(rf"(\d{{1,2}})([./-])(\d{{1,2}})\2(\d{{4}}|\d{{2}}){_TIME}")
_YEAR_FIRST = re.compile(rf"(\d{{4}})([./-])(\d{{1,2}})\2(\d{{1,2}}){_TIME}")
_EXAMPLES = {
    DateFormat.dmy: "DD/MM/YYYY or YYYY-MM-DD",
    DateFormat.mdy: "MM/DD/YYYY or YYYY-MM-DD",
    DateFormat.ymd: "YYYY-MM-DD",
    DateFormat.auto: "YYYY-MM-DD (or choose the order: --date-format dmy or mdy, date_format in "
    "the API, Dates in the file on the Import page)",
}


def checked(value: str | None) -> DateFormat:
    """``value`` as a :class:`DateFormat` (``None``: ``auto``), or a clear error."""
    if value is None:
        return DateFormat.auto
    try:
        return DateFormat(value.strip().lower())
    except ValueError:
        raise ImportFileError(
            f"Unknown date format {value!r}: use one of {', '.join(DATE_FORMATS)}.",
            hint="dmy reads 25/03/2025 (day first), mdy reads 03/25/2025 (month first).",
        ) from None


def parse(raw: str, order: DateFormat) -> dt.date | None:
    """The date ``raw`` holds in ``order`` (``auto`` here means ISO only), or ``None``."""
    raw = raw.strip()
    try:
        return dt.datetime.fromisoformat(raw).date()
    except ValueError:
        pass
    year_first = _YEAR_FIRST.fullmatch(raw)
    if year_first:
        return _date(year_first.group(1), year_first.group(3), year_first.group(4))
    numeric = _NUMERIC.fullmatch(raw)
    if numeric is None or order not in (DateFormat.dmy, DateFormat.mdy):
        return None
    first, second, year = numeric.group(1), numeric.group(3), numeric.group(4)
    day, month = (first, second) if order is DateFormat.dmy else (second, first)
    return _date(year, month, day)


def is_numeric(raw: str) -> bool:
    """Whether ``raw`` is a day-first or month-first date (``3/4/2025``, ``25.03.25``)."""
    return _NUMERIC.fullmatch(raw.strip()) is not None


def expected(order: DateFormat) -> str:
    """How a date should be written in ``order``, for messages."""
    return _EXAMPLES[order]


def _date(year: str, month: str, day: str) -> dt.date | None:
    number = int(year)
    if len(year) == 2:
        number += 2000 if number < 69 else 1900  # as strptime's %y
    try:
        return dt.date(number, int(month), int(day))
    except ValueError:
        return None


def detect(cells: Iterable[tuple[int, str, str]]) -> tuple[DateFormat, str | None]:
    """The order the numeric dates of a file prove, from ``(row, column, text)`` cells, and a
    note saying how it was decided (``None`` when every date is ISO). Raises
    :class:`ImportFileError` on a file whose dates are ambiguous or mixed."""
    proof: dict[DateFormat, tuple[int, str, str]] = {}
    ambiguous: tuple[int, str, str] | None = None
    for row, column, text in cells:
        numeric = _NUMERIC.fullmatch(text.strip())
        if numeric is None:
            continue
        first, second = int(numeric.group(1)), int(numeric.group(3))
        if first > 12 >= second:
            proof.setdefault(DateFormat.dmy, (row, column, text))
        elif second > 12 >= first:
            proof.setdefault(DateFormat.mdy, (row, column, text))
        elif first <= 12 and second <= 12 and ambiguous is None:
            ambiguous = (row, column, text)
    if DateFormat.dmy in proof and DateFormat.mdy in proof:
        d, m = proof[DateFormat.dmy], proof[DateFormat.mdy]
        raise ImportFileError(
            f"The file mixes day-first and month-first dates: row {d[0]} has {d[1]} "
            f"{d[2]!r} (day first) and row {m[0]} has {m[1]} {m[2]!r} (month first).",
            hint="Write every date the same way, preferably YYYY-MM-DD, and import again.",
            details={"rows": [d[0], m[0]]},
        )
    for order, (row, column, text) in proof.items():
        kind = "day" if order is DateFormat.dmy else "month"
        return order, (
            f"dates read {kind} first ({order.value}), as row {row} shows ({column} "
            f"{text!r}); choose another order with --date-format (API: date_format; Import "
            "page: Dates in the file)"
        )
    if ambiguous is not None:
        row, column, text = ambiguous
        raise AmbiguousDates(
            f"The dates are ambiguous: row {row} has {column} {text!r}, which is day-first or "
            "month-first, and no date in the file has a day above 12 to tell which.",
            hint="Say which with --date-format dmy (day first, 25/03/2025) or --date-format mdy "
            "(month first, 03/25/2025); through the API, date_format=dmy or mdy. Or write the "
            "dates as YYYY-MM-DD.",
            details={"row": row},
        )
    return DateFormat.ymd, None
