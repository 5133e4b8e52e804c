"""Signed-in clients of the pages: users with passwords, and the form dance (CSRF included)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from planbridge.accounts import service as accounts
from planbridge.actors import OPERATOR
from planbridge.db.session import Database
from planbridge.projects import service as projects
from planbridge.projects.models import Project

PASSWORD = "quay street tower crane"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD, next_: str = "/projects"):
    page = client.get(f"/login?next={next_}")
    return client.post(
        "/login",
        data={
            "email": email,
            "password": password,
            "csrf_token": csrf_of(page.text),
            "next": next_,
        },
        follow_redirects=False,
    )


def post_form(client: TestClient, page_url: str, action: str, **fields: str):
    """Submit a form as the page would: with the CSRF token the page carries."""
    token = csrf_of(client.get(page_url).text)
    return client.post(action, data={"csrf_token": token, **fields}, follow_redirects=False)


@dataclass
class Team:
    project: Project
    admin: str
    member: str
    outsider: str


@pytest.fixture
def make_user(db: Database, clock) -> Callable[..., str]:
    def build(email: str, name: str = "Someone", password: str = PASSWORD) -> str:
        with db.transaction() as session:
            accounts.create_account(
                session,
                OPERATOR,
                email=email,
                name=name,
                organisation="Test Org",
                password=password,
                now=clock.now,
                link_hours=72,
            )
        return email

    return build


@pytest.fixture
def team(db: Database, make_user) -> Team:
    admin = make_user("ada@example.com", "Ada Admin")
    member = make_user("max@example.com", "Max Member")
    outsider = make_user("otto@example.com", "Otto Outsider")
    with db.transaction() as session:
        project = projects.create_project(
            session, name="Quay Street Tower", code="QST", organisation="Test Org"
        )
        projects.add_member(session, project, projects.get_user(session, admin), "admin")
        projects.add_member(session, project, projects.get_user(session, member), "member")
    return Team(project=project, admin=admin, member=member, outsider=outsider)
