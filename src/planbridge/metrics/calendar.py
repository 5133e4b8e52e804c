"""Working-day arithmetic over the calendars of one published version."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from planbridge.metrics.dates import parse_date
from planbridge.metrics.errors import MetricsInputError
from planbridge.planning.calendar import MONDAY_TO_FRIDAY, WorkCalendar


def calendar_from_row(row: Mapping[str, Any]) -> tuple[str, WorkCalendar]:
    """A ``calendars`` feed row as (name, calendar)."""
    return str(row["name"]), WorkCalendar.iso(
        _parse_weekdays(row.get("working_weekdays")), _parse_holidays(row.get("holidays"))
    )


def _split(value: object, sep: str, column: str) -> list[str]:
    if isinstance(value, str):
        parts = value.split(sep)
    elif isinstance(value, list | tuple | set | frozenset):
        parts = [str(p) for p in value]
    else:
        raise MetricsInputError(f"calendar {column} {value!r} is neither text nor a list")
    return [p.strip() for p in parts if p.strip()]


def _parse_weekdays(value: object) -> frozenset[int]:
    if value is None:
        return MONDAY_TO_FRIDAY
    try:
        weekdays = frozenset(int(p) for p in _split(value, ",", "working_weekdays"))
    except ValueError as exc:
        raise MetricsInputError(f"calendar working_weekdays {value!r} is not 1..7") from exc
    if not weekdays <= set(range(1, 8)):
        raise MetricsInputError(f"calendar working_weekdays {value!r} is not 1..7")
    return weekdays


def _parse_holidays(value: object) -> list[dt.date]:
    if value is None:
        return []
    return [parse_date(p) for p in _split(value, ";", "holidays")]


@dataclass(slots=True)
class CalendarBook:
    """A version's calendars by name, and the default one for tasks that name none.

    A task naming an unknown calendar also gets the default; a version without calendars (or
    without a default) falls back to Monday to Friday with no holidays.
    """

    by_name: dict[str, WorkCalendar]
    default: WorkCalendar
    _window_days: dict[tuple[WorkCalendar, dt.date, dt.date], list[dt.date]] = field(
        default_factory=dict
    )

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]]) -> CalendarBook:
        calendars = [(*calendar_from_row(row), bool(row.get("is_default"))) for row in rows]
        by_name = {name: cal for name, cal, _ in calendars}
        defaults = [cal for _, cal, is_default in calendars if is_default]
        default = defaults[0] if defaults else WorkCalendar()
        return cls(by_name=by_name, default=default)

    def for_task(self, name: str | None) -> WorkCalendar:
        if name is None:
            return self.default
        return self.by_name.get(name, self.default)

    def days_between(
        self, calendar: WorkCalendar, first: dt.date, last: dt.date, window: tuple[dt.date, dt.date]
    ) -> list[dt.date]:
        """Working days of ``calendar`` in [first, last] that also fall in ``window`` [start, end).

        The window's working days are computed once per calendar, then sliced by bisection,
        so this stays cheap for tens of thousands of tasks.
        """
        key = (calendar, *window)
        days = self._window_days.get(key)
        if days is None:
            days = calendar.working_days(*window)
            self._window_days[key] = days
        return days[bisect.bisect_left(days, first) : bisect.bisect_right(days, last)]
