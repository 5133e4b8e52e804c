"""Working-day arithmetic on a ``ParsedCalendar``: durations and end dates in whole days."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right

from planbridge.imports.schedule import ParsedCalendar

_ONE_DAY = dt.timedelta(days=1)
_MAX_SPAN_DAYS = 366 * 50


class Workdays:
    """Counts working days of one calendar; holidays on non-working weekdays are ignored."""

    def __init__(self, calendar: ParsedCalendar) -> None:
        self.weekdays = frozenset(calendar.working_isoweekdays)
        self.holidays = sorted(
            {day for day in calendar.holidays if day.isoweekday() in self.weekdays}
        )

    def is_working(self, day: dt.date) -> bool:
        if day.isoweekday() not in self.weekdays:
            return False
        i = bisect_left(self.holidays, day)
        return not (i < len(self.holidays) and self.holidays[i] == day)

    def count(self, start: dt.date, end: dt.date) -> int:
        """Working days from ``start`` to ``end``, both included (0 when end is before start)."""
        if end < start:
            return 0
        full_weeks, rest = divmod((end - start).days + 1, 7)
        total = full_weeks * len(self.weekdays)
        first = start.isoweekday() - 1
        total += sum(1 for i in range(rest) if (first + i) % 7 + 1 in self.weekdays)
        total -= bisect_right(self.holidays, end) - bisect_left(self.holidays, start)
        return total

    def end_after(self, start: dt.date, days: int) -> dt.date:
        """The last day of a task that starts on ``start`` and lasts ``days`` working days."""
        if not self.weekdays:
            return start + (days - 1) * _ONE_DAY
        day, left = start, days
        for _ in range(_MAX_SPAN_DAYS):
            if self.is_working(day):
                left -= 1
                if left <= 0:
                    return day
            day += _ONE_DAY
        return day


def duration_days(workdays: Workdays, start: dt.date, end: dt.date) -> int:
    """A task's duration in working days: at least 1, even for a span of non-working days."""
    return max(1, workdays.count(start, end))
