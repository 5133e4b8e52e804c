"""The OData entity model, derived from the feed registry (``feeds/catalog.py``).

Each feed table is one entity set (PascalCase plural name) of one entity type (PascalCase
singular name); property names are the registry's snake_case column names, as in the JSON feed.
Keys are ``version_id`` plus the table's row id; tables without a non-null natural key get an
OData-only ``row_number`` (1, 2, ... within the version). Navigation properties relate the sets
the same way the JSON feed's id columns do, so Power BI's "Select related tables" finds them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from planbridge.feeds.catalog import FEED_TABLES
from planbridge.feeds.tables import Column, ColumnType, Table

NAMESPACE = "PlanBridge"
CONTAINER = "PublishedPlans"
ROW_NUMBER = Column(
    "row_number",
    "integer",
    "OData only: position of the row within its version's table (1, 2, ...); part of the key.",
)

EDM_TYPES: dict[ColumnType, str] = {
    "integer": "Edm.Int64",
    "number": "Edm.Double",
    "string": "Edm.String",
    "boolean": "Edm.Boolean",
    "date": "Edm.Date",
    "datetime": "Edm.DateTimeOffset",
}


@dataclass(frozen=True, slots=True)
class Navigation:
    """A navigation property; ``constraints`` pair this type's properties with the target's."""

    name: str
    target: str
    many: bool
    partner: str
    constraints: tuple[tuple[str, str], ...] = ()
    nullable: bool = False


@dataclass(frozen=True, slots=True)
class EntitySet:
    name: str
    type_name: str
    table: Table
    key: tuple[str, ...]
    row_number: bool = False
    navigations: tuple[Navigation, ...] = field(default=())

    @property
    def columns(self) -> tuple[Column, ...]:
        return (*self.table.columns, ROW_NUMBER) if self.row_number else self.table.columns

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    def navigation(self, name: str) -> Navigation | None:
        return next((n for n in self.navigations if n.name == name), None)


@dataclass(frozen=True, slots=True)
class _Naming:
    set_name: str
    type_name: str
    row_id: str | None
    """The column that, with ``version_id``, identifies a row; ``None``: use ``row_number``."""


_NAMING: dict[str, _Naming] = {
    "versions": _Naming("Versions", "Version", None),
    "tasks": _Naming("Tasks", "Task", "task_id"),
    "links": _Naming("Links", "Link", "link_id"),
    "resources": _Naming("Resources", "Resource", "resource_id"),
    "status": _Naming("StatusUpdates", "StatusUpdate", "status_id"),
    "blockers": _Naming("Blockers", "Blocker", "blocker_id"),
    "subcontractors": _Naming("Subcontractors", "Subcontractor", "subcontractor_id"),
    "locations": _Naming("Locations", "Location", "location_id"),
    "folders": _Naming("Folders", "Folder", "folder_id"),
    "packages": _Naming("Packages", "Package", "package_id"),
    "delay_reasons": _Naming("DelayReasons", "DelayReason", "reason_id"),
    "blocker_categories": _Naming("BlockerCategories", "BlockerCategory", "category_id"),
    "calendars": _Naming("Calendars", "Calendar", "calendar_id"),
    "ppc": _Naming("Ppc", "PpcRow", "metric"),
    "ppc_breakdown": _Naming("PpcBreakdown", "PpcBreakdownRow", None),
    "variance": _Naming("Variance", "VarianceRow", None),
    "blocker_metrics": _Naming("BlockerMetrics", "BlockerMetricsRow", None),
    "tmr": _Naming("Tmr", "TmrRow", None),
}
#: Keys other than (version_id, row id): one row per version, or several natural columns.
_KEYS: dict[str, tuple[str, ...]] = {
    "versions": ("version_id",),
    "variance": ("version_id", "level", "rank"),
    "blocker_metrics": ("version_id",),
    "tmr": ("version_id",),
}


@dataclass(frozen=True, slots=True)
class _Relation:
    """``source.name`` leads to one ``target`` row (``partner`` leads back to many)."""

    source: str
    name: str
    target: str
    partner: str
    column: str
    target_column: str
    nullable: bool = False


_RELATIONS: tuple[_Relation, ...] = (
    _Relation("resources", "Task", "tasks", "Resources", "task_id", "task_id"),
    _Relation("status", "Task", "tasks", "StatusUpdates", "task_id", "task_id"),
    _Relation("blockers", "Task", "tasks", "Blockers", "task_id", "task_id"),
    _Relation("links", "Predecessor", "tasks", "OutgoingLinks", "predecessor_task_id", "task_id"),
    _Relation("links", "Successor", "tasks", "IncomingLinks", "successor_task_id", "task_id"),
    _Relation(
        "tasks",
        "SubcontractorDetails",
        "subcontractors",
        "Tasks",
        "subcontractor_id",
        "subcontractor_id",
        nullable=True,
    ),
    _Relation(
        "tasks",
        "LocationDetails",
        "locations",
        "Tasks",
        "location_id",
        "location_id",
        nullable=True,
    ),
    _Relation(
        "tasks", "FolderDetails", "folders", "Tasks", "folder_id", "folder_id", nullable=True
    ),
    _Relation(
        "tasks", "PackageDetails", "packages", "Tasks", "package_id", "package_id", nullable=True
    ),
    _Relation(
        "status",
        "ReasonDetails",
        "delay_reasons",
        "StatusUpdates",
        "reason_id",
        "reason_id",
        nullable=True,
    ),
    _Relation(
        "blockers",
        "CategoryDetails",
        "blocker_categories",
        "Blockers",
        "category_id",
        "category_id",
        nullable=True,
    ),
)


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _naming(table: Table) -> _Naming:
    """The table's names; a table added to the registry without naming here still gets a set
    (keyed by row number) so the service never breaks, and a test asks for proper naming."""
    fallback = _Naming(_pascal(table.name), _pascal(table.name) + "Row", None)
    return _NAMING.get(table.name, fallback)


def _key(table: Table, naming: _Naming) -> tuple[str, ...]:
    if table.name in _KEYS:
        return _KEYS[table.name]
    if naming.row_id is None:
        return ("version_id", ROW_NUMBER.name)
    return ("version_id", naming.row_id)


def _navigations(tables: tuple[Table, ...]) -> dict[str, list[Navigation]]:
    navs: dict[str, list[Navigation]] = {t.name: [] for t in tables}
    names = {t.name: _naming(t) for t in tables}
    on_version = ("version_id", "version_id")
    for table in tables:
        if table.name == "versions":
            continue
        plural = names[table.name].set_name
        navs[table.name].append(Navigation("Version", "Versions", False, plural, (on_version,)))
        navs["versions"].append(Navigation(plural, plural, True, "Version"))
    for r in _RELATIONS:
        if r.source not in navs or r.target not in navs:
            continue
        pairs = (on_version, (r.column, r.target_column))
        target_set = names[r.target].set_name
        navs[r.source].append(Navigation(r.name, target_set, False, r.partner, pairs, r.nullable))
        navs[r.target].append(Navigation(r.partner, names[r.source].set_name, True, r.name))
    return navs


def build(tables: tuple[Table, ...] = FEED_TABLES) -> tuple[EntitySet, ...]:
    navs = _navigations(tables)
    sets = []
    for table in tables:
        naming = _naming(table)
        key = _key(table, naming)
        sets.append(
            EntitySet(
                name=naming.set_name,
                type_name=naming.type_name,
                table=table,
                key=key,
                row_number=ROW_NUMBER.name in key,
                navigations=tuple(navs[table.name]),
            )
        )
    return tuple(sets)


ENTITY_SETS: tuple[EntitySet, ...] = build()
ENTITY_SETS_BY_NAME: dict[str, EntitySet] = {s.name: s for s in ENTITY_SETS}
