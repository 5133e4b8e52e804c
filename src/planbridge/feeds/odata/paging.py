"""Server-driven paging: one page of an entity set, and the ``$skiptoken`` to the next.

Published versions never change, so a position in them is stable. The skiptoken pins the walk
to the versions that existed when it started (ids up to a snapshot id), is bound to the query
it belongs to ($filter, $orderby and entity set), and carries the rows still wanted ($top)
and the count ($count=true), so later pages repeat neither work nor arithmetic.

- Without ``$orderby`` rows come in feed order (versions newest first, rows as stored) and the
  token holds the position of the next row: a page reads only the chunks it returns.
- With ``$orderby`` the order is completed with the key, so it is total, and the token holds
  the last row's sort values: each page scans the set once, keeping only a page of rows.

Tokens are base32 (no ``_``), so they never look like a feed token in the query string.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import heapq
import operator
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Engine

from planbridge.feeds.odata import rows as stored
from planbridge.feeds.odata.errors import InvalidQuery
from planbridge.feeds.odata.filters import Predicate
from planbridge.feeds.odata.model import EntitySet
from planbridge.feeds.odata.options import Options, OrderItem

Row = dict[str, Any]
Position = tuple[int, int, int]
"""(version_id, chunk seq, row offset in the chunk) of the next row to read."""


@dataclass(frozen=True, slots=True)
class Cursor:
    query: str
    snapshot: int
    top: int | None = None
    count: int | None = None
    position: Position | None = None
    after: tuple[Any, ...] | None = None


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[Row]
    count: int | None
    next: Cursor | None


@dataclass(frozen=True, slots=True)
class Source:
    """Where the rows come from: the chunks of the snapshot's versions, in feed order."""

    engine: Engine
    chunks: Sequence[stored.ChunkInfo]
    cache: stored.RowCache
    entity: EntitySet

    def read(self, start: int = 0) -> Iterator[tuple[stored.ChunkInfo, list[Row]]]:
        return stored.read(
            self.engine, self.chunks[start:], self.cache, row_number=self.entity.row_number
        )

    def rows(self) -> Iterator[Row]:
        for _, rows in self.read():
            yield from rows


def query_id(entity: EntitySet, options: Options) -> str:
    text = "\n".join((entity.name, options.filter_text, options.orderby_text))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode(cursor: Cursor) -> str:
    payload = {
        "q": cursor.query,
        "v": cursor.snapshot,
        "t": cursor.top,
        "c": cursor.count,
        "p": cursor.position,
        "a": cursor.after,
    }
    return base64.b32encode(orjson.dumps(payload)).decode().rstrip("=").lower()


