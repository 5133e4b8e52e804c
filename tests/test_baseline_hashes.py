"""Behaviour unchanged: the demo project's feed, OData and file responses hash to the recorded
baseline (``tests/data/baseline_hashes.json``, recorded before the catalog restructuring).

The inputs are fixed: the demo's seed, the test clock and the project's feed id. A changed hash
means a response changed byte for byte. When a change is intended, re-record with
``PLANBRIDGE_RECORD_BASELINE=1 .venv/bin/pytest tests/test_baseline_hashes.py`` and say why in
the commit.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import update

from planbridge.actors import OPERATOR
from planbridge.demo import generator
from planbridge.feeds.odata.model import ENTITY_SETS
from planbridge.integrations import service as integrations
from planbridge.projects.models import Project
from tests.conftest import T0, issue_token

BASELINE = Path(__file__).with_name("data") / "baseline_hashes.json"
API_ID = "p_baseline0000000000000000"

FEED_QUERIES = (
    "",
    "?limit=1",
    "?limit=2&resource=false&status=false",
    "?blockers=no&metrics=false",
    "?published_from=2026-11-10&published_to=2026-11-21",
)
METRICS_QUERIES = ("", "?limit=2")
CSV_TABLES = (
    "versions",
    "tasks",
    "links",
    "resources",
    "status",
    "blockers",
    "subcontractors",
    "locations",
    "folders",
    "packages",
    "delay_reasons",
    "blocker_categories",
    "calendars",
    "ppc",
    "ppc_breakdown",
    "variance",
    "blocker_metrics",
    "tmr",
)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_CORE_TIMES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _xlsx_sha(data: bytes) -> str:
    """A workbook's parts in zip order, each with its name. Two inputs are wall-clock time and
    are pinned before hashing: the zip entries' file times (not hashed: only names and contents
    are) and openpyxl's ``dcterms:created``/``modified`` in docProps/core.xml."""
    digest = hashlib.sha256()
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        for name in book.namelist():
            part = book.read(name)
            if name == "docProps/core.xml":
                part, pinned = _CORE_TIMES.subn(rb"\g<1>PINNED\g<2>", part)
                assert pinned == 2, part
            digest.update(name.encode() + b"\0" + part + b"\0")
    return digest.hexdigest()


def _hashes(client, token: str) -> dict[str, str]:
    auth = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
    gzip = {"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"}
    feed = f"/power-bi/v1/{API_ID}"
    out: dict[str, str] = {}

    def get(path: str, headers: dict[str, str], *, xlsx: bool = False) -> None:
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.text[:300])
        raw = response.content
        key = path if headers is auth else f"{path} [gzip]"
        out[key] = _xlsx_sha(raw) if xlsx else _sha(raw)
        if "etag" in response.headers:
            out[f"{key} ETag"] = response.headers["etag"]

    for query in FEED_QUERIES:
        get(feed + query, auth)
    get(feed, gzip)
    for query in METRICS_QUERIES:
        get(f"{feed}/metrics{query}", auth)
    for table in CSV_TABLES:
        get(f"{feed}/tables/{table}.csv", auth)
    get(f"{feed}/tables/tasks.csv?bom=false&limit=2", auth)
    get(f"{feed}/tables/tasks.xlsx", auth, xlsx=True)
    get(f"{feed}/tables.xlsx", auth, xlsx=True)
    get(f"{feed}/tables.xlsx?metrics=false&resource=false", auth, xlsx=True)
    odata = f"/odata/v4/{API_ID}/"
    get(odata, auth)
    get(odata + "$metadata", auth)
    for entity in ENTITY_SETS:
        get(odata + entity.name, auth)
        get(odata + entity.name + "/$count", auth)
    get(odata + "Tasks?$filter=duration_days gt 3&$select=task_id,name&$orderby=name&$top=7", auth)
    get(odata + "Versions?$count=true", auth)
    return out


@pytest.mark.slow
def test_demo_responses_match_the_recorded_baseline(db, make_client, clock):
    with db.transaction() as session:
        result = generator.build(session, tasks=150, weeks=4, seed=7, now=T0, code="BASE")
        session.execute(
            update(Project).where(Project.id == result.project.id).values(api_id=API_ID)
        )
        session.flush()
        session.refresh(result.project)
        project = result.project
        integrations.set_integration(session, project, OPERATOR, enabled=True)
    token = issue_token(db, project, clock.now)
    client = make_client(feed_requests_per_hour=100_000, odata_page_size=50)
    hashes = _hashes(client, token)
    backend = db.engine.dialect.name
    everything = json.loads(BASELINE.read_text()) if BASELINE.exists() else {}
    if os.environ.get("PLANBRIDGE_RECORD_BASELINE") == "1":
        everything[backend] = hashes
        BASELINE.parent.mkdir(exist_ok=True)
        BASELINE.write_text(json.dumps(everything, indent=1, sort_keys=True) + "\n")
    recorded = everything[backend]
    changed = sorted(k for k in recorded.keys() | hashes.keys() if recorded.get(k) != hashes.get(k))
    assert not changed, f"responses differ from the baseline: {changed}"
