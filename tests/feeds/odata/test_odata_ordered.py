"""An ordered set built from stored chunks: the sort values scanned from the bodies (no row
parsed) give byte for byte the set built from parsed rows, and the sorted parsed feed rows."""

from __future__ import annotations

import datetime as dt
import json
import random
import zlib

import orjson
import pytest
from sqlalchemy import insert, select

from planbridge.feeds.odata import ordered
from planbridge.feeds.odata import pieces as stored_pieces
from planbridge.feeds.odata import rows as stored
from planbridge.feeds.odata.filters import parse_filter
from planbridge.feeds.odata.model import ENTITY_SETS_BY_NAME
from planbridge.feeds.odata.options import OrderItem
from planbridge.feeds.odata.ordered import sort_key, total_order
from planbridge.planning import service as plan
from planbridge.projects.models import Project
from planbridge.publishing.chunks import deflate_piece
from planbridge.publishing.models import Version, VersionChunk
from planbridge.publishing.store import store_rows
from tests.builders import publish_at

TASKS = ENTITY_SETS_BY_NAME["Tasks"]
PROBE = "ordered_probe"
"""The stored table the probe rows are written to (as Tasks rows; the feed never reads it)."""

#: Strings a text scan could mistake for a property or a row boundary, escapes, unicode.
TRICKY = [
    'x","name":"y',
    '","name":"',
    ',"name":',
    '"name":null,',
    '},{"version_id":1,"name":"z',
    "},{",
    '"}',
    "\\",
    "\\\\",
    'ends with a backslash \\"',
    "é",
    "日本語",
    "😀",
    "tab\tnew\nline\u0001",
    "",
    "plain",
    "Plain",
    "plain",
    None,
]
ORDERS = [
    (OrderItem("name"),),
    (OrderItem("name", descending=True),),
    (OrderItem("notes", descending=True), OrderItem("duration_days")),
    (OrderItem("duration_days", descending=True), OrderItem("name")),
    (OrderItem("committed"), OrderItem("name", descending=True)),
    (OrderItem("task_id", descending=True),),
]


def _probe_rows(version_id: int, count: int, rng: random.Random) -> list[dict]:
    """Rows keyed like Tasks (``version_id`` first), with many ties among their values."""
    return [
        {
            "version_id": version_id,
            "task_id": rng.randrange(1, 10**6) * 100 + n,  # unique, not in row order
            "name": rng.choice(TRICKY),
            "duration_days": rng.choice([None, 0, 3, -2, 1.5, -0.25, 1e20, 2**53]),
            "committed": rng.choice([True, False, None]),
            "notes": rng.choice([None, "b", "a", '"quoted"', "a,b}"]),
        }
        for n in range(count)
    ]


@pytest.fixture
def versions(db, make_project, clock):
    """Three published versions of a one-task plan."""
    feed = make_project()
    with db.transaction() as session:
        project = session.get(Project, feed.project.id)
        plan.add_task(session, project, name="Only", start_date=dt.date(2026, 11, 16))
    for days in (21, 14, 7):
        publish_at(db, feed.project, clock.now - dt.timedelta(days=days))
    with db.transaction() as session:
        return list(
            session.scalars(
                select(Version.id).where(Version.project_id == feed.project.id).order_by(Version.id)
            )
        )


def _store(db, version_id: int, rows: list[dict], chunk_rows: int = 7) -> None:
    with db.transaction() as session:
        store_rows(session, version_id, {PROBE: rows}, chunk_rows=chunk_rows)


def _store_body(db, version_id: int, seq: int, body: bytes, row_count: int) -> None:
    """A chunk whose body is given as is (not written by the publisher)."""
    deflate = deflate_piece(body)
    with db.transaction() as session:
        session.execute(
            insert(VersionChunk).values(
                version_id=version_id,
                table_name=PROBE,
                seq=seq,
                row_count=row_count,
                raw_size=len(body),
                crc32=zlib.crc32(body),
                deflate_size=len(deflate),
                body=body,
                deflate=deflate,
            )
        )


def _chunks(db, version_ids) -> list[stored.ChunkInfo]:
    with db.transaction() as session:
        return stored.chunk_plan(session, list(reversed(version_ids)), PROBE)


