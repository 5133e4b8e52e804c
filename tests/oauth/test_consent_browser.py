"""The OAuth sign-in as a person meets it, in Debian's Chromium (Playwright, never a downloaded
browser) against uvicorn on loopback: the connector's authorization URL leads to the sign-in
page, then the consent screen; Allow lands on the client's redirect URI with a code that
authlib's client exchanges (PKCE) for tokens. The pages pass axe-core and are screenshotted."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from authlib.integrations.httpx_client import OAuth2Client
from playwright.sync_api import sync_playwright

from tests.conftest import REPO
from tests.connector_fixtures import PASSWORD
from tests.oauth.conftest import REDIRECT

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
SCREENS = REPO / "tests" / "artifacts" / "screens"


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: run make install (it apt-get installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def axe_clean(page) -> None:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact}))"
    )
    assert [v for v in found if v["impact"] in ("serious", "critical")] == []


def test_sign_in_and_consent_in_chromium_then_the_code_is_exchanged(
    chromium, server, public_client, team
):
    verifier = secrets.token_urlsafe(48)
    with OAuth2Client(
        client_id=public_client,
        redirect_uri=REDIRECT,
        scope="exports",
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    ) as client:
        url, state = client.create_authorization_url(
            f"{server}/oauth/authorize", code_verifier=verifier
        )
        context = chromium.new_context(viewport={"width": 1280, "height": 860})
        context.set_default_timeout(15_000)
        landed: list[str] = []

        def callback(route) -> None:
            landed.append(route.request.url)
            route.fulfill(
                status=200, content_type="text/html", body="<title>Back in Power BI</title>"
            )

        context.route("http://127.0.0.1:9/**", callback)
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        try:
            page.goto(url)
            assert "/login?next=" in page.url
            page.get_by_label("Email").fill(team.member)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.get_by_role(
                "heading", name="Allow Power BI connector to read your projects?"
            ).wait_for()
            axe_clean(page)
            SCREENS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENS / "oauth-consent-1280.png"), full_page=True)
            page.get_by_role("button", name="Allow").click()
            page.wait_for_url(f"{REDIRECT}**")
        finally:
            context.close()
        assert problems == []
        (callback_url,) = landed
        assert f"state={state}" in callback_url

        token = client.fetch_token(
            f"{server}/oauth/token",
            authorization_response=callback_url,
            code_verifier=verifier,
            state=state,
        )
    projects = httpx.get(
        f"{server}/api/v1/connector/projects",
        headers={"Authorization": f"Bearer {token['access_token']}"},
    ).json()["projects"]
    assert [p["code"] for p in projects] == ["QST"]


def test_the_sign_ins_page_passes_axe(chromium, server, public_client, team):
    context = chromium.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(f"{server}/account/sign-ins")
        page.get_by_label("Email").fill(team.member)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Your sign-ins").wait_for()
        assert page.get_by_text("Browser session").count() == 1
        axe_clean(page)
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / "sign-ins-1280.png"), full_page=True)
        page.get_by_role("button", name="Sign out Web browser").click()
        page.wait_for_url("**/login**")
    finally:
        context.close()


def test_the_exports_page_passes_axe_and_saves_by_keyboard(chromium, server, team):
    context = chromium.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(f"{server}/projects/QST/exports")
        page.get_by_label("Email").fill(team.admin)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Export actions").wait_for()
        axe_clean(page)
        page.get_by_label("Name").fill("Open tasks")
        page.get_by_label("Table").select_option("tasks")
        page.get_by_label("Name").press("Enter")
        page.get_by_text("Export action saved.").wait_for()
        assert page.get_by_role("cell", name="Open tasks", exact=True).count() == 1
        axe_clean(page)
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / "exports-1280.png"), full_page=True)
    finally:
        context.close()
