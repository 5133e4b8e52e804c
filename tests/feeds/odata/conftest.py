"""Fixtures of the OData tests: a published small plan, a demo project, the CSDL schema."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

from planbridge.actors import OPERATOR
from planbridge.demo import generator
from planbridge.integrations.service import set_integration
from tests.builders import publish_at, small_plan
from tests.conftest import T0, issue_token

SCHEMAS = Path(__file__).resolve().parents[4] / "shared" / "odata"


@dataclass
class ODataProject:
    api_id: str
    token: str

    @property
    def root(self) -> str:
        return f"/odata/v4/{self.api_id}/"

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def published(db, make_project, clock):
    """The small plan published twice (two versions, three tasks each)."""
    feed = make_project()
    small_plan(db, feed.project)
    publish_at(db, feed.project, clock.now - dt.timedelta(days=7), name="Week A")
    publish_at(db, feed.project, clock.now - dt.timedelta(hours=1), name="Week B")
    return ODataProject(feed.project.api_id, feed.token)


def build_demo(db, *, tasks: int, weeks: int, code: str = "DEMO") -> ODataProject:
    with db.transaction() as session:
        result = generator.build(
            session, tasks=tasks, weeks=weeks, seed=5, now=T0, code=code, chunk_rows=300
        )
        set_integration(session, result.project, OPERATOR, enabled=True)
    return ODataProject(result.project.api_id, issue_token(db, result.project, T0))


@pytest.fixture
def demo(db):
    """A 400-task demo project with 4 weekly versions."""
    return build_demo(db, tasks=400, weeks=4)


@pytest.fixture(scope="session")
def csdl_schema():
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "edmx.xsd")))