def decode(token: str, query: str) -> Cursor:
    """The cursor in ``token``; refuses a token that is malformed or from another query."""
    try:
        text = token.strip().upper()
        data = orjson.loads(base64.b32decode(text + "=" * (-len(text) % 8)))
        cursor = Cursor(
            query=_typed(data["q"], str),
            snapshot=_typed(data["v"], int),
            top=_optional_int(data["t"]),
            count=_optional_int(data["c"]),
            position=_position(data["p"]),
            after=None if data["a"] is None else tuple(_typed(data["a"], list)),
        )
    except (binascii.Error, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise InvalidQuery(
            "The $skiptoken is not one this service issued.",
            target="$skiptoken",
            hint="Follow @odata.nextLink exactly as given.",
        ) from None
    if cursor.query != query:
        raise InvalidQuery(
            "The $skiptoken belongs to another query ($filter, $orderby or entity set differ).",
            target="$skiptoken",
            hint="Follow @odata.nextLink exactly as given.",
        )
    return cursor


def _typed(value: Any, kind: type) -> Any:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(kind.__name__)
    return value


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(_typed(value, int))


def _position(value: Any) -> Position | None:
    if value is None:
        return None
    items = _typed(value, list)
    if len(items) != 3:
        raise ValueError("position")
    version_id, seq, offset = (int(_typed(v, int)) for v in items)
    if offset < 0:
        raise ValueError("offset")
    return version_id, seq, offset


def page(
    source: Source, options: Options, *, page_size: int, cursor: Cursor | None, snapshot: int
) -> Page:
    """One page of ``source`` under ``options``, continuing ``cursor`` if given."""
    top = options.top if cursor is None else cursor.top
    skip = options.skip if cursor is None else 0
    want = page_size if top is None else min(page_size, top)
    if options.orderby:
        after = None if cursor is None else cursor.after
        rows, passed, last = _ordered(source, options, skip, want, after)
        total = passed if options.count else None
        position = None
    else:
        start = None if cursor is None else cursor.position
        rows, position = _walk(source, options.predicate, skip, want, start)
        last = None
        total = None if cursor is None else cursor.count
        if options.count and total is None:
            total = count(source, options.predicate)
    left = None if top is None else top - len(rows)
    more = (position is not None or last is not None) and left != 0
    next_cursor = (
        Cursor(
            query=query_id(source.entity, options),
            snapshot=snapshot,
            top=left,
            count=total,
            position=position,
            after=last,
        )
        if more
        else None
    )
    return Page(rows, total, next_cursor)


def count(source: Source, predicate: Predicate | None) -> int:
    """Rows passing ``predicate``: from the chunks' row counts alone when there is none."""
    if predicate is None:
        return sum(c.row_count for c in source.chunks)
    return sum(1 for row in source.rows() if predicate(row))


def _walk(
    source: Source, predicate: Predicate | None, skip: int, want: int, start: Position | None
) -> tuple[list[Row], Position | None]:
    """Rows in feed order from ``start``; also the position of the first row left over."""
    chunks = source.chunks
    begin, offset = 0, 0
    if start is not None:
        found = next((i for i, c in enumerate(chunks) if (c.version_id, c.seq) == start[:2]), None)
        if found is None:  # its version left the history window: so did all older ones
            return [], None
        begin, offset = found, start[2]
    if predicate is None:
        while begin < len(chunks) and skip >= chunks[begin].row_count - offset:
            skip -= chunks[begin].row_count - offset
            begin, offset = begin + 1, 0
        offset, skip = offset + skip, 0
    out: list[Row] = []
    for chunk, rows in source.read(begin):
        for i in range(offset, len(rows)):
            row = rows[i]
            if predicate is not None and not predicate(row):
                continue
            if skip:
                skip -= 1
                continue
            if len(out) == want:
                return out, (chunk.version_id, chunk.seq, i)
            out.append(row)
        offset = 0
    return out, None


def _ordered(
    source: Source,
    options: Options,
    skip: int,
    want: int,
    after: tuple[Any, ...] | None,
) -> tuple[list[Row], int, tuple[Any, ...] | None]:
    """The page after ``after`` in ``$orderby`` order (completed with the key), the number
    of rows passing the filter, and the sort values of the page's last row if more follow."""
    order = total_order(options.orderby, source.entity)
    names = tuple(item.name for item in order)
    if after is not None:
        _check_after(after, names, source.entity)
    key = sort_key(order, source.entity)
    after_key = None if after is None else key(after)
    predicate = options.predicate
    passed = 0

    def candidates() -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...], Row]]:
        nonlocal passed
        for row in source.rows():
            if predicate is not None and not predicate(row):
                continue
            passed += 1
            values = tuple(row[n] for n in names)
            row_key = key(values)
            if after_key is None or after_key < row_key:
                yield row_key, values, row

    best = heapq.nsmallest(skip + want + 1, candidates(), key=operator.itemgetter(0))
    chosen = best[skip : skip + want]
    more = len(best) > skip + want and want > 0
    return [row for _, _, row in chosen], passed, chosen[-1][1] if more and chosen else None


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "integer": (int,),
    "number": (int, float),
    "string": (str,),
    "boolean": (bool,),
    "date": (str,),
    "datetime": (str,),
}


def _check_after(after: tuple[Any, ...], names: tuple[str, ...], entity: EntitySet) -> None:
    """A tampered token must give a 400, not a comparison of a string with a number."""
    columns = [entity.column(n) for n in names]
    valid = len(after) == len(names) and all(
        v is None
        or (
            c is not None
            and isinstance(v, _JSON_TYPES[c.type])
            and (c.type == "boolean" or not isinstance(v, bool))
        )
        for v, c in zip(after, columns, strict=False)
    )
    if not valid:
        raise InvalidQuery("The $skiptoken is not one this service issued.", target="$skiptoken")


def total_order(orderby: Sequence[OrderItem], entity: EntitySet) -> tuple[OrderItem, ...]:
    """``$orderby`` followed by the key properties it does not name, ascending."""
    named = {item.name for item in orderby}
    return (*orderby, *(OrderItem(k) for k in entity.key if k not in named))


class _Descending:
    """A string (or date) that sorts in reverse, for descending $orderby items."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Descending) -> bool:
        return bool(other.value < self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Descending) and self.value == other.value

    __hash__ = None  # type: ignore[assignment]


def sort_key(
    order: Sequence[OrderItem], entity: EntitySet
) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """Map a row's sort values to a key Python compares natively (fast): OData puts nulls
    first ascending and last descending; descending numbers are negated."""
    parts: list[Callable[[Any], tuple[bool, Any]]] = []
    for item in order:
        column = entity.column(item.name)
        numeric = column is not None and column.type in ("integer", "number", "boolean")
        if not item.descending:
            parts.append(lambda v: (v is not None, v))
        elif numeric:
            parts.append(lambda v: (v is None, 0 if v is None else -v))
        else:
            parts.append(lambda v: (v is None, None if v is None else _Descending(v)))

    def key(values: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(part(v) for part, v in zip(parts, values, strict=True))

    return key
