"""The live plan as a table: filtered, sorted and paged in SQL, so a page of a 20,000-task
plan reads 50 rows, not 20,000 (the Plan page of the web app)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from planbridge.actors import Actor
from planbridge.errors import InvalidInput
from planbridge.planning.enums import BlockerStatus, TaskStatus
from planbridge.planning.models import Blocker, Location, Subcontractor, Task
from planbridge.projects.models import Project
from planbridge.projects.permissions import require_member

PAGE_SIZES: Final = (50, 100, 200)
SORTS: Final[dict[str, Any]] = {
    "activity": Task.activity_id,
    "task": Task.name,
    "subcontractor": Subcontractor.name,
    "location": Location.name,
    "start": Task.start_date,
    "finish": Task.end_date,
    "status": Task.status,
    "committed": Task.committed,
}
"""The columns a table may be sorted by (``sort=`` values), each a column of the query."""
NO_SUBCONTRACTOR: Final = "none"
S = TypeVar("S", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True, slots=True)
class PlanQuery:
    """Validated filters, sort and page; :func:`parse_query` makes one from query text."""

    subcontractor_id: int | None = None
    """A subcontractor's id; ``0`` for tasks without one."""
    status: TaskStatus | None = None
    week: dt.date | None = None
    """The Monday of an ISO week: tasks whose dates overlap that week."""
    sort: str = "start"
    descending: bool = False
    page: int = 1
    size: int = PAGE_SIZES[0]


@dataclass(frozen=True, slots=True)
class PlanRow:
    task_id: int
    activity_id: str
    name: str
    subcontractor: str | None
    trade: str | None
    location: str | None
    start: dt.date
    finish: dt.date
    status: TaskStatus
    committed: bool
    open_blockers: int


@dataclass(frozen=True, slots=True)
class PlanPage:
    query: PlanQuery
    rows: list[PlanRow]
    total: int
    """Tasks in the live plan."""
    matching: int
    """Tasks that pass the filters."""
    by_status: dict[str, int] = field(default_factory=dict)
    """Matching tasks per status."""
    subcontractors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.matching // self.query.size))


def _week(text: str) -> dt.date:
    """``2026-W48`` (as an ``<input type=week>`` sends it) or any date inside the week."""
    try:
        if "W" in text.upper():
            year, week = text.upper().split("-W")
            return dt.date.fromisocalendar(int(year), int(week), 1)
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"Week '{text[:20]}' is not a week: write it as 2026-W48, or as a date in the week "
            "(2026-11-23)."
        ) from None
    return day - dt.timedelta(days=day.weekday())


def _number(text: str, what: str, low: int, high: int) -> int:
    if not text.isdigit() or not low <= int(text) <= high:
        raise InvalidInput(f"{what} must be a whole number from {low} to {high:,}.")
    return int(text)


def parse_query(params: dict[str, str]) -> PlanQuery:
    """The filters of a query string, each checked with a message saying what is expected."""
    sub = params.get("subcontractor", "").strip()
    status = params.get("status", "").strip()
    week = params.get("week", "").strip()
    sort = params.get("sort", "").strip() or "start"
    order = params.get("order", "").strip() or "asc"
    size = params.get("size", "").strip() or str(PAGE_SIZES[0])
    if status and status not in TaskStatus.__members__:
        raise InvalidInput(
            f"Status '{status[:40]}' is not one of: {', '.join(TaskStatus.__members__)}."
        )
    if sort not in SORTS:
        raise InvalidInput(f"Sort '{sort[:40]}' is not one of: {', '.join(SORTS)}.")
    if order not in ("asc", "desc"):
        raise InvalidInput("Order must be asc or desc.")
    if not size.isdigit() or int(size) not in PAGE_SIZES:
        raise InvalidInput(f"Page size must be one of {', '.join(map(str, PAGE_SIZES))}.")
    return PlanQuery(
        subcontractor_id=(
            0
            if sub == NO_SUBCONTRACTOR
            else _number(sub, "Subcontractor", 1, 2**31 - 1)
            if sub
            else None
        ),
        status=TaskStatus(status) if status else None,
        week=_week(week) if week else None,
        sort=sort,
        descending=order == "desc",
        page=_number(params.get("page", "").strip() or "1", "Page", 1, 1_000_000),
        size=int(size),
    )


