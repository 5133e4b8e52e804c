"""Working-day arithmetic: the one calendar model that planning, imports and metrics share.

A calendar is the set of worked ISO weekdays (1 = Monday) minus dated holidays. The database
stores weekdays with Monday = 0 (:meth:`WorkCalendar.of`); parsed schedules and feed rows use
ISO numbers (:meth:`WorkCalendar.iso`).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

ONE_DAY = dt.timedelta(days=1)
MAX_SPAN_DAYS = 366 * 50
"""Walks stop after this many days, so a calendar without working days cannot hang."""
MONDAY_TO_FRIDAY = frozenset({1, 2, 3, 4, 5})


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    isoweekdays: frozenset[int] = MONDAY_TO_FRIDAY
    holidays: frozenset[dt.date] = field(default_factory=frozenset)

    @classmethod
    def of(cls, weekdays: Iterable[int], holidays: Iterable[str | dt.date] = ()) -> WorkCalendar:
        """From the database's form: weekdays with Monday = 0, holidays as ISO strings."""
        return cls.iso((d + 1 for d in weekdays), holidays)

    @classmethod
    def iso(
        cls, isoweekdays: Iterable[int], holidays: Iterable[str | dt.date] = ()
    ) -> WorkCalendar:
        """From ISO weekdays (Monday = 1)."""
        return cls(
            frozenset(isoweekdays),
            frozenset(h if isinstance(h, dt.date) else dt.date.fromisoformat(h) for h in holidays),
        )

    def is_working(self, day: dt.date) -> bool:
        return day.isoweekday() in self.isoweekdays and day not in self.holidays

    def next_working(self, day: dt.date) -> dt.date:
        """``day`` itself when worked, else the first worked day after it."""
        for _ in range(MAX_SPAN_DAYS):
            if self.is_working(day):
                return day
            day += ONE_DAY
        return day

    def add(self, day: dt.date, working_days: int) -> dt.date:
        """The day ``working_days`` worked days after (or before, if negative) ``day``."""
        step = ONE_DAY if working_days >= 0 else -ONE_DAY
        remaining = abs(working_days)
        for _ in range(MAX_SPAN_DAYS):
            if not remaining:
                break
            day += step
            if self.is_working(day):
                remaining -= 1
        return day

    def finish(self, start: dt.date, duration_days: int) -> dt.date:
        """Last working day of a task of ``duration_days`` starting on (or after) ``start``."""
        if not self.isoweekdays:
            return start + (max(duration_days, 1) - 1) * ONE_DAY
        return self.add(self.next_working(start), max(duration_days, 1) - 1)

    def days(self, start: dt.date, end: dt.date) -> Iterator[dt.date]:
        """Working days from ``start`` to ``end``, both included."""
        day = start
        while day <= end:
            if self.is_working(day):
                yield day
            day += ONE_DAY

    def working_days(self, first: dt.date, end: dt.date) -> list[dt.date]:
        """Working days from ``first`` (included) to ``end`` (excluded), in order."""
        return list(self.days(first, end - ONE_DAY))

    def count(self, start: dt.date, end: dt.date) -> int:
        """Working days from ``start`` to ``end``, both included (0 when end is before start).

        Whole weeks are counted arithmetically, so long spans cost no day-by-day walk.
        """
        if end < start:
            return 0
        full_weeks, rest = divmod((end - start).days + 1, 7)
        total = full_weeks * len(self.isoweekdays)
        first = start.isoweekday() - 1
        total += sum(1 for i in range(rest) if (first + i) % 7 + 1 in self.isoweekdays)
        worked_holidays = self._worked_holidays()
        return total - (bisect_right(worked_holidays, end) - bisect_left(worked_holidays, start))

    def duration(self, start: dt.date, end: dt.date) -> int:
        """A task's duration in working days: at least 1, even over non-working days only."""
        return max(1, self.count(start, end))

    def _worked_holidays(self) -> list[dt.date]:
        return sorted(h for h in self.holidays if h.isoweekday() in self.isoweekdays)
