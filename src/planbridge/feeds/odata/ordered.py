"""``$orderby``: a set sorted once per query, kept in memory, paged by position.

Published versions never change, so the rows of a query (entity set, ``$filter``,
``$orderby``, and the exact chunks of its snapshot's versions) sorted once stay sorted. The
first page of an ordered walk reads and sorts the set; the sorted rows are kept as runs of
:data:`RUN_ROWS` rows, each the rows' JSON as raw DEFLATE (with the offset of every row), in a
bounded LRU (:class:`OrderCache`, about 64 MiB of compressed runs). Every later page, and every
later walk of the same query, finds its first row by binary search of the runs' first sort
keys (the ``$skiptoken`` still carries the last row's sort values, so tokens and links do not
change) and sends whole runs as they are: no scan, no sort, no compression.

The order is ``$orderby`` completed with the key (so it is total); OData puts nulls first
ascending and last descending.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import operator
import os
import re
import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Final

import orjson
from sqlalchemy import Engine

from planbridge.feeds.odata import rows as stored
from planbridge.feeds.odata.filters import Predicate
from planbridge.feeds.odata.model import EntitySet
from planbridge.feeds.odata.options import OrderItem
from planbridge.feeds.odata.pieces import Deflated, Piece
from planbridge.publishing.store import chunk_bytes

Row = dict[str, Any]
SortKey = tuple[Any, ...]

RUN_ROWS: Final = 2000
CACHE_BUDGET_BYTES: Final = 64 * 1024 * 1024
#: Sorted runs are compressed when a query is first sorted, on the request's clock: level 1 is
#: about 2.5 times faster than the stored chunks' level 6 (sorted rows compress well anyway).
RUN_DEFLATE_LEVEL: Final = 1


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


def sort_key(order: Sequence[OrderItem], entity: EntitySet) -> Callable[[Sequence[Any]], SortKey]:
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

    def key(values: Sequence[Any]) -> SortKey:
        return tuple(part(v) for part, v in zip(parts, values, strict=True))

    return key


@dataclass(frozen=True, slots=True, eq=False)
class Run:
    """Up to RUN_ROWS consecutive rows of the order: their JSON joined by commas, deflated;
    ``starts[i]`` is where row i begins (``starts[-1]`` is the raw size plus one)."""

    piece: Deflated
    starts: array[int]

    def __len__(self) -> int:
        return len(self.starts) - 1

    def rows_bytes(self, raw: bytes, a: int, b: int) -> bytes:
        return raw[self.starts[a] : self.starts[b] - 1]


@dataclass(frozen=True, slots=True, eq=False)
class OrderedSet:
    runs: tuple[Run, ...]
    firsts: tuple[SortKey, ...]
    """The sort key of each run's first row."""
    count: int
    names: tuple[str, ...]
    key: Callable[[Sequence[Any]], SortKey]

    @property
    def cost(self) -> int:
        """Bytes held, estimated: the compressed runs and their offsets."""
        return sum(len(r.piece.deflate) + 8 * len(r.starts) + 200 for r in self.runs) + 200

    def position(self, after: Sequence[Any]) -> int:
        """Index of the first row sorting after the row whose sort values are ``after``."""
        after_key = self.key(after)
        run = bisect.bisect_right(self.firsts, after_key) - 1
        if run < 0:
            return 0
        keys = [self.key(v) for v in self._values(self.runs[run].piece.inflate())]
        return run * RUN_ROWS + bisect.bisect_right(keys, after_key)

    def values_at(self, index: int) -> tuple[Any, ...]:
        run = self.runs[index // RUN_ROWS]
        offset = index % RUN_ROWS
        row = orjson.loads(run.rows_bytes(run.piece.inflate(), offset, offset + 1))
        return tuple(row[n] for n in self.names)

    def _values(self, raw: bytes) -> list[tuple[Any, ...]]:
        return [tuple(row[n] for n in self.names) for row in orjson.loads(b"[" + raw + b"]")]

    def pieces(self, start: int, stop: int) -> list[Piece]:
        """Rows ``start`` to ``stop`` (exclusive) as pieces joined by commas: whole runs as
        they are, the rows of a partly covered run cut from its inflated bytes."""
        out: list[Piece] = []
        stop = min(stop, self.count)
        index = start
        while index < stop:
            run = self.runs[index // RUN_ROWS]
            a = index % RUN_ROWS
            b = min(len(run), a + stop - index)
            if out:
                out.append(b",")
            if a == 0 and b == len(run):
                out.append(run.piece)
            else:
                out.append(run.rows_bytes(run.piece.inflate(), a, b))
            index += b - a
        return out


#: Every feed row is a flat JSON object (every column a scalar) written by orjson, with its
#: ``version_id`` first; a ``"`` inside a string is escaped, and a string's closing ``"`` is
#: followed by ``,``, ``:`` or ``}``, never by a letter. So in a chunk's body this text occurs
#: exactly where one row ends and the next begins, and ``{"version_id":`` where a row begins.
ROW_BOUNDARY: Final = b'},{"version_id":'
ROW_OPEN: Final = b'{"version_id":'
#: Column types whose JSON values are scalars (no nested object or array), so a set of only
#: such columns can be scanned as flat text.
SCALAR_TYPES: Final = frozenset({"integer", "number", "string", "boolean", "date", "datetime"})
#: A scalar JSON value as orjson writes it: a string (escapes included) or a number, true,
#: false or null (none of which holds a comma, a ``}`` or a ``"``).
_SCALAR_VALUE: Final = rb'("[^"\\]*(?:\\.[^"\\]*)*"|[^,}"]+)'
RUN_THREADS: Final = min(2, os.cpu_count() or 1)
"""Runs are compressed on this many threads (zlib releases the GIL while it compresses)."""


def _cut_rows(body: bytes, rows: int) -> list[bytes] | None:
    """Each row of a chunk body without its :data:`ROW_OPEN` and its closing ``}`` (so the
    body is ``ROW_OPEN + ROW_BOUNDARY.join(cut) + b"}"``), cut in C; None if the body does not
    split into ``rows`` rows (then rows are written again from their parsed values)."""
    if rows == 0:
        return [] if body == b"" else None
    if not (body.startswith(ROW_OPEN) and body.endswith(b"}")):
        return None
    cut = body.split(ROW_BOUNDARY)
    if len(cut) != rows:
        return None
    cut[0] = cut[0][len(ROW_OPEN) :]
    cut[-1] = cut[-1][:-1]
    return cut


@functools.cache
def _value_pattern(name: str) -> re.Pattern[bytes]:
    """``,"name":`` followed by a scalar value: a literal prefix, so ``re`` finds it fast."""
    return re.compile(b',"' + re.escape(name.encode()) + b'":' + _SCALAR_VALUE, re.DOTALL)


def _scanned_values(
    body: bytes, chunk: stored.ChunkInfo, names: Sequence[str]
) -> list[list[Any]] | None:
    """The ``names`` columns of a chunk's rows, read from its body without parsing the rows:
    None unless every row yields exactly one value for each name (then rows are parsed).

    Exact for flat rows written by orjson from dicts (unique keys, no whitespace):
    ``,"name":`` cannot occur inside a string (a ``"`` in it is escaped, and its closing
    ``"`` is never followed by a letter) nor inside a scalar, so it only occurs where the
    row's property ``name`` (not its first) begins, at most once per row: ``row_count``
    matches mean one per row, in row order. ``version_id`` is every row's first property and
    ``{"version_id":`` only occurs where a row begins, so the body holds
    ``{"version_id":<the chunk's version>,`` once per row exactly when every row's is the
    chunk's."""
    rows = chunk.row_count
    columns: list[list[Any]] = []
    for name in names:
        if name == "version_id":
            if body.count(b'{"version_id":%d,' % chunk.version_id) != rows:
                return None
            columns.append([chunk.version_id] * rows)
            continue
        found = _value_pattern(name).findall(body)
        if len(found) != rows:
            return None
        try:
            columns.append(orjson.loads(b"[" + b",".join(found) + b"]"))
        except orjson.JSONDecodeError:
            return None
    return columns


def _sorted_indexes(columns: Sequence[list[Any]], order: Sequence[OrderItem]) -> list[int]:
    """Row indexes in ``order``: one stable sort per item, the last item first (so ties keep
    the order of the items after), nulls first ascending and last descending. Each sort runs
    in C on the column's values; no Python key per row."""
    indexes = list(range(len(columns[0]) if columns else 0))
    for values, item in reversed(list(zip(columns, order, strict=True))):
        nulls = [i for i in indexes if values[i] is None]
        rest = [i for i in indexes if values[i] is not None] if nulls else indexes
        rest.sort(key=values.__getitem__, reverse=item.descending)
        indexes = rest + nulls if item.descending else nulls + rest
    return indexes


@dataclass(frozen=True, slots=True)
class Chunks:
    """Where an ordered set's rows come from: the query's stored chunks, read in batches."""

    engine: Engine
    chunks: Sequence[stored.ChunkInfo]
    cache: stored.RowCache
    row_number: bool


def build(
    source: Chunks,
    entity: EntitySet,
    orderby: Sequence[OrderItem],
    predicate: Predicate | None,
) -> OrderedSet:
    """The rows passing ``predicate``, sorted by ``orderby`` completed with the key.

    Each row's bytes are cut from the stored bodies in C (written again only for the
    OData-only ``row_number``, or a body that does not cut), sorted by index, and joined into
    runs (one ``join`` each) compressed on a few threads. The sort values are read from
    parsed rows (the row cache's, or parsed here) when ``$filter`` needs the rows or a body
    cannot be scanned; otherwise (every column a scalar) they are scanned from the bodies
    without parsing the rows."""
    order = total_order(orderby, entity)
    names = tuple(item.name for item in order)
    scan = (
        predicate is None
        and not source.row_number
        and all(column.type in SCALAR_TYPES for column in entity.columns)
    )
    columns: list[list[Any]] = [[] for _ in names]
    pieces: list[bytes] = []  # the set's bytes, held once while sorting: cut rows, or
    whole = False  # whole rows once a row written again does not begin with ROW_OPEN
    for chunk, body in _chunk_bodies(source):
        cut = None if source.row_number else _cut_rows(body, chunk.row_count)
        rows = source.cache.get(chunk.key)
        values = None
        if scan and rows is None and cut is not None:
            values = _scanned_values(body, chunk, names)
        if values is None:
            if rows is None:
                rows = stored.parse(chunk, body, source.row_number)
            if predicate is not None:
                keep = [i for i, row in enumerate(rows) if predicate(row)]
                rows = [rows[i] for i in keep]
                cut = None if cut is None else [cut[i] for i in keep]
            values = [[row[name] for row in rows] for name in names]
            if cut is None:
                written = [orjson.dumps(row) for row in rows]
                if not whole and not all(w.startswith(ROW_OPEN) for w in written):
                    whole = True
                    pieces = [ROW_OPEN + p + b"}" for p in pieces]
                pieces += written if whole else [w[len(ROW_OPEN) : -1] for w in written]
        for column, found in zip(columns, values, strict=True):
            column += found
        if cut is not None:
            pieces += [ROW_OPEN + p + b"}" for p in cut] if whole else cut
    indexes = _sorted_indexes(columns, order)
    key = sort_key(order, entity)
    firsts = [
        key(tuple(column[indexes[begin]] for column in columns))
        for begin in range(0, len(indexes), RUN_ROWS)
    ]
    parts = (
        [pieces[i] for i in indexes[begin : begin + RUN_ROWS]]
        for begin in range(0, len(indexes), RUN_ROWS)
    )
    with ThreadPoolExecutor(max_workers=RUN_THREADS) as pool:
        runs = tuple(pool.map(_whole_run if whole else _cut_run, parts))
    return OrderedSet(runs, tuple(firsts), len(pieces), names, key)


def _starts(part: list[bytes], extra: int) -> array[int]:
    """Where each row begins when each takes its piece's length plus ``extra`` bytes."""
    lengths = map(operator.add, map(len, part), itertools.repeat(extra))
    return array("q", itertools.accumulate(lengths, initial=0))


def _cut_run(part: list[bytes]) -> Run:
    """A run of cut rows (``part`` is the caller's list, changed here): the rows joined by
    commas in one ``join``, with where each begins."""
    starts = _starts(part, len(ROW_BOUNDARY))
    part[0] = ROW_OPEN + part[0]
    part[-1] += b"}"
    return Run(Deflated.of(ROW_BOUNDARY.join(part), RUN_DEFLATE_LEVEL), starts)


def _whole_run(part: list[bytes]) -> Run:
    return Run(Deflated.of(b",".join(part), RUN_DEFLATE_LEVEL), _starts(part, 1))


def _chunk_bodies(source: Chunks) -> Iterator[tuple[stored.ChunkInfo, bytes]]:
    """Each chunk with its stored body, read in batches of about READ_BATCH_BYTES."""
    chunks = source.chunks
    index = 0
    while index < len(chunks):
        batch = [chunks[index]]
        size = batch[0].raw_size
        while index + len(batch) < len(chunks) and size < stored.READ_BATCH_BYTES:
            batch.append(chunks[index + len(batch)])
            size += batch[-1].raw_size
        with source.engine.connect() as connection:
            bodies = chunk_bytes(connection, [c.id for c in batch], "body")
        for chunk in batch:
            yield chunk, bodies.pop(chunk.id)
        index += len(batch)


class OrderCache:
    """A thread-safe LRU of ordered sets, bounded by their estimated size; a set being built
    is built once even when several requests ask for it together."""

    def __init__(self, budget_bytes: int = CACHE_BUDGET_BYTES) -> None:
        self.budget_bytes = budget_bytes
        self.used_bytes = 0
        self.hits = 0
        self.builds = 0
        self._entries: OrderedDict[Hashable, OrderedSet] = OrderedDict()
        self._building: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def _get(self, key: Hashable) -> OrderedSet | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                self.hits += 1
            return entry

    def get_or_build(self, key: Hashable, make: Callable[[], OrderedSet]) -> OrderedSet:
        entry = self._get(key)
        if entry is not None:
            return entry
        with self._lock:
            building = self._building.setdefault(key, threading.Lock())
        try:
            with building:
                entry = self._get(key)
                if entry is not None:
                    return entry
                entry = make()
                self._put(key, entry)
                return entry
        finally:
            with self._lock:
                self._building.pop(key, None)

    def _put(self, key: Hashable, entry: OrderedSet) -> None:
        cost = entry.cost
        with self._lock:
            self.builds += 1
            if cost > self.budget_bytes or key in self._entries:
                return
            self._entries[key] = entry
            self.used_bytes += cost
            while self.used_bytes > self.budget_bytes:
                _, evicted = self._entries.popitem(last=False)
                self.used_bytes -= evicted.cost
