"""People and projects for the connector tests: users with passwords in one organisation, a
published project with admin and member, and access tokens from the Basic exchange."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from planbridge.accounts import service as accounts
from planbridge.actors import OPERATOR
from planbridge.db.session import Database
from planbridge.projects import service as projects
from planbridge.projects.models import Project
from tests.builders import publish_at, small_plan

PASSWORD = "quay street tower crane"


def basic_header(email: str, password: str = PASSWORD) -> dict[str, str]:
    pair = base64.b64encode(f"{email}:{password}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


def access_token(client: TestClient, email: str, password: str = PASSWORD) -> str:
    response = client.post("/api/v1/auth/basic", headers=basic_header(email, password))
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Team:
    project: Project
    admin: str
    member: str
    outsider: str


@pytest.fixture
def make_user(db: Database, clock) -> Callable[..., str]:
    def build(email: str, name: str = "Someone", organisation: str = "Test Org") -> str:
        with db.transaction() as session:
            accounts.create_account(
                session,
                OPERATOR,
                email=email,
                name=name,
                organisation=organisation,
                password=PASSWORD,
                now=clock.now,
                link_hours=72,
            )
        return email

    return build


@pytest.fixture
def team(db: Database, clock, make_user) -> Team:
    admin = make_user("ada@example.com", "Ada Admin")
    member = make_user("max@example.com", "Max Member")
    outsider = make_user("otto@example.com", "Otto Outsider")
    with db.transaction() as session:
        project = projects.create_project(
            session, name="Quay Street Tower", code="QST", organisation="Test Org", tier="pro"
        )
        projects.add_member(session, project, projects.get_user(session, admin), "admin")
        projects.add_member(session, project, projects.get_user(session, member), "member")
    small_plan(db, project)
    publish_at(db, project, clock.now, name="Week 47")
    return Team(project=project, admin=admin, member=member, outsider=outsider)
