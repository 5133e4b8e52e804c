"""Feed dates and datetimes, and the window between two publications in project time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from planbridge.metrics.errors import MetricsInputError


def parse_date(value: object) -> dt.date:
    """A feed ``date`` (``YYYY-MM-DD``); ``date`` objects pass through."""
    if type(value) is dt.date:  # the common cases first: this runs for every row
        return value
    if type(value) is str:
        return _date_from_text(value)
    if isinstance(value, dt.datetime):
        raise MetricsInputError(f"expected a date, got the datetime {value!r}")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise MetricsInputError(f"{value!r} is not a YYYY-MM-DD date") from exc
    raise MetricsInputError(f"expected a date, got {value!r}")


@lru_cache(maxsize=8192)
def _date_from_text(value: str) -> dt.date:
    """Plans repeat the same few thousand dates: each text is parsed once."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise MetricsInputError(f"{value!r} is not a YYYY-MM-DD date") from exc


def parse_optional_date(value: object) -> dt.date | None:
    return None if value is None else parse_date(value)


def parse_datetime(value: object) -> dt.datetime:
    """A feed ``datetime`` (ISO 8601, ``Z`` for UTC); naive values are taken as UTC."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError as exc:
            raise MetricsInputError(f"{value!r} is not an ISO 8601 datetime") from exc
    if not isinstance(value, dt.datetime):
        raise MetricsInputError(f"expected a datetime, got {value!r}")
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def project_zone(timezone: str) -> ZoneInfo:
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise MetricsInputError(f"unknown time zone {timezone!r}") from exc


def local_date(moment: dt.datetime, zone: ZoneInfo) -> dt.date:
    """The calendar date of ``moment`` on the project's wall clock."""
    return moment.astimezone(zone).date()


@dataclass(frozen=True, slots=True)
class Window:
    """The days from P's publication date (inclusive) to C's (exclusive), in project time."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise MetricsInputError(
                f"the current version ({self.end}) was published before the previous one "
                f"({self.start})"
            )

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day < self.end

    @property
    def bounds(self) -> tuple[dt.date, dt.date]:
        return (self.start, self.end)
