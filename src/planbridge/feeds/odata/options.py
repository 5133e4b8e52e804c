"""System query options of an entity-set request, parsed strictly.

Supported: ``$filter $select $orderby $top $skip $count $skiptoken $format``. Every other
OData option (``$expand``, ``$search``, ``$apply``, ...) and every custom option is refused
with a 400 naming it, so no client (Power BI included) ever gets rows it did not ask for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from planbridge.feeds.odata.errors import InvalidQuery, NotSupported
from planbridge.feeds.odata.filters import Predicate, parse_filter
from planbridge.feeds.odata.model import EntitySet

SUPPORTED: Final = (
    "$filter",
    "$select",
    "$orderby",
    "$top",
    "$skip",
    "$count",
    "$skiptoken",
    "$format",
)
#: Options repeated verbatim in ``@odata.nextLink`` ($top and $skip travel in the skiptoken).
KEPT_IN_NEXT_LINK: Final = ("$filter", "$select", "$orderby", "$count", "$format")
NOT_SUPPORTED_HINTS: Final = {
    "$expand": "Load the related entity set instead (Power BI: Select related tables) and "
    "relate the tables on their key columns.",
    "$search": "Use $filter with contains(), startswith() or endswith().",
    "$apply": "Aggregate in Power BI, or read the ready-made metric sets.",
}
JSON_FORMATS: Final = ("json", "application/json")


@dataclass(frozen=True, slots=True)
class OrderItem:
    name: str
    descending: bool = False


@dataclass(frozen=True, slots=True)
class Options:
    predicate: Predicate | None = None
    filter_text: str = ""
    select: tuple[str, ...] | None = None
    orderby: tuple[OrderItem, ...] = ()
    orderby_text: str = ""
    top: int | None = None
    skip: int = 0
    count: bool = False
    skiptoken: str | None = None
    kept: tuple[tuple[str, str], ...] = ()


def collect(items: Sequence[tuple[str, str]], allowed: Sequence[str] = SUPPORTED) -> dict[str, str]:
    """The options by lower-cased name; refuses unknown, unsupported and repeated ones."""
    seen: dict[str, str] = {}
    for raw_name, value in items:
        name = raw_name.lower()
        if name in seen:
            raise InvalidQuery(f"Query option '{raw_name}' is given more than once.", target=name)
        if name not in allowed:
            raise _refusal(raw_name, allowed)
        seen[name] = value
    return seen


def _refusal(raw_name: str, allowed: Sequence[str]) -> InvalidQuery:
    name = raw_name.lower()
    listed = f"Supported here: {', '.join(allowed)}." if allowed else "No query option is."
    if name in NOT_SUPPORTED_HINTS:
        return NotSupported(
            f"The query option '{raw_name}' is not supported.",
            target=name,
            hint=f"{NOT_SUPPORTED_HINTS[name]} {listed}",
        )
    if name.startswith("$") or name in SUPPORTED:
        return NotSupported(
            f"The query option '{raw_name}' is not supported here.", target=name, hint=listed
        )
    return NotSupported(
        f"Unknown query option '{raw_name}': custom query options are not supported.",
        target=raw_name,
        hint=listed,
    )


def check_format(seen: dict[str, str], accepted: Sequence[str]) -> None:
    if "$format" in seen:
        value = seen["$format"].split(";")[0].strip().lower()
        if value not in accepted:
            raise NotSupported(
                f"$format={seen['$format']} is not supported.",
                target="$format",
                hint=f"Supported: {', '.join(accepted)}.",
            )


def parse(items: Sequence[tuple[str, str]], entity: EntitySet) -> Options:
    seen = collect(items)
    check_format(seen, JSON_FORMATS)
    filter_text = seen.get("$filter", "")
    orderby_text = seen.get("$orderby", "")
    return Options(
        predicate=parse_filter(filter_text, entity) if "$filter" in seen else None,
        filter_text=filter_text,
        select=_select(seen["$select"], entity) if "$select" in seen else None,
        orderby=_orderby(orderby_text, entity) if "$orderby" in seen else (),
        orderby_text=orderby_text,
        top=_whole("$top", seen["$top"]) if "$top" in seen else None,
        skip=_whole("$skip", seen["$skip"]) if "$skip" in seen else 0,
        count=_boolean("$count", seen["$count"]) if "$count" in seen else False,
        skiptoken=seen.get("$skiptoken"),
        kept=tuple((name, seen[name]) for name in KEPT_IN_NEXT_LINK if name in seen),
    )


def _whole(name: str, raw: str) -> int:
    text = raw.strip()
    if not text.isdigit():
        raise InvalidQuery(f"{name} must be a whole number, 0 or more, not '{raw}'.", target=name)
    return int(text)


def _boolean(name: str, raw: str) -> bool:
    text = raw.strip().lower()
    if text not in ("true", "false"):
        raise InvalidQuery(f"{name} must be true or false, not '{raw}'.", target=name)
    return text == "true"


def _property(option: str, text: str, entity: EntitySet) -> str:
    if not text:
        raise InvalidQuery(f"{option} has an empty item.", target=option)
    if "/" in text or "(" in text or "." in text:
        raise NotSupported(
            f"'{text}' in {option}: only this entity set's own properties are supported "
            "(no paths, functions or qualified names).",
            target=option,
        )
    if entity.column(text) is not None:
        return text
    if entity.navigation(text) is not None:
        raise NotSupported(
            f"'{text}' in {option} is a navigation property; $expand is not supported.",
            target=option,
            hint=NOT_SUPPORTED_HINTS["$expand"],
        )
    raise InvalidQuery(
        f"{entity.name} has no property '{text}' ({option}).",
        target=option,
        hint=f"Properties: {', '.join(entity.column_names)}.",
    )


def _select(raw: str, entity: EntitySet) -> tuple[str, ...] | None:
    names: list[str] = []
    for part in raw.split(","):
        item = part.strip()
        if item == "*":
            return None
        name = _property("$select", item, entity)
        if name not in names:
            names.append(name)
    return tuple(names)


def _orderby(raw: str, entity: EntitySet) -> tuple[OrderItem, ...]:
    items: list[OrderItem] = []
    for part in raw.split(","):
        words = part.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1] not in ("asc", "desc")):
            raise InvalidQuery(
                f"'{part.strip()}' in $orderby is not 'property', 'property asc' or "
                "'property desc'.",
                target="$orderby",
            )
        name = _property("$orderby", words[0], entity)
        if any(i.name == name for i in items):
            raise InvalidQuery(f"'{name}' appears twice in $orderby.", target="$orderby")
        items.append(OrderItem(name, len(words) == 2 and words[1] == "desc"))
    return tuple(items)
