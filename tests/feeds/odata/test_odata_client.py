"""A real OData v4 client (python-odata) reads a 2,000-task demo project from a real server on
loopback, following every nextLink; its row counts match the JSON feed's."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests
import uvicorn
from odata import ODataService

from planbridge.app import create_app
from planbridge.feeds.odata.model import ENTITY_SETS
from tests.feeds.odata.conftest import build_demo

pytestmark = pytest.mark.slow

PAGE = 500


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(db, clock, make_settings) -> Iterator[str]:
    """The app served by uvicorn on loopback, in a thread; yields its base URL."""
    settings = make_settings(odata_page_size=PAGE, feed_requests_per_hour=10_000)
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings, db=db, clock=clock), host="127.0.0.1", port=port, log_level="error"
    )
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def big_demo(db):
    return build_demo(db, tasks=2000, weeks=2, code="BIG")


def test_python_odata_reads_every_set_with_the_json_feeds_row_counts(server, big_demo):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {big_demo.token}"
    feed = session.get(f"{server}/power-bi/v1/{big_demo.api_id}", params={"limit": 52})
    assert feed.status_code == 200
    expected = {name: len(rows) for name, rows in feed.json().items() if isinstance(rows, list)}
    assert expected["tasks"] == 4000

    service = ODataService(
        f"{server}/odata/v4/{big_demo.api_id}/",
        session=session,
        reflect_entities=True,
        quiet_progress=True,
    )
    assert set(service.entities) == {s.name for s in ENTITY_SETS}
    pages = 0
    original = session.get

    def counting_get(*args, **kwargs):
        nonlocal pages
        pages += 1
        return original(*args, **kwargs)

    session.get = counting_get  # type: ignore[method-assign]
    for entity in ENTITY_SETS:
        # Selecting the key returns plain rows: python-odata's entity objects are slow to build.
        cls = service.entities[entity.name]
        rows = list(service.query(cls).select(*(getattr(cls, k) for k in entity.key)))
        assert len(rows) == expected[entity.table.name], entity.name
        assert len({tuple(r[k] for k in entity.key) for r in rows}) == len(rows)
    assert pages >= 4000 // PAGE + len(ENTITY_SETS)
    tasks = list(service.query(service.entities["Tasks"]))
    assert len(tasks) == 4000
    assert {t.name for t in tasks} == {t["name"] for t in feed.json()["tasks"]}

    Tasks = service.entities["Tasks"]
    planned = service.query(Tasks).filter(Tasks.status == "planned")
    count = planned.count()
    assert count == sum(1 for t in feed.json()["tasks"] if t["status"] == "planned")
    assert len(planned.all()) == count
    first = service.query(Tasks).order_by(Tasks.task_id.desc()).first()
    assert first.task_id == max(t["task_id"] for t in feed.json()["tasks"])


def test_raw_http_responses_carry_odata_version_once(server, published):
    """http.client keeps repeated headers, so a duplicate would show here."""
    netloc = urlsplit(server).netloc
    for path in ["", "$metadata", "Tasks?$top=1", "Tasks/$count", "Nope", "Tasks?$expand=x"]:
        connection = http.client.HTTPConnection(netloc, timeout=10)
        connection.request(
            "GET",
            f"/odata/v4/{published.api_id}/{path}",
            headers={
                "Authorization": f"Bearer {published.token}",
                "OData-MaxVersion": "4.0",
                "Accept": "application/json;odata.metadata=minimal",
                "Accept-Encoding": "gzip, deflate",
            },
        )
        response = connection.getresponse()
        response.read()
        assert response.msg.get_all("OData-Version") == ["4.0"], path
        connection.close()
