"""The one rule for a new task's activity id: the next numbers of the project's ``A-NNNN``
series, after the highest one in use. Single creates (Plan API, web) and bulk writes (bulk
upsert, imports) both use it, so they never disagree; gaps left by deleted tasks are not filled,
so an id in the middle of the series keeps meaning the task it meant in published versions.
Ids not of the form ``A-<digits>`` (P6 ids, chosen ids) are left alone and never produced."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import islice

from sqlalchemy import select
from sqlalchemy.orm import Session

from planbridge.planning.models import Task
from planbridge.projects.models import Project

SERIES = re.compile(r"^A-(\d+)$")


def following(used: Iterable[str], count: int) -> list[str]:
    """``count`` ids after the highest ``A-NNNN`` in ``used`` (four digits at least)."""
    return list(islice(series_after(used), count))


def series_after(used: Iterable[str]) -> Iterator[str]:
    """The ids after the highest ``A-NNNN`` in ``used``, one at a time, without end."""
    taken = set(used)
    n = max((int(m.group(1)) for a in taken if (m := SERIES.match(a))), default=0)
    while True:
        n += 1
        candidate = f"A-{n:04d}"
        if candidate not in taken:
            yield candidate


def allocate(session: Session, project: Project, count: int = 1) -> list[str]:
    """``count`` new ids for ``project`` (the caller holds the project lock)."""
    used = session.scalars(
        select(Task.activity_id).where(Task.project_id == project.id, Task.activity_id.like("A-%"))
    )
    return following(used, count)
