"""Feed query parameters: parsed strictly, every mistake named with what is allowed.

Each parameter is declared once in the catalog's registry (``planbridge.catalog.params``): its
kind, default, the endpoints that take it and its validation message come from there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from planbridge.catalog.params import PARAMETERS_BY_NAME, names_for
from planbridge.errors import InvalidParameter

TRUE_WORDS = frozenset({"true", "1", "yes"})
FALSE_WORDS = frozenset({"false", "0", "no"})
FEED_PARAMS = names_for("feed")
BOOL_FLAGS = tuple(name for name in FEED_PARAMS if PARAMETERS_BY_NAME[name].kind == "boolean")
"""The table flags: the feed's boolean parameters (``resource``, ``status``, ...)."""
RANGE_PARAMS = tuple(name for name in FEED_PARAMS if PARAMETERS_BY_NAME[name].kind == "moment")


@dataclass(frozen=True, slots=True)
class FeedParams:
    limit: int
    resource: bool = True
    status: bool = True
    blockers: bool = True
    metrics: bool = True
    published_from: dt.datetime | None = None
    published_to: dt.datetime | None = None
    allowed: tuple[str, ...] = FEED_PARAMS
    whole_range: bool = False
    """A range without ``limit``: every version in it is wanted (up to ``limit``, the cap), and
    a range holding more is refused rather than cut (see ``assemble.recent_versions``)."""

    def as_dict(self) -> dict[str, Any]:
        """The parameters as applied, as the body's ``parameters`` object shows them."""
        values = asdict(self)
        return {name: values[name] for name in self.allowed}

    def flag(self, name: str) -> bool:
        return bool(getattr(self, name))

    def without(self, flag: str) -> FeedParams:
        """The same parameters with one table flag switched off."""
        values = asdict(self)
        values[flag] = False
        return FeedParams(**values)


def _refuse(name: str, raw: str, *, max_limit: int = 0) -> InvalidParameter:
    message, hint = PARAMETERS_BY_NAME[name].message(raw, max_limit=max_limit)
    return InvalidParameter(message, hint=hint)


def parse_bool(name: str, raw: str) -> bool:
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise _refuse(name, raw)


def parse(
    items: Sequence[tuple[str, str]],
    *,
    default_limit: int,
    max_limit: int,
    allowed: tuple[str, ...] = FEED_PARAMS,
) -> FeedParams:
    seen: dict[str, str] = {}
    for key, value in items:
        if key not in allowed:
            raise InvalidParameter(
                f"Unknown parameter '{key}'.",
                hint=f"Allowed parameters: {', '.join(allowed)}.",
            )
        if key in seen:
            raise InvalidParameter(f"Parameter '{key}' is given more than once.")
        seen[key] = value
    limit = default_limit
    if "limit" in seen:
        raw = seen["limit"].strip()
        if not raw.isdigit() or int(raw) < 1:
            raise _refuse("limit", raw, max_limit=max_limit)
        limit = min(int(raw), max_limit)
    flags = {name: parse_bool(name, seen[name]) for name in BOOL_FLAGS if name in seen}
    bounds = {name: parse_moment(name, seen[name]) for name in RANGE_PARAMS if name in seen}
    low, high = bounds.get("published_from"), bounds.get("published_to")
    if low is not None and high is not None and low >= high:
        raise InvalidParameter(
            "'published_from' must be earlier than 'published_to'.",
            hint="The range is published_from <= published_at < published_to.",
        )
    defaults = {name: PARAMETERS_BY_NAME[name].default is True for name in BOOL_FLAGS}
    whole_range = "limit" not in seen and (low is not None or high is not None)
    return FeedParams(
        limit=max_limit if whole_range else limit,
        resource=flags.get("resource", defaults["resource"]),
        status=flags.get("status", defaults["status"]),
        blockers=flags.get("blockers", defaults["blockers"]),
        metrics=flags.get("metrics", defaults["metrics"]),
        published_from=low,
        published_to=high,
        allowed=allowed,
        whole_range=whole_range,
    )


def parse_moment(name: str, raw: str) -> dt.datetime:
    """An ISO 8601 date or date-time; without an offset it is taken as UTC."""
    text = raw.strip()
    try:
        moment = dt.datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise _refuse(name, raw) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
