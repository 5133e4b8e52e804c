"""Working-day arithmetic used for durations and computed end dates."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from planbridge.imports import ParsedCalendar, workdays
from planbridge.imports.encoding import guess_encoding

MONDAY = dt.date(2025, 3, 3)


def test_count_skips_weekends_and_holidays() -> None:
    days = workdays(ParsedCalendar("Std", holidays=(dt.date(2025, 3, 5), dt.date(2025, 3, 8))))

    assert days.count(MONDAY, MONDAY + dt.timedelta(days=13)) == 9  # 10 weekdays less Wed 5
    assert days.count(MONDAY, MONDAY - dt.timedelta(days=1)) == 0
    assert days.finish(MONDAY, 3) == dt.date(2025, 3, 6)


def test_a_task_starting_on_a_weekend_ends_after_its_working_days() -> None:
    days = workdays(ParsedCalendar("Std"))

    assert days.finish(dt.date(2025, 3, 1), 1) == MONDAY


@given(
    weekdays=st.sets(st.integers(1, 7), min_size=1),
    offset=st.integers(0, 400),
    span=st.integers(0, 400),
)
def test_count_agrees_with_a_day_by_day_walk(weekdays: set[int], offset: int, span: int) -> None:
    calendar = ParsedCalendar("x", tuple(sorted(weekdays)), (MONDAY + dt.timedelta(days=10),))
    days = workdays(calendar)
    start = MONDAY + dt.timedelta(days=offset)
    end = start + dt.timedelta(days=span)

    walked = sum(days.is_working(start + dt.timedelta(days=i)) for i in range(span + 1))

    assert days.count(start, end) == walked
    if walked:
        assert days.count(start, days.finish(start, walked)) == walked


def test_encoding_guess_tells_cyrillic_from_western_text() -> None:
    assert guess_encoding("Задача 1 – бетонные работы".encode("cp1251")) == "cp1251"
    assert guess_encoding("Coût £ 5 € – façade “A”".encode("cp1252")) == "cp1252"
    assert guess_encoding(b"plain") == "utf-8"
    assert guess_encoding("\ufeffé".encode()) == "utf-8-sig"
