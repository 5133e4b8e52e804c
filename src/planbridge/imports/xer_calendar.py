"""Reading the ``clndr_data`` field of a P6 CALENDAR row.

The field is a tree of nodes written as ``(0||NAME(ATTRS)(CHILDREN))``, for example::

    (0||CalendarData()(
      (0||DaysOfWeek()(
        (0||1()())                                  Sunday, no work periods
        (0||2()((0||0(s|08:00|f|12:00)()) ...))      Monday, worked
      ...))
      (0||Exceptions()(
        (0||0(d|45658)())                           2025-01-01, not worked
        (0||1(d|45660)((0||0(s|08:00|f|16:00)())))   a dated change of working time
      ))))

Days of the week count from 1 = Sunday; exception dates are day numbers since 1899-12-30.
Line breaks between nodes are written as DEL characters (0x7F) and are skipped like spaces.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

_EPOCH = dt.date(1899, 12, 30)


@dataclass
class CalendarNode:
    name: str
    attrs: dict[str, str]
    children: list[CalendarNode] = field(default_factory=list)

    def child(self, name: str) -> CalendarNode | None:
        return next((c for c in self.children if c.name == name), None)


@dataclass
class XerWeek:
    """What one ``clndr_data`` says, in ISO weekdays (Monday=1)."""

    working_isoweekdays: tuple[int, ...]
    non_working_dates: tuple[dt.date, ...]
    extra_working_dates: tuple[dt.date, ...]


class CalendarDataError(ValueError):
    """``clndr_data`` does not follow the node grammar."""


def parse_clndr_data(text: str) -> XerWeek:
    """Working weekdays and dated exceptions of one P6 calendar."""
    root = _parse_tree(text)
    days = root.child("DaysOfWeek")
    if days is None:
        raise CalendarDataError("no DaysOfWeek node")
    working = sorted(_iso_weekday(day.name) for day in days.children if _has_work_periods(day))
    off: list[dt.date] = []
    extra: list[dt.date] = []
    exceptions = root.child("Exceptions")
    for exception in exceptions.children if exceptions else []:
        serial = exception.attrs.get("d")
        if serial is None:
            continue
        day = _EPOCH + dt.timedelta(days=int(float(serial)))
        if not _has_work_periods(exception):
            off.append(day)
        elif day.isoweekday() not in working:
            extra.append(day)
    return XerWeek(tuple(working), tuple(sorted(off)), tuple(sorted(extra)))


def _iso_weekday(p6_day: str) -> int:
    number = int(p6_day)
    if not 1 <= number <= 7:
        raise CalendarDataError(f"day of week {p6_day!r} is not 1-7")
    return 7 if number == 1 else number - 1


def _has_work_periods(node: CalendarNode) -> bool:
    return any("s" in period.attrs or "f" in period.attrs for period in node.children)


def _parse_tree(text: str) -> CalendarNode:
    try:
        node, end = _parse_node(text, 0)
    except (IndexError, ValueError) as exc:
        raise CalendarDataError(str(exc)) from None
    if node.name != "CalendarData":
        raise CalendarDataError(f"root node is {node.name!r}, not CalendarData")
    del end
    return node


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and (text[i].isspace() or text[i] == "\x7f"):
        i += 1
    return i


def _expect(text: str, i: int, char: str) -> int:
    i = _skip_space(text, i)
    if text[i] != char:
        raise CalendarDataError(f"expected {char!r} at offset {i}")
    return i + 1


def _parse_node(text: str, i: int) -> tuple[CalendarNode, int]:
    i = _expect(text, i, "(")
    open_attrs = text.index("(", i)
    name = text[i:open_attrs].split("||", 1)[-1].strip()
    close_attrs = text.index(")", open_attrs)
    parts = text[open_attrs + 1 : close_attrs].split("|")
    attrs = {parts[k].strip(): parts[k + 1].strip() for k in range(0, len(parts) - 1, 2)}
    i = _expect(text, close_attrs + 1, "(")
    children: list[CalendarNode] = []
    while True:
        i = _skip_space(text, i)
        if text[i] == ")":
            i += 1
            break
        child, i = _parse_node(text, i)
        children.append(child)
    i = _expect(text, i, ")")
    return CalendarNode(name, attrs, children), i
