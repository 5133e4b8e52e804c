"""The feed's query parameters, each declared once: kind, default, where it applies, its
validation message and its documentation. ``feeds.params`` parses requests with it; the JSON
Schema's ``parameters`` object and the parameter tables of docs/feed.md and docs/files.md are
generated from it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

ParameterKind = Literal["limit", "boolean", "moment"]
Endpoint = Literal["feed", "metrics", "csv", "xlsx"]
ALL_ENDPOINTS: frozenset[Endpoint] = frozenset({"feed", "metrics", "csv", "xlsx"})
TABLE_ENDPOINTS: frozenset[Endpoint] = frozenset({"feed", "csv", "xlsx"})

#: How each kind of value is refused: ``message`` and ``hint`` take ``{name}``, ``{raw}`` and
#: ``{max_limit}``.
MESSAGES: dict[ParameterKind, tuple[str, str]] = {
    "limit": (
        "Parameter '{name}' must be a whole number of versions, 1 or more, not '{raw}'.",
        "Allowed: 1 to {max_limit} (larger values are lowered to {max_limit}).",
    ),
    "boolean": (
        "Parameter '{name}' must be true or false, not '{raw}'.",
        "Allowed values: true, false, 1, 0, yes, no (any case).",
    ),
    "moment": (
        "Parameter '{name}' must be an ISO 8601 date or date-time, not '{raw}'.",
        "For example 2026-11-01 or 2026-11-01T00:00:00Z (no offset means UTC).",
    ),
}
VALUES_DOC: dict[ParameterKind, str] = {
    "limit": "integer ≥ 1",
    "boolean": "`true`/`false` (also `1`/`0`, `yes`/`no`, any case)",
    "moment": "ISO 8601 date or date-time",
}


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    kind: ParameterKind
    default: bool | None
    """The default (``limit``'s comes from ``PLANBRIDGE_FEED_DEFAULT_VERSIONS``)."""
    doc: str
    """What it does, for docs/feed.md."""
    endpoints: frozenset[Endpoint] = ALL_ENDPOINTS
    json_schema: Mapping[str, Any] = field(default_factory=dict)
    values_doc: str | None = None
    """Overrides the kind's description of allowed values in docs/feed.md."""

    def message(self, raw: str, *, max_limit: int = 0) -> tuple[str, str]:
        """The validation message and hint for a refused value."""
        message, hint = MESSAGES[self.kind]
        values = {"name": self.name, "raw": raw, "max_limit": max_limit}
        return message.format(**values), hint.format(**values)

    @property
    def doc_default(self) -> str:
        if self.kind == "limit":
            return "5"
        return "none" if self.default is None else str(self.default).lower()


def _flag(name: str, doc: str) -> Parameter:
    return Parameter(
        name,
        "boolean",
        True,
        doc,
        endpoints=TABLE_ENDPOINTS,
        json_schema={"type": "boolean"},
        values_doc="same",
    )


FEED_PARAMETERS: tuple[Parameter, ...] = (
    Parameter(
        "limit",
        "limit",
        None,
        "number of versions, newest first; values above `PLANBRIDGE_FEED_MAX_VERSIONS` (52) are "
        "lowered to it. Without `limit` but with `published_from` or `published_to`: every "
        "version of the range, and a range holding more than 52 is refused (400), never cut",
        json_schema={"type": "integer", "minimum": 1},
    ),
    Parameter(
        "resource",
        "boolean",
        True,
        "include the `resources` table",
        endpoints=TABLE_ENDPOINTS,
        json_schema={"type": "boolean"},
    ),
    _flag("status", "include the `status` table (progress and delays)"),
    _flag("blockers", "include the `blockers` table"),
    _flag(
        "metrics",
        "include the metric tables (`ppc`, `ppc_breakdown`, `variance`, `blocker_metrics`, `tmr`)",
    ),
    Parameter(
        "published_from",
        "moment",
        None,
        "versions with `published_at >= published_from` (no offset: UTC)",
        json_schema={
            "type": ["string", "null"],
            "description": "Lower bound (inclusive) on versions.published_at.",
        },
    ),
    Parameter(
        "published_to",
        "moment",
        None,
        "versions with `published_at < published_to` (for Power BI incremental refresh)",
        json_schema={
            "type": ["string", "null"],
            "description": "Upper bound (exclusive) on versions.published_at.",
        },
    ),
)
"""The parameters the JSON feed shows back in its ``parameters`` object, in that order."""

BOM = Parameter(
    "bom",
    "boolean",
    True,
    "`true`: the file starts with a UTF-8 byte-order mark; `false`: plain UTF-8",
    endpoints=frozenset({"csv"}),
)
"""Not in the JSON feed's ``parameters`` object: only the CSV download takes it."""

PARAMETERS: tuple[Parameter, ...] = (*FEED_PARAMETERS, BOM)
PARAMETERS_BY_NAME: dict[str, Parameter] = {p.name: p for p in PARAMETERS}


def names_for(endpoint: Endpoint) -> tuple[str, ...]:
    """The parameters one endpoint accepts, in declaration order."""
    return tuple(p.name for p in PARAMETERS if endpoint in p.endpoints)
