"""The spreadsheet template: one column per task property, in this order.

The same definitions drive the template writer, the parser's header check and the
documentation table in docs/imports.md (a test keeps the two in step).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

LIST_SEPARATOR = ";"
PART_SEPARATOR = ":"


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    description: str


COLUMNS: tuple[Column, ...] = (
    Column("external_id", True, "Your id for the task, unique in the file; re-imports match it."),
    Column("name", True, "Task name."),
    Column("type", False, "task or milestone (default task)."),
    Column("start", True, "First working day, YYYY-MM-DD (or an Excel date cell)."),
    Column("end", False, "Last working day; leave blank to compute it from duration_days."),
    Column("duration_days", False, "Working days, whole number >= 1; blank = computed from end."),
    Column("calendar", False, "Name of a project calendar; blank = the project's default."),
    Column("folder", False, "WBS code of the task's folder, e.g. 1.2.3."),
    Column("parent_external_id", False, "external_id of the parent task, if any."),
    Column("shift", False, "day, afternoon, night or all (default day)."),
    Column("owner", False, "The responsible person (e-mail or name)."),
    Column("assignees", False, "People, separated by ';'."),
    Column("subcontractor", False, "Subcontractor name."),
    Column("location", False, "Location name (level, zone, area)."),
    Column("work_area", False, "Work area, free text."),
    Column("package", False, "Work package name."),
    Column(
        "status",
        False,
        "backlog, planned, in_progress, complete or promised (default planned).",
    ),
    Column("committed", False, "yes if on the weekly work plan, else no (default no)."),
    Column("milestone_target_date", False, "Target date of a milestone, YYYY-MM-DD."),
    Column("tags", False, "Tags, separated by ';'."),
    Column("notes", False, "Free text."),
    Column(
        "predecessors",
        False,
        "Logic links to this task, separated by ';': external_id[:TYPE[:LAG]], TYPE one of "
        "FS, SS, FF, SF (default FS), LAG in working days (default 0). Example: A-10:SS:2",
    ),
    Column(
        "resources",
        False,
        "Resources, separated by ';': kind:name:quantity:unit, kind one of labour, plant, "
        "material. Example: labour:Carpenters:4:person-days",
    ),
)

COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.required)
DATE_COLUMNS = frozenset({"start", "end", "milestone_target_date"})

Cell = str | int | float | bool | dt.date | dt.datetime | None

EXAMPLE_ROWS: tuple[dict[str, Cell], ...] = (
    {
        "external_id": "A-100",
        "name": "Coffrage voiles niveau 2 – zone Est",
        "start": dt.date(2025, 3, 3),
        "end": dt.date(2025, 3, 7),
        "duration_days": 5,
        "calendar": "Standard",
        "folder": "GO.N2",
        "subcontractor": "Béton & Façades SARL",
        "location": "Niveau 2",
        "work_area": "Zone Est",
        "package": "Gros œuvre",
        "status": "planned",
        "committed": "yes",
        "owner": "chef.chantier@example.com",
        "assignees": "Zoë Müller; José Pérez",
        "tags": "façade; critique",
        "notes": "Prévoir la grue à 7 h.",
        "resources": "labour:Coffreurs:4:person-days; plant:Grue à tour:1:day",
    },
    {
        "external_id": "A-110",
        "name": "Ferraillage voiles niveau 2",
        "start": dt.date(2025, 3, 6),
        "duration_days": 4,
        "folder": "GO.N2",
        "subcontractor": "Béton & Façades SARL",
        "location": "Niveau 2",
        "status": "backlog",
        "predecessors": "A-100:SS:3",
        "resources": "material:Acier HA 12:2.5:t",
    },
    {
        "external_id": "M-1",
        "name": "Niveau 2 hors d'eau",
        "type": "milestone",
        "start": dt.date(2025, 3, 14),
        "milestone_target_date": dt.date(2025, 3, 14),
        "folder": "GO.N2",
        "predecessors": "A-110; A-100:FF:1",
    },
)
