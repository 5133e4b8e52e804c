"""Ready-to-paste Power Query (M) for one project: the template shipped in this package (its
``.pq`` files are package data), inlined as a named step and called with the project's server
address and feed id. Every snippet is a whole ``let ... in`` query for the Advanced Editor. The
token is never printed: the snippet reads the ``PlanBridgeToken`` parameter the user creates
(*Manage parameters*), so it can be changed in the Power BI Service without republishing."""

from __future__ import annotations

from importlib import resources

from planbridge.catalog import FEED_TABLES
from planbridge.catalog.render import m_field_name, m_text
from planbridge.errors import InvalidParameter, NotFound

TEMPLATE_NAMES = ("PublishedPlans.pq", "PublishedPlansIncremental.pq")
TABLES = tuple(table.name for table in FEED_TABLES)
TOKEN_PARAMETER = "PlanBridgeToken"  # noqa: S105 (a parameter's name, not a secret)
DEFAULT_LIMIT = 5


def template(name: str) -> str:
    """A shipped template (package data of ``planbridge.feeds.powerquery``)."""
    path = resources.files(__name__).joinpath(name)
    if name not in TEMPLATE_NAMES or not path.is_file():
        raise NotFound(
            f"The Power Query template {name} is not installed here.",
            hint=f"Templates: {', '.join(TEMPLATE_NAMES)}; reinstall PlanBridge if one is missing.",
        )
    return path.read_text(encoding="utf-8")


def snippet(
    *,
    base_url: str,
    api_id: str,
    project_name: str,
    incremental: bool,
    limit: int | None = None,
    table: str | None = None,
) -> str:
    """One whole query: the project's URL and id, the template function, and the call.

    The plain snippet returns the record of all tables (the ``Plans`` query of the guide;
    ``limit`` versions, 5 when not given) or, with ``table``, that one table. The incremental
    snippet returns one table (``tasks`` when not given) and sends only the range: Power BI's
    incremental refresh needs each table's own query to call the function with ``RangeStart``
    and ``RangeEnd``, so it never goes through a shared query and never carries a ``limit``.
    """
    if incremental and limit is not None:
        raise InvalidParameter(
            "The incremental snippet takes no limit: each partition asks for its whole range.",
            hint="Leave out --limit with --incremental.",
        )
    if table is not None and table not in TABLES:
        raise InvalidParameter(f"No feed table '{table}'.", hint=f"Tables: {', '.join(TABLES)}.")
    name = "PublishedPlansIncremental" if incremental else "PublishedPlans"
    body = "\n".join(
        ("        " + line) if line else "" for line in template(f"{name}.pq").splitlines()
    )
    if incremental:
        call = f"{name}(PlanBridgeUrl, ProjectId, {TOKEN_PARAMETER}, RangeStart, RangeEnd)"
        table = table or "tasks"
        needs = f"{TOKEN_PARAMETER} (Text: the token), RangeStart and RangeEnd (Date/Time)"
        what = f"the {table} table, for incremental refresh (one query like this per table)"
    else:
        versions = limit or DEFAULT_LIMIT
        call = f"{name}(PlanBridgeUrl, ProjectId, {TOKEN_PARAMETER}, [limit = {versions}])"
        needs = f"{TOKEN_PARAMETER} (Text: the token)"
        what = f"the {table} table" if table else "the record of all tables (untick Enable load)"
    steps = [
        f"    PlanBridgeUrl = {m_text(base_url)}",
        f"    ProjectId = {m_text(api_id)}",
        f"    {name} =\n{body}",
    ]
    if table:
        result = m_field_name(table)
        steps += [f"    Source = {call}", f"    {result} = Source[{result}]"]
    else:
        result = "Plans"
        steps.append(f"    Plans = {call}")
    return (
        f"// PlanBridge: {' '.join(project_name.split())}: {what}.\n"
        f"// First, in Home > Manage parameters, create {needs}.\n"
        "// Then Home > New source > Blank query > Advanced editor: paste this whole query.\n"
        "// Credential kind: Anonymous (the token travels in the Authorization header).\n"
        "let\n" + ",\n".join(steps) + f"\nin\n    {result}\n"
    )
