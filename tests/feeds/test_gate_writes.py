"""What the gate writes per data request, counted on the real database with SQLAlchemy's event
hooks: one short write transaction at most (the fair-use upsert, and the token's last use at
most once a minute), and a budget that stays exact when requests race from separate apps with
their own connection pools (as separate worker processes have)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select

from planbridge.app import create_app
from planbridge.db.session import Database
from planbridge.integrations.models import FeedToken


class Writes:
    """Write statements by table, and transactions that wrote, as the database saw them."""

    def __init__(self) -> None:
        self.statements: Counter[str] = Counter()
        self.transactions = 0
        self._writing: set[int] = set()

    def executed(self, conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        words = statement.split()
        verb = words[0].upper()
        if verb in ("INSERT", "UPDATE", "DELETE"):
            table = words[2] if verb in ("INSERT", "DELETE") else words[1]
            self.statements[f"{verb} {table}"] += 1
            self._writing.add(id(conn))

    def committed(self, conn: Any) -> None:
        if id(conn) in self._writing:
            self.transactions += 1
            self._writing.discard(id(conn))

    def rolled_back(self, conn: Any) -> None:
        self._writing.discard(id(conn))


@contextmanager
def counting(engine: Engine) -> Iterator[Writes]:
    writes = Writes()
    hooks = [
        ("before_cursor_execute", writes.executed),
        ("commit", writes.committed),
        ("rollback", writes.rolled_back),
    ]
    for name, hook in hooks:
        event.listen(engine, name, hook)
    try:
        yield writes
    finally:
        for name, hook in hooks:
            event.remove(engine, name, hook)


def test_a_feed_request_writes_once_and_the_last_use_once_a_minute(
    make_client, db, make_project, clock
):
    feed = make_project()
    client = make_client()
    with counting(db.engine) as first:
        assert client.get(feed.url, headers=feed.auth).status_code == 200
    assert first.statements == {"UPDATE feed_tokens": 1, "INSERT feed_usage": 1}
    assert first.transactions == 1

    clock.advance(seconds=30)
    with counting(db.engine) as later:
        for _ in range(5):
            clock.advance(seconds=5)
            assert client.get(feed.url, headers=feed.auth).status_code == 200
    assert later.statements == {"INSERT feed_usage": 5}  # the upsert; no token write
    assert later.transactions == 5

    clock.advance(seconds=30)  # 65 s after the recorded use
    with counting(db.engine) as next_minute:
        assert client.get(feed.url, headers=feed.auth).status_code == 200
    assert next_minute.statements == {"UPDATE feed_tokens": 1, "INSERT feed_usage": 1}
    assert next_minute.transactions == 1
    with db.transaction() as session:
        recorded = session.scalar(
            select(FeedToken.last_used_at).where(FeedToken.project_id == feed.project.id)
        )
    assert recorded == clock.now


def test_a_refused_request_still_records_the_tokens_last_use(make_client, db, make_project, clock):
    feed = make_project()
    client = make_client(feed_requests_per_hour=1)
    assert client.get(feed.url, headers=feed.auth).status_code == 200
    clock.advance(minutes=2)
    assert client.get(feed.url, headers=feed.auth).status_code == 429
    with db.transaction() as session:
        recorded = session.scalar(
            select(FeedToken.last_used_at).where(FeedToken.project_id == feed.project.id)
        )
    assert recorded == clock.now


def test_racing_requests_from_separate_pools_spend_the_budget_exactly(
    make_settings, database_url, db, make_project, clock
):
    feed = make_project()
    settings = make_settings(feed_requests_per_hour=5)
    databases = [Database.from_url(database_url) for _ in range(12)]
    clients = [TestClient(create_app(settings, db=d, clock=clock)) for d in databases]
    try:
        for client in clients:  # warm up (401s spend no budget)
            assert client.get(feed.url).status_code == 401
        with ThreadPoolExecutor(max_workers=len(clients)) as pool:
            codes = Counter(
                pool.map(lambda c: c.get(feed.url, headers=feed.auth).status_code, clients)
            )
        assert codes == {200: 5, 429: 7}
        clock.advance(seconds=720)  # one request earned back
        assert clients[0].get(feed.url, headers=feed.auth).status_code == 200
        assert clients[1].get(feed.url, headers=feed.auth).status_code == 429
    finally:
        for client in clients:
            client.close()
        for d in databases:
            d.dispose()
