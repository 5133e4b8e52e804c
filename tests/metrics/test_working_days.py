"""Working-day calendars as the feed's calendars table describes them."""

from __future__ import annotations

import datetime as dt

from metric_rows import calendar

from planbridge.metrics.calendar import CalendarBook, calendar_from_row
from planbridge.planning.calendar import WorkCalendar

MON = dt.date(2026, 3, 2)


def _days(cal: WorkCalendar, first: dt.date, end: dt.date) -> list[int]:
    return [d.day for d in cal.working_days(first, end)]


def test_weekdays_and_holidays_from_feed_columns() -> None:
    name, cal = calendar_from_row(calendar("Std", "1,2,3,4,5", "2026-03-03; 2026-03-05"))
    assert name == "Std"
    assert _days(cal, MON, MON + dt.timedelta(days=7)) == [2, 4, 6]


def test_lists_are_accepted_as_well_as_text() -> None:
    row = {"name": "Std", "working_weekdays": [1, 2, 3, 4, 5, 6, 7], "holidays": ["2026-03-02"]}
    assert _days(calendar_from_row(row)[1], MON, MON + dt.timedelta(days=3)) == [3, 4]


def test_an_empty_or_reversed_range_has_no_days() -> None:
    cal = WorkCalendar()
    assert cal.working_days(MON, MON) == []
    assert cal.working_days(MON, MON - dt.timedelta(days=3)) == []


def test_tasks_without_or_with_an_unknown_calendar_get_the_default() -> None:
    book = CalendarBook.from_rows(
        [calendar("Six", "1,2,3,4,5,6"), calendar("Std", is_default=True)]
    )
    six, std = book.by_name["Six"], book.by_name["Std"]
    assert six != std
    assert book.for_task(None) is std
    assert book.for_task("Gone") is std
    assert book.for_task("Six") is six


def test_without_a_default_calendar_monday_to_friday_applies() -> None:
    book = CalendarBook.from_rows([])
    assert _days(book.for_task(None), MON, MON + dt.timedelta(days=7)) == [2, 3, 4, 5, 6]


def test_days_between_clips_to_task_and_window() -> None:
    book = CalendarBook.from_rows([calendar("Std", is_default=True)])
    cal = book.for_task(None)
    window = (MON, MON + dt.timedelta(days=7))
    days = book.days_between(cal, dt.date(2026, 2, 25), dt.date(2026, 3, 4), window)
    assert [d.day for d in days] == [2, 3, 4]
