"""Build a believable demo project: subcontractors, levels and zones, a WBS, tasks, links and
resources, then W weeks in which work progresses, some tasks slip with delay reasons, blockers
are raised and resolved, and a version is published at the end of each week.

Deterministic for a seed (given the same ``now``). Writes in bulk so ``--tasks 20000`` is quick.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from planbridge.actors import Actor
from planbridge.demo.vocabulary import (
    ACTIVITIES,
    BLOCKER_CATEGORIES,
    BLOCKER_TITLES,
    DELAY_REASONS,
    TRADES,
)
from planbridge.planning.calendar import WorkCalendar
from planbridge.planning.models import (
    Blocker,
    BlockerCategory,
    DelayReason,
    Folder,
    Location,
    Package,
    ProgressUpdate,
    Subcontractor,
    Task,
    TaskLink,
    TaskResource,
)
from planbridge.projects import service as projects
from planbridge.projects.models import Project, User
from planbridge.publishing.service import publish

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class DemoResult:
    project: Project
    tasks: int
    versions: int


@dataclass(slots=True)
class _Task:
    id: int
    start: dt.date
    end: dt.date
    duration: int
    milestone: bool
    done: bool = False
    started: bool = False


def build(
    session: Session,
    *,
    tasks: int = 300,
    weeks: int = 6,
    seed: int = 1,
    now: dt.datetime,
    chunk_rows: int = 2000,
    code: str = "DEMO",
    name: str = "Riverside Tower",
    tier: str = "enterprise",
    progress: Progress | None = None,
) -> DemoResult:
    if tasks < 10:
        raise ValueError("a demo needs at least 10 tasks")
    if weeks < 1:
        raise ValueError("a demo needs at least one week")
    rng = random.Random(seed)
    report = progress or (lambda _step, _done, _total: None)
    project = projects.create_project(
        session,
        name=name,
        code=code,
        organisation="Demo Construction Ltd",
        timezone="Europe/London",
        tier=tier,
    )
    users = _users(session, project)
    admin = users[0]
    lists = _lists(session, project, rng)
    calendar = WorkCalendar()
    first_publication = now - dt.timedelta(weeks=weeks - 1)
    plan_start = first_publication.date() - dt.timedelta(days=14)
    horizon_days = max(70, 7 * (weeks + 10))
    state = _tasks(
        session, project, rng, tasks, plan_start, horizon_days, users, lists, calendar, report
    )
    _links_and_resources(session, project, rng, state, report)
    actor = Actor(label=admin.email, user_id=admin.id)
    previous = first_publication - dt.timedelta(weeks=1)
    for week in range(weeks):
        published_at = first_publication + dt.timedelta(weeks=week)
        _simulate_week(
            session, rng, state, lists, users, project.id, previous.date(), published_at, calendar
        )
        publish(
            session,
            project,
            actor,
            now=published_at,
            chunk_rows=chunk_rows,
            comment=f"Weekly coordination meeting {week + 1}",
        )
        previous = published_at
        report("publish", week + 1, weeks)
    return DemoResult(project=project, tasks=len(state), versions=weeks)


def _users(session: Session, project: Project) -> list[User]:
    people = [
        ("Aoife Brennan", "admin"),
        ("Marcus Oyelaran", "admin"),
        ("Zoë Lefèvre", "member"),
        ("Tomasz Wiśniewski", "member"),
        ("Priya Raman", "member"),
        ("Liam O'Connor", "member"),
        ("Grace Mensah", "member"),
        ("Søren Dahl", "member"),
    ]
    users = []
    for full_name, role in people:
        ascii_name = unicodedata.normalize("NFKD", full_name.split()[0].replace("ø", "o")).encode(
            "ascii", "ignore"
        )
        email = f"{ascii_name.decode().lower()}.{project.code.lower()}@demo.example"
        user = session.scalar(select(User).where(User.email == email)) or projects.create_user(
            session, email=email, name=full_name, organisation="Demo Construction Ltd"
        )
        projects.add_member(session, project, user, role)
        users.append(user)
    return users


def _insert_ids(session: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    result = session.execute(insert(model).returning(model.id, sort_by_parameter_order=True), rows)
    return [row[0] for row in result]


def _lists(session: Session, project: Project, rng: random.Random) -> dict[str, Any]:
    pid = project.id
    trades = rng.sample(TRADES, rng.randint(8, 12))
    sub_ids = _insert_ids(
        session,
        Subcontractor,
        [{"project_id": pid, "name": company, "trade": trade} for trade, company, _ in trades],
    )
    levels = rng.randint(5, 9)
    level_ids = _insert_ids(
        session,
        Location,
        [{"project_id": pid, "name": f"Level {n:02d}", "kind": "level"} for n in range(levels)],
    )
    zone_rows = [
        {"project_id": pid, "name": f"Level {n:02d} Zone {z}", "kind": "zone", "parent_id": lid}
        for n, lid in enumerate(level_ids)
        for z in "ABCD"
    ]
    zone_ids = _insert_ids(session, Location, zone_rows)
    groups = sorted({group for _, _, group in trades})
    group_ids = _insert_ids(
        session,
        Folder,
        [{"project_id": pid, "code": str(i + 1), "name": g} for i, g in enumerate(groups)],
    )
    folder_rows = [
        {
            "project_id": pid,
            "code": f"{groups.index(group) + 1}.{n + 1}",
            "name": f"{group} - Level {n:02d}",
            "parent_id": group_ids[groups.index(group)],
        }
        for group in groups
        for n in range(levels)
    ]
    folder_ids = _insert_ids(session, Folder, folder_rows)
    package_ids = _insert_ids(
        session,
        Package,
        [{"project_id": pid, "name": f"WP{i + 1:02d} {t}"} for i, (t, _, _) in enumerate(trades)],
    )
    reason_ids = _insert_ids(
        session,
        DelayReason,
        [{"project_id": pid, "label": label, "category": cat} for label, cat, _ in DELAY_REASONS],
    )
    category_ids = _insert_ids(
        session,
        BlockerCategory,
        [{"project_id": pid, "label": label, "category": cat} for label, cat in BLOCKER_CATEGORIES],
    )
    return {
        "trades": trades,
        "sub_ids": sub_ids,
        "levels": levels,
        "zone_ids": zone_ids,
        "groups": groups,
        "folder_ids": folder_ids,
        "package_ids": package_ids,
        "reason_ids": reason_ids,
        "reason_weights": [w for _, _, w in DELAY_REASONS],
        "category_ids": category_ids,
    }


def _tasks(
    session: Session,
    project: Project,
    rng: random.Random,
    count: int,
    plan_start: dt.date,
    horizon_days: int,
    users: list[User],
    lists: dict[str, Any],
    calendar: WorkCalendar,
    report: Progress,
) -> list[_Task]:
    rows: list[dict[str, Any]] = []
    levels = lists["levels"]
    for n in range(count):
        trade_index = rng.randrange(len(lists["trades"]))
        trade, _, group = lists["trades"][trade_index]
        level = rng.randrange(levels)
        zone = rng.randrange(4)
        milestone = rng.random() < 0.04
        offset = int(horizon_days * (level + rng.random()) / (levels + 1))
        start = calendar.next_working(plan_start + dt.timedelta(days=offset))
        duration = 1 if milestone else rng.choice([1, 2, 2, 3, 3, 4, 5, 5, 8, 10])
        activity = rng.choice(ACTIVITIES[trade])
        rows.append(
            {
                "project_id": project.id,
                "activity_id": f"A-{n + 1:04d}" if count < 10000 else f"A-{n + 1:05d}",
                "external_id": f"P6-{10000 + n * 10}",
                "name": (
                    f"{'Milestone: ' if milestone else ''}{activity} - Level {level:02d} Zone "
                    f"{'ABCD'[zone]}"
                ),
                "type": "milestone" if milestone else "task",
                "start_date": start,
                "end_date": calendar.finish(start, duration),
                "duration_days": duration,
                "calendar_id": project.default_calendar_id,
                "shift": rng.choices(["day", "afternoon", "night", "all"], [85, 8, 5, 2])[0],
                "owner_id": rng.choice(users).id,
                "assignee_ids": [u.id for u in rng.sample(users, rng.randint(0, 2))],
                "subcontractor_id": lists["sub_ids"][trade_index],
                "location_id": lists["zone_ids"][level * 4 + zone],
                "work_area": rng.choice([None, "North core", "South core", "Perimeter"]),
                "folder_id": lists["folder_ids"][lists["groups"].index(group) * levels + level],
                "package_id": lists["package_ids"][trade_index],
                "status": "planned",
                "committed": False,
                "milestone_target_date": start if milestone else None,
                "tags": rng.sample(
                    ["critical", "lookahead", "hold-point", "inspection"], rng.randint(0, 2)
                ),
                "notes": rng.choice([None, None, "Coordinate with site manager", "Check RAMS"]),
                "row_version": 1,
            }
        )
    ids: list[int] = []
    batch = 2000
    for start_at in range(0, len(rows), batch):
        ids += _insert_ids(session, Task, rows[start_at : start_at + batch])
        report("tasks", min(start_at + batch, len(rows)), len(rows))
    return [
        _Task(
            id=i,
            start=r["start_date"],
            end=r["end_date"],
            duration=r["duration_days"],
            milestone=r["type"] == "milestone",
        )
        for i, r in zip(ids, rows, strict=True)
    ]


def _links_and_resources(
    session: Session, project: Project, rng: random.Random, state: list[_Task], report: Progress
) -> None:
    ordered = sorted(state, key=lambda t: (t.start, t.id))
    links = []
    seen: set[tuple[int, int]] = set()
    for before, after in itertools.pairwise(ordered):
        if rng.random() < 0.6 and (before.id, after.id) not in seen:
            seen.add((before.id, after.id))
            links.append(
                {
                    "project_id": project.id,
                    "predecessor_id": before.id,
                    "successor_id": after.id,
                    "type": rng.choices(["FS", "SS", "FF", "SF"], [80, 12, 6, 2])[0],
                    "lag_days": rng.choice([0, 0, 0, 1, 2, -1]),
                }
            )
    if links:
        session.execute(insert(TaskLink), links)
    resources = []
    for task in state:
        for _ in range(rng.randint(0, 3)):
            kind = rng.choices(["labour", "plant", "material"], [60, 20, 20])[0]
            name, unit = {
                "labour": (
                    rng.choice(["Operatives", "Electricians", "Fitters", "Carpenters"]),
                    "people",
                ),
                "plant": (rng.choice(["Excavator", "MEWP", "Telehandler", "Tower crane"]), "units"),
                "material": (
                    rng.choice(["Concrete", "Rebar", "Plasterboard", "Cable"]),
                    rng.choice(["m3", "t", "m2", "m"]),
                ),
            }[kind]
            resources.append(
                {
                    "task_id": task.id,
                    "kind": kind,
                    "name": name,
                    "quantity": round(rng.uniform(1, 40), 1),
                    "unit": unit,
                }
            )
    if resources:
        session.execute(insert(TaskResource), resources)
    report("links", 1, 1)


def _simulate_week(
    session: Session,
    rng: random.Random,
    state: list[_Task],
    lists: dict[str, Any],
    users: list[User],
    project_id: int,
    week_start: dt.date,
    published_at: dt.datetime,
    calendar: WorkCalendar,
) -> None:
    """What happened on site between two publications, written to the live plan."""
    week_end = published_at.date()
    progress_rows: list[dict[str, Any]] = []
    task_updates: list[dict[str, Any]] = []
    blocker_rows: list[dict[str, Any]] = []
    recorded_at = published_at - dt.timedelta(hours=2)
    for task in state:
        if task.done:
            continue
        worked = list(
            calendar.days(
                max(task.start, week_start), min(task.end, week_end - dt.timedelta(days=1))
            )
        )
        changed = False
        if worked:
            task.started = True
            row = _site_progress(rng, task, worked, lists, users, week_end, calendar)
            if row is not None:
                progress_rows.append({**row, "recorded_at": recorded_at})
                changed = True
        upcoming = week_end <= task.start < week_end + dt.timedelta(days=21)
        if upcoming and rng.random() < 0.08:
            blocker_rows.append(_new_blocker(rng, task, lists, users, week_end))
        if changed or upcoming:
            task_updates.append(_task_update(task, upcoming, week_end))
    if progress_rows:
        session.execute(insert(ProgressUpdate), progress_rows)
    if blocker_rows:
        session.execute(insert(Blocker), blocker_rows)
    if task_updates:
        session.execute(update(Task), task_updates)
    _resolve_blockers(session, rng, project_id, week_end)


def _site_progress(
    rng: random.Random,
    task: _Task,
    worked: list[dt.date],
    lists: dict[str, Any],
    users: list[User],
    week_end: dt.date,
    calendar: WorkCalendar,
) -> dict[str, Any] | None:
    """A delay (moving or extending ``task``) or its completion this week, or nothing."""
    if rng.random() < (0.12 if task.milestone else 0.4):
        day = rng.choice(worked)
        amount = rng.choice([1, 1, 2, 2, 3, 5])
        impact = rng.choice(["extend", "move"])
        reason = rng.choices(lists["reason_ids"], lists["reason_weights"])[0]
        row = {
            "task_id": task.id,
            "day": day,
            "type": "delayed",
            "reason_id": reason,
            "impact": impact,
            "amount_days": amount,
            "comment": None,
            "by_user_id": rng.choice(users).id,
        }
        if impact == "move":
            task.start = calendar.add(task.start, amount)
        task.end = calendar.add(task.end, amount)
        return row
    if task.end < week_end:
        task.done = True
        return {
            "task_id": task.id,
            "day": task.end,
            "type": "complete",
            "reason_id": None,
            "impact": None,
            "amount_days": 0,
            "comment": None,
            "by_user_id": rng.choice(users).id,
        }
    return None


def _new_blocker(
    rng: random.Random, task: _Task, lists: dict[str, Any], users: list[User], week_end: dt.date
) -> dict[str, Any]:
    raised = week_end - dt.timedelta(days=rng.randint(1, 6))
    return {
        "task_id": task.id,
        "title": rng.choice(BLOCKER_TITLES),
        "category_id": rng.choice(lists["category_ids"]),
        "owner_id": rng.choice(users).id,
        "raised_on": raised,
        "due_on": task.start - dt.timedelta(days=rng.randint(1, 5)),
        "status": "open",
        "resolved_on": None,
    }


def _task_update(task: _Task, upcoming: bool, week_end: dt.date) -> dict[str, Any]:
    status = "complete" if task.done else ("in_progress" if task.started else "planned")
    return {
        "id": task.id,
        "start_date": task.start,
        "end_date": task.end,
        "status": status,
        "committed": upcoming and task.start < week_end + dt.timedelta(days=7),
    }


def _resolve_blockers(
    session: Session, rng: random.Random, project_id: int, week_end: dt.date
) -> None:
    """Resolve about half of the blockers open before ``week_end``, near their due date."""
    open_blockers = session.execute(
        select(Blocker.id, Blocker.raised_on, Blocker.due_on)
        .where(
            Blocker.task_id.in_(select(Task.id).where(Task.project_id == project_id)),
            Blocker.status == "open",
            Blocker.raised_on < week_end,
        )
        # In id order: the random draws below must meet the blockers in the same order on every
        # database and query plan, or the same seed builds a different project.
        .order_by(Blocker.id)
    ).all()
    resolved = []
    for blocker in open_blockers:
        if rng.random() < 0.55:
            day = min(
                week_end - dt.timedelta(days=1),
                (blocker.due_on or week_end) + dt.timedelta(days=rng.randint(-3, 3)),
            )
            resolved.append(
                {"id": blocker.id, "status": "resolved", "resolved_on": max(day, blocker.raised_on)}
            )
    if resolved:
        session.execute(update(Blocker), resolved)