def _built(db, chunks, orderby, predicate=None, cache=None) -> bytes:
    """The ordered set's rows, joined by commas, as a page would send them."""
    source = ordered.Chunks(db.engine, chunks, stored.RowCache() if cache is None else cache, False)
    built = ordered.build(source, TASKS, orderby, predicate)
    data = stored_pieces.identity(db.engine, built.pieces(0, built.count))
    assert built.count == len(orjson.loads(b"[" + data + b"]"))
    return data


def _sorted_feed(rows, orderby, texts=None) -> bytes:
    """The parsed rows sorted in plain Python by the OData order, written again (or given as
    ``texts``, one per row)."""
    order = total_order(orderby, TASKS)
    key = sort_key(order, TASKS)
    texts = [orjson.dumps(row) for row in rows] if texts is None else texts
    ranked = sorted(range(len(rows)), key=lambda i: key(tuple(rows[i][n.name] for n in order)))
    return b",".join(texts[i] for i in ranked)


def _parsed(db, chunks) -> list[dict]:
    return [row for _, rows in stored.read(db.engine, chunks, stored.RowCache()) for row in rows]


def _bodies(db, chunks) -> list[tuple[stored.ChunkInfo, bytes]]:
    return list(ordered._chunk_bodies(ordered.Chunks(db.engine, chunks, stored.RowCache(), False)))


def test_scanned_sort_values_give_the_bytes_of_sorted_parsed_rows(db, versions):
    rng = random.Random(11)
    for version_id in versions:
        _store(db, version_id, _probe_rows(version_id, 60, rng))
    chunks = _chunks(db, versions)
    rows = _parsed(db, chunks)
    assert len(chunks) == 27 and len(rows) == 180
    for orderby in ORDERS:
        names = [item.name for item in total_order(orderby, TASKS)]
        for chunk, body in _bodies(db, chunks):  # the scan is taken, and reads the values
            parsed = orjson.loads(b"[" + body + b"]")
            scanned = ordered._scanned_values(body, chunk, names)
            assert scanned == [[row[n] for row in parsed] for n in names]
        fast = _built(db, chunks, orderby)
        assert fast == _sorted_feed(rows, orderby), orderby
        warm = stored.RowCache()
        assert len(list(stored.read(db.engine, chunks, warm))) == len(chunks)
        assert _built(db, chunks, orderby, cache=warm) == fast  # values from parsed rows


def test_a_filtered_ordered_set_is_the_sorted_filtered_rows(db, versions):
    rng = random.Random(12)
    for version_id in versions:
        _store(db, version_id, _probe_rows(version_id, 40, rng), chunk_rows=6)
    chunks = _chunks(db, versions)
    rows = _parsed(db, chunks)
    for text in ["duration_days ge 0", "name ne 'plain'", "duration_days ge -100"]:
        predicate = parse_filter(text, TASKS)
        kept = [row for row in rows if predicate(row)]
        assert 0 < len(kept) <= len(rows)
        for orderby in ORDERS[:4]:
            assert _built(db, chunks, orderby, predicate) == _sorted_feed(kept, orderby)
    everything = parse_filter("duration_days ge -100 or duration_days eq null", TASKS)
    assert _built(db, chunks, ORDERS[0], everything) == _built(db, chunks, ORDERS[0])


