"""Single sign-on through a real OpenID Connect provider run locally (npm `oidc-provider`,
started with node) in Debian's Chromium: the sign-in page's "Sign in with your organisation"
leaves for the provider, its sign-in and consent pages come back to PlanBridge, the ID token is
verified and the person lands signed in where they were going. An email without a PlanBridge
account is refused; a forged callback (wrong state) is refused."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.sync_api import sync_playwright

from planbridge.app import create_app
from planbridge.audit import events
from planbridge.db.session import Database
from planbridge.settings import load_settings
from tests.conftest import REPO

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
PROVIDER = REPO / "tests" / "oauth" / "oidc_provider.mjs"
CLIENT_ID, CLIENT_SECRET = "planbridge", "a-long-test-secret-for-the-provider"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def federated(_migrated: Database, database_url: str) -> Iterator[str]:
    """PlanBridge on loopback, configured for a local oidc-provider (also started here)."""
    node = shutil.which("node")
    if node is None or not (REPO / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("node and `npm ci` (oidc-provider) are needed for the federation tests")
    idp_port, pb_port = _free_port(), _free_port()
    base = f"http://127.0.0.1:{pb_port}"
    provider = subprocess.Popen(
        [
            node,
            str(PROVIDER),
            str(idp_port),
            CLIENT_ID,
            CLIENT_SECRET,
            f"{base}/login/sso/callback",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert provider.stdout is not None
        line = provider.stdout.readline()
        assert line.startswith("ready "), line
        settings = load_settings(
            database_url=database_url,
            base_url=base,
            port=pb_port,
            oidc_issuer=line.split()[1],
            oidc_client_id=CLIENT_ID,
            oidc_client_secret=CLIENT_SECRET,
            _env_file=None,
        )
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(settings, db=_migrated),
                host="127.0.0.1",
                port=pb_port,
                log_config=None,
                access_log=False,
                log_level="warning",
            )
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        yield base
        server.should_exit = True
        thread.join(timeout=10)
    finally:
        provider.terminate()
        provider.wait(timeout=10)
        if provider.stdout is not None:
            provider.stdout.close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: run make install (it apt-get installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()


def sign_in_at_the_provider(chromium, base: str, email: str):
    context = chromium.new_context()
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{base}/account/sign-ins")
    page.get_by_role("link", name="Sign in with your organisation").click()
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", "anything")
    page.click("button[type=submit]")
    page.wait_for_selector("button[type=submit]")
    page.click("button[type=submit]")  # the provider's consent: Continue
    page.wait_for_url(f"{base}/**")
    return context, page


def test_single_sign_on_lands_signed_in_where_the_person_was_going(federated, chromium, team, db):
    context, page = sign_in_at_the_provider(chromium, federated, team.member)
    try:
        page.get_by_role("heading", name="Your sign-ins").wait_for()
        assert page.url == f"{federated}/account/sign-ins"
        assert page.get_by_text("Browser session").count() == 1
    finally:
        context.close()
    with db.transaction() as session:
        assert "user.sign_in_sso" in [e.action for e in events(session)]


def test_an_email_without_an_account_is_refused(federated, chromium, team):
    context, page = sign_in_at_the_provider(chromium, federated, "stranger@example.com")
    try:
        assert page.get_by_text("stranger@example.com has no PlanBridge account here.").count() == 1
        assert "/login/sso/callback" in page.url
    finally:
        context.close()


def test_a_callback_with_a_foreign_state_is_refused(federated, team):
    answer = httpx.get(
        f"{federated}/login/sso/callback?code=x&state=y", cookies={"pb_sso": "a.b.c"}
    )
    assert answer.status_code == 403 and "state differs" in answer.text
