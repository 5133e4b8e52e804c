"""The logic links and resources of imported tasks, made equal to the schedule's."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from planbridge.imports.report import LinkChanges
from planbridge.imports.schedule import ParsedSchedule
from planbridge.planning import bulk
from planbridge.planning.enums import LinkType
from planbridge.planning.models import Task, TaskLink, TaskResource
from planbridge.projects.models import Project

LinkKey = tuple[str, str, LinkType]
_IN_CHUNK = 500


def sync_links(
    session: Session,
    project: Project,
    parsed: ParsedSchedule,
    task_ids: dict[str, int],
    *,
    dry_run: bool,
) -> LinkChanges:
    """Make the links among the imported tasks exactly the schedule's (matched by type).

    ``task_ids`` has every imported task that exists (so, in a dry run, not the new ones,
    which have no links yet)."""
    wanted: dict[LinkKey, int] = {
        (x.predecessor_external_id, x.successor_external_id, x.type): x.lag_days
        for x in parsed.links
    }
    before, after = aliased(Task), aliased(Task)
    rows = session.execute(
        select(TaskLink.id, before.external_id, after.external_id, TaskLink.type, TaskLink.lag_days)
        .join(before, before.id == TaskLink.predecessor_id)
        .join(after, after.id == TaskLink.successor_id)
        .where(TaskLink.project_id == project.id)
    ).all()
    current: dict[LinkKey, tuple[int, int]] = {
        (pred, succ, LinkType(kind)): (link_id, lag)
        for link_id, pred, succ, kind, lag in rows
        if pred in task_ids and succ in task_ids
    }
    added = [k for k in wanted if k not in current]
    removed = [k for k in current if k not in wanted]
    updated = [k for k in wanted if k in current and current[k][1] != wanted[k]]
    changes = LinkChanges(
        added=[_link_text(k) for k in added],
        removed=[_link_text(k) for k in removed],
        updated=[_link_text(k) for k in updated],
        unchanged=len(wanted) - len(added) - len(updated),
    )
    if dry_run:
        return changes
    _delete_in(session, TaskLink, TaskLink.id, [current[k][0] for k in removed])
    if updated:
        bulk.update_rows(
            session, TaskLink, [{"id": current[k][0], "lag_days": wanted[k]} for k in updated]
        )
    if added:
        bulk.insert_rows(
            session,
            TaskLink,
            (
                {
                    "project_id": project.id,
                    "predecessor_id": task_ids[k[0]],
                    "successor_id": task_ids[k[1]],
                    "type": k[2],
                    "lag_days": wanted[k],
                }
                for k in added
            ),
        )
    return changes


def _link_text(link: LinkKey) -> str:
    return f"{link[0]} {link[2].value} {link[1]}"


def sync_resources(
    session: Session,
    project: Project,
    parsed: ParsedSchedule,
    result: bulk.UpsertResult,
    *,
    dry_run: bool,
) -> list[str]:
    """Replace each imported task's resources when they differ; returns the existing tasks
    (external ids) whose resources changed."""
    rows = session.execute(
        select(
            TaskResource.task_id,
            TaskResource.kind,
            TaskResource.name,
            TaskResource.quantity,
            TaskResource.unit,
        )
        .join(Task, Task.id == TaskResource.task_id)
        .where(Task.project_id == project.id)
    ).all()
    current: dict[int, list[tuple[str, str, float, str]]] = defaultdict(list)
    for owner_id, kind, name, quantity, unit in rows:
        current[owner_id].append((str(kind), name, round(float(quantity), 3), unit))
    # ``result.added`` lists the new tasks in the schedule's order: walk it alongside.
    added = iter(result.added)
    next_added = next(added, None)
    replaced: list[str] = []
    clear: list[int] = []
    inserts: list[dict[str, object]] = []

    def write() -> None:
        # A task's old resources go before its new ones are inserted.
        if not dry_run:
            _delete_in(session, TaskResource, TaskResource.task_id, clear)
            bulk.insert_rows(session, TaskResource, inserts)
        clear.clear()
        inserts.clear()

    for task in parsed.tasks:
        wanted = [(str(r.kind), r.name, round(r.quantity, 3), r.unit) for r in task.resources]
        task_id = result.task_ids.get(task.external_id)
        if task.external_id == next_added:
            next_added = next(added, None)
        else:
            assert task_id is not None
            if sorted(wanted) == sorted(current.get(task_id, [])):
                continue
            replaced.append(task.external_id)
            clear.append(task_id)
        if task_id is not None:
            inserts += [
                {"task_id": task_id, "kind": k, "name": n, "quantity": q, "unit": u}
                for k, n, q, u in wanted
            ]
        if len(inserts) >= bulk.BATCH_ROWS or len(clear) >= bulk.BATCH_ROWS:
            write()
    write()
    return replaced


def _delete_in(
    session: Session,
    model: type[TaskLink | TaskResource],
    column: InstrumentedAttribute[int],
    ids: Sequence[int],
) -> None:
    for start in range(0, len(ids), _IN_CHUNK):
        session.execute(
            delete(model).where(column.in_(ids[start : start + _IN_CHUNK])),
            execution_options={"synchronize_session": False},
        )
