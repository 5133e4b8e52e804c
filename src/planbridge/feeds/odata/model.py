"""The OData entity model, derived from the table catalog (``planbridge.catalog``).

Each feed table is one entity set (PascalCase plural name) of one entity type (PascalCase
singular name); property names are the registry's snake_case column names, as in the JSON feed.
Keys are ``version_id`` plus the table's row id; tables without a non-null natural key get an
OData-only ``row_number`` (1, 2, ... within the version). Navigation properties relate the sets
the same way the JSON feed's id columns do, so Power BI's "Select related tables" finds them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from planbridge.catalog import FEED_TABLES, RELATIONS, Column, ColumnType, Table

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


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _names(table: Table) -> tuple[str, str]:
    """The table's entity set and type names; a table declared without them still gets a set
    (keyed by row number) so the service never breaks, and a test asks for proper naming."""
    return (
        table.entity_set or _pascal(table.name),
        table.entity_type or _pascal(table.name) + "Row",
    )


def _key(table: Table) -> tuple[str, ...]:
    if table.key is not None:
        return table.key
    if table.row_id is None:
        return ("version_id", ROW_NUMBER.name)
    return ("version_id", table.row_id)


def _navigations(tables: tuple[Table, ...]) -> dict[str, list[Navigation]]:
    navs: dict[str, list[Navigation]] = {t.name: [] for t in tables}
    names = {t.name: _names(t)[0] for t in tables}
    on_version = ("version_id", "version_id")
    for table in tables:
        if table.name == "versions":
            continue
        plural = names[table.name]
        navs[table.name].append(Navigation("Version", "Versions", False, plural, (on_version,)))
        navs["versions"].append(Navigation(plural, plural, True, "Version"))
    for r in RELATIONS:
        if r.source not in navs or r.target not in navs:
            continue
        pairs = (on_version, (r.column, r.target_column))
        target_set = names[r.target]
        navs[r.source].append(Navigation(r.name, target_set, False, r.partner, pairs, r.nullable))
        navs[r.target].append(Navigation(r.partner, names[r.source], True, r.name))
    return navs


def build(tables: tuple[Table, ...] = FEED_TABLES) -> tuple[EntitySet, ...]:
    navs = _navigations(tables)
    sets = []
    for table in tables:
        set_name, type_name = _names(table)
        key = _key(table)
        sets.append(
            EntitySet(
                name=set_name,
                type_name=type_name,
                table=table,
                key=key,
                row_number=ROW_NUMBER.name in key,
                navigations=tuple(navs[table.name]),
            )
        )
    return tuple(sets)


ENTITY_SETS: tuple[EntitySet, ...] = build()
ENTITY_SETS_BY_NAME: dict[str, EntitySet] = {s.name: s for s in ENTITY_SETS}