def _filtered(project: Project, query: PlanQuery, stmt: S) -> S:
    stmt = stmt.where(Task.project_id == project.id)
    if query.subcontractor_id == 0:
        stmt = stmt.where(Task.subcontractor_id.is_(None))
    elif query.subcontractor_id is not None:
        stmt = stmt.where(Task.subcontractor_id == query.subcontractor_id)
    if query.status is not None:
        stmt = stmt.where(Task.status == query.status)
    if query.week is not None:
        sunday = query.week + dt.timedelta(days=6)
        stmt = stmt.where(and_(Task.start_date <= sunday, Task.end_date >= query.week))
    return stmt


def _page_ids(project: Project, query: PlanQuery, page: int) -> Select[int]:
    """The ids of one page, in order: only the sort key is read (from an index where the sort is
    by start, finish or status), then the page's rows are read by id."""
    key = SORTS[query.sort]
    stmt = select(Task.id)
    if query.sort == "subcontractor":
        stmt = stmt.outerjoin(Subcontractor, Subcontractor.id == Task.subcontractor_id)
    elif query.sort == "location":
        stmt = stmt.outerjoin(Location, Location.id == Task.location_id)
    order = [key.desc() if query.descending else key.asc(), Task.id]
    return (
        _filtered(project, query, stmt)
        .order_by(*order)
        .limit(query.size)
        .offset((page - 1) * query.size)
    )


def plan_page(session: Session, project: Project, actor: Actor, query: PlanQuery) -> PlanPage:
    """One page of the live plan as the query asks; any member reads it."""
    require_member(session, project, actor)
    by_status = {
        status.value if isinstance(status, TaskStatus) else str(status): count
        for status, count in session.execute(
            _filtered(project, query, select(Task.status, func.count())).group_by(Task.status)
        ).all()
    }
    matching = sum(by_status.values())
    total = session.scalar(
        select(func.count()).select_from(Task).where(Task.project_id == project.id)
    )
    pages = max(1, -(-matching // query.size))
    page = min(query.page, pages)
    ids = list(session.scalars(_page_ids(project, query, page)))
    details = {
        r[0]: r
        for r in session.execute(
            select(
                Task.id,
                Task.activity_id,
                Task.name,
                Subcontractor.name,
                Subcontractor.trade,
                Location.name,
                Task.start_date,
                Task.end_date,
                Task.status,
                Task.committed,
            )
            .outerjoin(Subcontractor, Subcontractor.id == Task.subcontractor_id)
            .outerjoin(Location, Location.id == Task.location_id)
            .where(Task.id.in_(ids))
        )
    }
    found = [details[i] for i in ids]
    blockers = dict(
        session.execute(
            select(Blocker.task_id, func.count())
            .where(
                Blocker.task_id.in_([r[0] for r in found]),
                Blocker.status == BlockerStatus.open,
            )
            .group_by(Blocker.task_id)
        ).all()
    )
    return PlanPage(
        query=PlanQuery(
            query.subcontractor_id,
            query.status,
            query.week,
            query.sort,
            query.descending,
            page,
            query.size,
        ),
        rows=[
            PlanRow(
                task_id=r[0],
                activity_id=r[1],
                name=r[2],
                subcontractor=r[3],
                trade=r[4],
                location=r[5],
                start=r[6],
                finish=r[7],
                status=r[8],
                committed=r[9],
                open_blockers=blockers.get(r[0], 0),
            )
            for r in found
        ],
        total=total or 0,
        matching=matching,
        by_status=by_status,
        subcontractors=[
            (i, n)
            for i, n in session.execute(
                select(Subcontractor.id, Subcontractor.name)
                .where(Subcontractor.project_id == project.id)
                .order_by(Subcontractor.name)
            )
        ],
    )
