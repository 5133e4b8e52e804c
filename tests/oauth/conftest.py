"""A real server on loopback for the OAuth tests, with a settable clock, a registered public
client, and a browser-less walk through sign-in and consent (the same forms a browser posts)."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from html import unescape
from urllib.parse import urlsplit

import httpx
import pytest

from planbridge.actors import OPERATOR
from planbridge.app import create_app
from planbridge.db.session import Database
from planbridge.oauth import service as oauth
from planbridge.settings import load_settings
from tests.conftest import T0, Clock
from tests.connector_fixtures import PASSWORD, make_user, team
from tests.loopback import serving

__all__ = ["make_user", "team"]

REDIRECT = "http://127.0.0.1:9/callback"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server_clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def live_server(_migrated: Database, database_url: str, server_clock: Clock) -> Iterator[str]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    settings = load_settings(database_url=database_url, base_url=base, port=port, _env_file=None)
    with serving(create_app(settings, db=_migrated, clock=server_clock), port) as served:
        yield served


@pytest.fixture
def server(live_server: str, server_clock: Clock, db: Database) -> str:
    server_clock.now = T0
    return live_server


@pytest.fixture
def public_client(db: Database, server_clock: Clock) -> str:
    with db.transaction() as session:
        created = oauth.create_client(
            session,
            OPERATOR,
            name="Power BI connector",
            redirect_uris=[REDIRECT],
            confidential=False,
            now=server_clock.now,
        )
    return created.client.client_id


def hidden_fields(html: str) -> dict[str, str]:
    return {name: unescape(value) for name, value in HIDDEN.findall(html)}


def sign_in_and_consent(
    base: str, authorize_url: str, email: str, *, decision: str = "allow"
) -> httpx.Response:
    """Follow an authorization URL as a person would: sign in, then Allow (or Deny). Returns
    the final answer: normally a 302 to the client's redirect URI."""
    with httpx.Client(base_url=base, follow_redirects=False) as browser:
        first = browser.get(authorize_url)
        if first.status_code != 303:
            return first
        login_url = first.headers["location"]
        login_page = browser.get(login_url)
        fields = hidden_fields(login_page.text)
        signed = browser.post("/login", data={**fields, "email": email, "password": PASSWORD})
        assert signed.status_code == 303, signed.text
        consent = browser.get(signed.headers["location"])
        if consent.status_code != 200 or "consent-title" not in consent.text:
            return consent
        return browser.post(
            "/oauth/authorize", data={**hidden_fields(consent.text), "decision": decision}
        )


def redirect_target(response: httpx.Response) -> str:
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(REDIRECT + "?")
    return location


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"
