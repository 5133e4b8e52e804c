"""Server-driven paging: one page of an entity set, and the ``$skiptoken`` to the next.

Published versions never change, so a position in them is stable. The skiptoken pins the walk
to the versions that existed when it started (ids up to a snapshot id), is bound to the query
it belongs to ($filter, $orderby and entity set), and carries the rows still wanted ($top)
and the count ($count=true), so later pages repeat neither work nor arithmetic.

- Without ``$orderby`` rows come in feed order (versions newest first, rows as stored) and the
  token holds the position of the next row: (version, chunk ``seq``, row in the chunk), the key
  of the chunk index ``(version_id, table_name, seq)`` plus an offset. Without ``$filter`` a
  page is laid out from the chunks' row counts alone and sent as their stored bytes (and
  stored DEFLATE for gzip): nothing is parsed or compressed but a partly covered chunk.
- With ``$orderby`` the order is completed with the key, so it is total, and the token holds
  the last row's sort values; the set is sorted once per query and kept (``ordered.py``), so
  a page is a binary search and a slice.

Tokens are base32 (no ``_``), so they never look like a feed token in the query string.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Engine

from planbridge.feeds.odata import ordered
from planbridge.feeds.odata import rows as stored
from planbridge.feeds.odata.errors import InvalidQuery
from planbridge.feeds.odata.filters import Predicate
from planbridge.feeds.odata.model import EntitySet
from planbridge.feeds.odata.options import Options
from planbridge.feeds.odata.ordered import sort_key, total_order
from planbridge.feeds.odata.pieces import Piece

__all__ = [
    "Cursor",
    "Page",
    "Source",
    "count",
    "decode",
    "encode",
    "page",
    "sort_key",
    "total_order",
]

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
    """The page's rows, parsed; empty when it comes as ``pieces``."""
    count: int | None
    next: Cursor | None
    pieces: list[Piece] | None = None
    """The page's rows as JSON pieces joined by commas (the bytes of ``rows``, unparsed)."""


@dataclass(frozen=True, slots=True)
class Source:
    """Where the rows come from: the chunks of the snapshot's versions, in feed order."""

    engine: Engine
    chunks: Sequence[stored.ChunkInfo]
    cache: stored.RowCache
    entity: EntitySet
    orders: ordered.OrderCache

    def read(self, start: int = 0) -> Iterator[tuple[stored.ChunkInfo, list[Row]]]:
        return stored.read(
            self.engine, self.chunks[start:], self.cache, row_number=self.entity.row_number
        )

    def rows(self) -> Iterator[Row]:
        for _, rows in self.read():
            yield from rows

    def ordered(self, options: Options) -> ordered.OrderedSet:
        """The rows passing ``$filter`` in ``$orderby`` order: sorted once, then cached."""
        key: Hashable = (
            self.entity.name,
            options.filter_text,
            options.orderby_text,
            tuple(c.key for c in self.chunks),
        )
        return self.orders.get_or_build(
            key,
            lambda: ordered.build(
                ordered.Chunks(self.engine, self.chunks, self.cache, self.entity.row_number),
                self.entity,
                options.orderby,
                options.predicate,
            ),
        )


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
            snapshot=_optional_int(_typed(data["v"], int)) or 0,
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
    if value is None:
        return None
    number = int(_typed(value, int))
    if number < 0:
        raise ValueError("negative")
    return number


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
    source: Source,
    options: Options,
    *,
    page_size: int,
    cursor: Cursor | None,
    snapshot: int,
    raw: bool = False,
) -> Page:
    """One page of ``source`` under ``options``, continuing ``cursor`` if given. ``raw``: the
    caller takes the rows as pieces of JSON (no ``$select`` to apply), when they can be."""
    top = options.top if cursor is None else cursor.top
    skip = options.skip if cursor is None else 0
    want = page_size if top is None else min(page_size, top)
    rows: list[Row] = []
    pieces: list[Piece] | None = None
    if options.orderby:
        after = None if cursor is None else cursor.after
        if cursor is not None and after is None:
            raise InvalidQuery(
                "The $skiptoken is not one this service issued.", target="$skiptoken"
            )
        pieces, taken, passed, last = _ordered(source, options, skip, want, after)
        total = passed if options.count else None
        position = None
    else:
        start = None if cursor is None else cursor.position
        if raw and options.predicate is None and not source.entity.row_number:
            pieces, taken, position = _runs(source, skip, want, start)
        else:
            rows, position = _walk(source, options.predicate, skip, want, start)
            taken = len(rows)
        last = None
        total = None if cursor is None else cursor.count
        if options.count and total is None:
            total = count(source, options.predicate)
    left = None if top is None else top - taken
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
    return Page(rows, total, next_cursor, pieces)


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


def _runs(
    source: Source, skip: int, want: int, start: Position | None
) -> tuple[list[Piece], int, Position | None]:
    """Without a filter, ``_walk`` from the chunks' row counts alone: the page's rows as whole
    stored chunks (sent as stored) and slices of partly covered ones (parsed and written
    again); also the number of rows and the position of the first row left over."""
    chunks = source.chunks
    begin, offset = 0, 0
    if start is not None:
        found = next((i for i, c in enumerate(chunks) if (c.version_id, c.seq) == start[:2]), None)
        if found is None:  # its version left the history window: so did all older ones
            return [], 0, None
        begin, offset = found, start[2]
    while begin < len(chunks) and skip >= chunks[begin].row_count - offset:
        skip -= chunks[begin].row_count - offset
        begin, offset = begin + 1, 0
    offset += skip
    spans: list[tuple[stored.ChunkInfo, int, int]] = []
    taken = 0
    position: Position | None = None
    for chunk in chunks[begin:]:
        if offset < chunk.row_count:
            if taken == want:
                position = (chunk.version_id, chunk.seq, offset)
                break
            end = min(chunk.row_count, offset + want - taken)
            spans.append((chunk, offset, end))
            taken += end - offset
            if end < chunk.row_count:
                position = (chunk.version_id, chunk.seq, end)
                break
        offset = 0
    partial = [c for c, a, b in spans if (a, b) != (0, c.row_count)]
    parsed = {c.id: rows for c, rows in stored.read(source.engine, partial, source.cache)}
    pieces: list[Piece] = []
    for chunk, a, b in spans:
        if pieces:
            pieces.append(b",")
        if (a, b) == (0, chunk.row_count):
            pieces.append(chunk)
        else:
            pieces.append(orjson.dumps(parsed[chunk.id][a:b])[1:-1])
    return pieces, taken, position


def _ordered(
    source: Source,
    options: Options,
    skip: int,
    want: int,
    after: tuple[Any, ...] | None,
) -> tuple[list[Piece], int, int, tuple[Any, ...] | None]:
    """The page after ``after`` in ``$orderby`` order (completed with the key) as pieces, its
    number of rows, the number of rows passing the filter, and the sort values of the page's
    last row if more follow."""
    if after is not None:
        names = tuple(item.name for item in total_order(options.orderby, source.entity))
        _check_after(after, names, source.entity)
    rows = source.ordered(options)
    begin = (0 if after is None else rows.position(after)) + skip
    stop = min(rows.count, begin + want)
    taken = max(0, stop - begin)
    more = stop < rows.count and want > 0
    last = rows.values_at(stop - 1) if more and taken else None
    return rows.pieces(begin, stop), taken, rows.count, last


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