def test_bodies_the_scan_cannot_read_exactly_are_parsed_instead(db, versions):
    """Chunks where the scan's match count differs from the rows (a property first, not after
    a comma; a property twice in a row; a row of another version; spaces after separators)
    fall back to parsing."""
    rng = random.Random(13)
    first, second, third = versions
    _store(db, first, _probe_rows(first, 20, rng))
    name_first = [
        {"name": r.pop("name"), **r} if n % 3 == 0 else r
        for n, r in enumerate(_probe_rows(second, 9, rng))
    ]
    _store_body(db, second, 0, orjson.dumps(name_first)[1:-1], len(name_first))
    foreign = _probe_rows(first, 5, rng)  # rows of the first version, stored in the second
    _store_body(db, second, 1, orjson.dumps(foreign)[1:-1], len(foreign))
    twice = [orjson.dumps(row) for row in _probe_rows(second, 6, rng)]
    twice[2] = twice[2][:-1] + b',"name":"a second name, the one parsed"}'
    _store_body(db, second, 2, b",".join(twice), len(twice))
    spaced = _probe_rows(third, 8, rng)
    _store_body(db, third, 0, json.dumps(spaced, ensure_ascii=False)[1:-1].encode(), len(spaced))
    chunks = _chunks(db, versions)
    bodies = _bodies(db, chunks)
    names = [i.name for i in total_order(ORDERS[0], TASKS)]
    by_table = [(c.version_id, c.seq, ordered._scanned_values(b, c, names)) for c, b in bodies]
    assert [(v, s) for v, s, values in by_table if values is None] == [
        (third, 0),
        (second, 0),
        (second, 1),
        (second, 2),
    ]
    assert ordered._cut_rows(bodies[0][1], bodies[0][0].row_count) is None  # spaced: rewritten
    rows = _parsed(db, chunks)
    assert len(rows) == 8 + 9 + 5 + 6 + 20
    texts = [orjson.dumps(row) for row in rows]
    assert texts.count(twice[2]) == 0
    texts[8 + 9 + 5 + 2] = twice[2]  # cut from its body as it is stored
    for orderby in ORDERS:
        assert _built(db, chunks, orderby) == _sorted_feed(rows, orderby, texts), orderby


def test_rows_are_cut_from_a_chunk_body_at_their_boundaries_only():
    rows = [
        {"version_id": 1, "task_id": n, "name": name, "notes": None}
        for n, name in enumerate([*TRICKY, *TRICKY])
    ]
    body = orjson.dumps(rows)[1:-1]
    cut = ordered._cut_rows(body, len(rows))
    assert cut is not None
    assert [orjson.loads(ordered.ROW_OPEN + piece + b"}") for piece in cut] == rows
    assert ordered.ROW_OPEN + ordered.ROW_BOUNDARY.join(cut) + b"}" == body
    assert ordered._cut_rows(body, len(rows) + 1) is None
    assert ordered._cut_rows(b"", 0) == []
    assert ordered._cut_rows(body.replace(b'},{"', b'}, {"'), len(rows)) is None
    name_first = orjson.dumps([{"name": "a", "version_id": 1}, {"version_id": 1, "name": "b"}])
    assert ordered._cut_rows(name_first[1:-1], 2) is None


def test_an_ordered_walk_of_tricky_task_names_is_the_sorted_feed(make_client, make_project, db):
    """End to end: tasks named like JSON text, published twice, walked in name order."""
    feed = make_project()
    with db.transaction() as session:
        project = session.get(Project, feed.project.id)
        for n, name in enumerate(TRICKY * 2):
            plan.add_task(
                session,
                project,
                name=name if name else "empty",
                start_date=dt.date(2026, 11, 16) + dt.timedelta(days=n % 5),
                duration_days=1 + n % 4,
            )
    when = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)
    publish_at(db, feed.project, when - dt.timedelta(days=7))
    publish_at(db, feed.project, when - dt.timedelta(hours=1))
    client = make_client(odata_page_size=5, feed_requests_per_hour=1000)
    auth = {"Authorization": f"Bearer {feed.token}"}
    root = f"/odata/v4/{feed.project.api_id}/"
    feed_rows = client.get(f"/power-bi/v1/{feed.project.api_id}?limit=52", headers=auth).json()
    tasks = feed_rows["tasks"]
    assert len(tasks) == 2 * len(TRICKY) * 2
    for orderby in ["name", "name desc,duration_days", "duration_days desc,name"]:
        response = client.get(root + "Tasks", params={"$orderby": orderby}, headers=auth)
        walked = []
        while True:
            assert response.status_code == 200, response.text
            walked += response.json()["value"]
            link = response.json().get("@odata.nextLink")
            if link is None:
                break
            response = client.get(link, headers=auth)
        items = tuple(OrderItem(p.split()[0], p.split()[-1] == "desc") for p in orderby.split(","))
        assert orjson.dumps(walked) == b"[" + _sorted_feed(tasks, items) + b"]", orderby
