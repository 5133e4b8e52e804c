"""The working-day calendar of a parsed schedule, in the shared calendar model."""

from __future__ import annotations

from planbridge.imports.schedule import ParsedCalendar
from planbridge.planning.calendar import WorkCalendar


def workdays(calendar: ParsedCalendar) -> WorkCalendar:
    """Working days of a parsed calendar (ISO weekdays, holidays)."""
    return WorkCalendar.iso(calendar.working_isoweekdays, calendar.holidays)
