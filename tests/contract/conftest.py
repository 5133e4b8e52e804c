"""A project with a published version, a member's personal access token and a feed token,
and the app's OpenAPI document loaded by Schemathesis."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
import schemathesis

from tests.api.conftest import issue_pat
from tests.builders import publish_at, small_plan
from tests.conftest import T0


@dataclass
class ContractApi:
    code: str
    api_id: str
    pat: str
    feed_token: str

    @property
    def path_values(self) -> dict[str, str]:
        return {"project_code": self.code, "project_api_id": self.api_id}

    def headers_for(self, path: str) -> dict[str, str]:
        token = self.pat if path.startswith("/api/") else self.feed_token
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def contract_api(db, clock, make_project) -> ContractApi:
    feed = make_project()
    small_plan(db, feed.project)
    publish_at(db, feed.project, T0 - dt.timedelta(days=1), name="Week 47")
    pat = issue_pat(db, feed.project, feed.admin.user_id, clock.now)
    return ContractApi(feed.project.code, feed.project.api_id, pat, feed.token)


@pytest.fixture
def openapi_schema(client):
    return schemathesis.openapi.from_asgi("/openapi.json", client.app)
