"""Working-day arithmetic for a calendar given as worked weekdays (Mon=0) and holidays."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    holidays: frozenset[dt.date] = field(default_factory=frozenset)

    @classmethod
    def of(cls, weekdays: Iterable[int], holidays: Iterable[str | dt.date] = ()) -> WorkCalendar:
        return cls(
            frozenset(weekdays),
            frozenset(h if isinstance(h, dt.date) else dt.date.fromisoformat(h) for h in holidays),
        )

    def is_working(self, day: dt.date) -> bool:
        return day.weekday() in self.weekdays and day not in self.holidays

    def next_working(self, day: dt.date) -> dt.date:
        """``day`` itself when worked, else the first worked day after it."""
        while not self.is_working(day):
            day += dt.timedelta(days=1)
        return day

    def add(self, day: dt.date, working_days: int) -> dt.date:
        """The working day ``working_days`` worked days after (or before, if negative) ``day``."""
        step = dt.timedelta(days=1 if working_days >= 0 else -1)
        remaining = abs(working_days)
        while remaining:
            day += step
            if self.is_working(day):
                remaining -= 1
        return day

    def finish(self, start: dt.date, duration_days: int) -> dt.date:
        """Last working day of a task of ``duration_days`` starting on ``start``."""
        return self.add(self.next_working(start), max(duration_days, 1) - 1)

    def days(self, start: dt.date, end: dt.date) -> Iterator[dt.date]:
        """Working days from ``start`` to ``end``, both included."""
        day = start
        while day <= end:
            if self.is_working(day):
                yield day
            day += dt.timedelta(days=1)

    def count(self, start: dt.date, end: dt.date) -> int:
        return sum(1 for _ in self.days(start, end))
