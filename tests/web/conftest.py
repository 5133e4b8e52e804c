"""Signed-in clients of the pages: users with passwords, and the form dance (CSRF included);
the real server on loopback and Debian's Chromium for the browser tests."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import sync_playwright

from planbridge.accounts import service as accounts
from planbridge.actors import OPERATOR
from planbridge.app import create_app
from planbridge.db.session import Database
from planbridge.projects import service as projects
from planbridge.projects.models import Project
from planbridge.settings import Settings, load_settings
from tests.loopback import serving

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


# ---------------------------------------------------------------- the browser (Playwright)
# Shared by every browser test under tests/web (a session fixture defined in two modules would
# start Playwright twice, which its sync API refuses).
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 860}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server(_migrated: Database, database_url: str) -> Iterator[str]:
    """The app under uvicorn on a free loopback port, on the test database."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    settings: Settings = load_settings(
        database_url=database_url, base_url=base, port=port, _env_file=None
    )
    with serving(create_app(settings, db=_migrated), port) as served:
        yield served


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: run make install (it apt-get installs it)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser, server):
    context = browser.new_context(
        base_url=server, viewport=DESKTOP, permissions=["clipboard-read", "clipboard-write"]
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    """A tab whose console must stay free of CSP violations and script errors."""
    tab = context.new_page()
    problems: list[str] = []
    tab.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and "Content Security Policy" in m.text
            else None
        ),
    )
    tab.on("pageerror", lambda error: problems.append(str(error)))
    yield tab
    assert problems == []
