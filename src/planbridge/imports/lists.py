"""The project's lists an import refers to by name: calendars, folders (WBS), subcontractors,
locations, packages and members. Missing entries are created in bulk; in a dry run they get
provisional negative ids instead, so that tasks pointing at them compare as changed while
nothing is written.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from planbridge.imports.schedule import ParsedCalendar, ParsedFolder
from planbridge.planning.bulk import update_rows
from planbridge.planning.models import Folder, Location, Package, Subcontractor
from planbridge.projects.models import Calendar, Project, ProjectMember, User

NamedModel = type[Subcontractor] | type[Location] | type[Package]


def key(name: str) -> str:
    """How names are matched: without regard to case or surrounding spaces."""
    return name.strip().casefold()


def project_calendars(session: Session, project: Project) -> list[ParsedCalendar]:
    """The project's calendars in the parsed model (ISO weekdays), the default one first.

    Spreadsheet parsing takes them to check calendar names and count durations.
    """
    rows = session.scalars(
        select(Calendar).where(Calendar.project_id == project.id).order_by(Calendar.id)
    ).all()
    ordered = sorted(rows, key=lambda c: c.id != project.default_calendar_id)
    return [_parsed(c) for c in ordered]


def _parsed(calendar: Calendar) -> ParsedCalendar:
    return ParsedCalendar(
        name=calendar.name,
        working_isoweekdays=tuple(sorted(d + 1 for d in calendar.working_weekdays)),
        holidays=tuple(sorted(dt.date.fromisoformat(h) for h in calendar.holidays)),
        hours_per_day=float(calendar.hours_per_day),
    )


@dataclass
class Resolver:
    """Name → id maps for one import; ``dry_run`` hands out provisional ids instead of writing."""

    session: Session
    project: Project
    dry_run: bool
    _provisional: Iterator[int] = field(default_factory=lambda: itertools.count(-1, -1))

    def insert(self, model: type[Any], rows: list[dict[str, Any]]) -> list[int]:
        if not rows:
            return []
        if self.dry_run:
            return [next(self._provisional) for _ in rows]
        result = self.session.scalars(
            insert(model).returning(model.id, sort_by_parameter_order=True), rows
        )
        return list(result.all())

    def update(self, model: type[Any], rows: list[dict[str, Any]]) -> None:
        if rows and not self.dry_run:
            update_rows(self.session, model, rows)

    # -- calendars ------------------------------------------------------------------------

    def calendars(
        self, parsed: Sequence[ParsedCalendar]
    ) -> tuple[dict[str, int], list[str], list[str]]:
        """Match by name; create missing ones and update changed ones (weekdays, holidays, hours).

        Returns (ids by name key, created names, updated names).
        """
        existing = {
            key(c.name): c
            for c in self.session.scalars(
                select(Calendar).where(Calendar.project_id == self.project.id)
            )
        }
        ids = {name: c.id for name, c in existing.items()}
        created, updated, rows, changes = [], [], [], []
        for calendar in parsed:
            values = _calendar_values(calendar)
            found = existing.get(key(calendar.name))
            if found is None:
                created.append(calendar.name)
                rows.append({"project_id": self.project.id, "name": calendar.name, **values})
            elif any(getattr(found, k) != v for k, v in values.items()):
                updated.append(found.name)
                changes.append({"id": found.id, **values})
        for row, new_id in zip(rows, self.insert(Calendar, rows), strict=True):
            ids[key(row["name"])] = new_id
        self.update(Calendar, changes)
        return ids, created, updated

    # -- folders --------------------------------------------------------------------------

    def folders(
        self, parsed: Sequence[ParsedFolder], *, update_existing: bool
    ) -> tuple[dict[str, int], list[str], list[str]]:
        """Match WBS nodes by code; create missing ones, then set names and parents.

        Existing folders keep their name and parent unless ``update_existing`` (a master
        schedule, whose WBS is the reference). Returns (ids by code, created, updated codes).
        """
        rows = self.session.execute(
            select(Folder.id, Folder.code, Folder.name, Folder.parent_id).where(
                Folder.project_id == self.project.id
            )
        ).all()
        ids = {code: folder_id for folder_id, code, _, _ in rows}
        code_of = {folder_id: code for folder_id, code, _, _ in rows}
        current = {
            code: (name, None if parent is None else code_of.get(parent))
            for _, code, name, parent in rows
        }
        new = [f for f in _unique(parsed) if f.code not in ids]
        inserted = self.insert(
            Folder, [{"project_id": self.project.id, "code": f.code, "name": f.name} for f in new]
        )
        ids.update(zip((f.code for f in new), inserted, strict=True))
        updated: list[str] = []
        changes: list[dict[str, Any]] = []
        for folder in _unique(parsed):
            parent_id = ids.get(folder.parent_code) if folder.parent_code else None
            if folder.code in current:
                if not update_existing or current[folder.code] == (folder.name, folder.parent_code):
                    continue
                updated.append(folder.code)
            elif parent_id is None:
                continue  # a new top-level folder was inserted complete
            changes.append({"id": ids[folder.code], "name": folder.name, "parent_id": parent_id})
        self.update(Folder, changes)
        return ids, [f.code for f in new], updated

    # -- subcontractors, locations, packages -------------------------------------------------

    def named(self, model: NamedModel, names: Iterable[str]) -> tuple[dict[str, int], list[str]]:
        """Match by name (any case); create the missing ones. Returns (ids by key, created)."""
        ids: dict[str, int] = {
            key(name): item_id
            for item_id, name in self.session.execute(
                select(model.id, model.name).where(model.project_id == self.project.id)
            )
        }
        first: dict[str, str] = {}
        for name in names:
            if key(name) not in ids:
                first.setdefault(key(name), name.strip())
        missing = list(first.values())
        rows = [{"project_id": self.project.id, "name": name} for name in missing]
        ids.update(zip((key(n) for n in missing), self.insert(model, rows), strict=True))
        return ids, missing

    def members(self) -> dict[str, int]:
        """User ids of the project's members by email and by name (keys as ``key``)."""
        rows = self.session.execute(
            select(User.id, User.email, User.name)
            .join(ProjectMember, ProjectMember.user_id == User.id)
            .where(ProjectMember.project_id == self.project.id)
            .order_by(User.id)
        ).all()
        ids: dict[str, int] = {}
        for user_id, email, name in rows:
            ids.setdefault(key(email), user_id)
            ids.setdefault(key(name), user_id)
        return ids


def _calendar_values(calendar: ParsedCalendar) -> dict[str, Any]:
    return {
        "working_weekdays": sorted(d - 1 for d in set(calendar.working_isoweekdays)),
        "holidays": sorted({h.isoformat() for h in calendar.holidays}),
        "hours_per_day": max(1, round(calendar.hours_per_day)),
    }


def _unique(folders: Sequence[ParsedFolder]) -> list[ParsedFolder]:
    return list({f.code: f for f in folders}.values())
