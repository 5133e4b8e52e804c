"""Importing a schedule as an acting user: the role is checked (any member imports; pruning
needs a project admin) before the file is parsed, the project is locked, and the import is
applied and audited in the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from planbridge.actors import Actor
from planbridge.imports.apply import apply_schedule
from planbridge.imports.lists import project_calendars
from planbridge.imports.report import ImportReport
from planbridge.imports.schedule import ParsedCalendar, ParsedSchedule
from planbridge.planning.actions import PRUNE, lock_project
from planbridge.projects.models import Project
from planbridge.projects.permissions import require_admin, require_member, require_writable


def import_schedule(
    session: Session,
    project: Project,
    actor: Actor,
    parse: Callable[[list[ParsedCalendar]], ParsedSchedule],
    *,
    prune: bool = False,
    dry_run: bool = False,
    source: str | None = None,
) -> ImportReport:
    """``parse`` reads the file given the project's calendars, once the role is
    checked and the project locked; :func:`apply_schedule` brings it into the live plan and
    writes the ``import.apply`` audit row."""
    require_member(session, project, actor)
    require_writable(project)
    if prune:
        require_admin(session, project, actor, PRUNE)
    lock_project(session, project)
    parsed = parse(project_calendars(session, project))
    return apply_schedule(
        session, project, parsed, actor=actor, prune=prune, dry_run=dry_run, source=source
    )
