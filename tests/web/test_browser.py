"""The pages in a real browser (Debian's Chromium through Playwright) against a real server on
loopback: the whole token flow of a new project admin, by mouse and by keyboard alone, a member's
view, forged and cross-site posts, throttled sign-in, axe-core on every page, and screenshots.

Screenshots of every page (1280 px wide and a phone) go to tests/artifacts/screens/.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import httpx
import pytest

from planbridge.actors import OPERATOR
from planbridge.projects import service as projects
from tests.builders import publish_at, small_plan
from tests.conftest import REPO
from tests.web.conftest import ARGS, CHROMIUM, DESKTOP, PASSWORD, _free_port

pytestmark = pytest.mark.browser

__all__ = ["ARGS", "CHROMIUM", "DESKTOP", "_free_port"]  # kept importable from here too
SCREENS = REPO / "tests" / "artifacts" / "screens"
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def published(db, team):
    """The team's project with a published version (so the feed has something to serve)."""
    small_plan(db, team.project)
    publish_at(db, team.project, dt.datetime.now(dt.UTC) - dt.timedelta(hours=1), "Week 48")
    return team


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def axe_check(page) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    # Evaluated through the DevTools protocol, so the page's CSP (rightly) does not apply.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    bad = [v for v in result if v["impact"] in ("serious", "critical")]
    assert bad == [], f"{page.url}: {bad}"


def shoot(page, name: str) -> None:
    """A full-page screenshot at 1280 px and at a phone's width; the viewport is restored."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}-1280.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SCREENS / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def check_page(page, name: str) -> None:
    axe_check(page)
    shoot(page, name)


def clipboard(page) -> str:
    return str(page.evaluate("navigator.clipboard.readText()"))


def test_new_admin_enables_the_source_and_runs_a_token_through_its_life(page, server, published):
    page.goto("/projects/QST/integrations")
    assert "/login?next=/projects/QST/integrations" in page.url
    check_page(page, "login")
    sign_in(page, published.admin)
    page.wait_for_url("**/projects")
    check_page(page, "projects")
    page.get_by_role("link", name=re.compile("Quay Street Tower")).click()
    page.wait_for_url("**/projects/QST")
    check_page(page, "project")
    page.get_by_role("navigation", name="Project menu").get_by_role(
        "link", name="Integrations"
    ).click()
    page.wait_for_url("**/projects/QST/integrations")
    switch = page.get_by_role("switch", name="Enable Source")
    assert switch.get_attribute("aria-checked") == "false"
    check_page(page, "integrations-disabled")
    with page.expect_navigation():
        switch.click()
    assert page.get_by_role("switch", name="Enable Source").get_attribute("aria-checked") == "true"

    feed_url = page.get_by_label("Project API URL").input_value()
    assert feed_url == f"{server}/power-bi/v1/{published.project.api_id}"
    page.get_by_role("button", name="Copy URL").click()
    page.get_by_role("button", name="Copied").wait_for()
    assert clipboard(page) == feed_url
    assert (
        page.get_by_label("OData service URL")
        .input_value()
        .endswith(f"/odata/v4/{published.project.api_id}")
    )

    page.get_by_role("link", name="+ Generate New Token").click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    check_page(page, "token-dialog")
    dialog.get_by_label("Token name").fill("Power BI weekly report")
    dialog.get_by_label("Expires in").select_option("30")
    dialog.get_by_role("button", name="Generate Token").click()
    dialog.get_by_role("button", name="Copy Token").wait_for()
    assert "will not be shown again" in dialog.inner_text()
    shown = dialog.get_by_label("Token").input_value()
    assert shown.startswith("pbt_")
    check_page(page, "token-created")
    dialog.get_by_role("button", name="Copy Token").click()
    dialog.get_by_role("button", name="Copied").wait_for()
    token = clipboard(page)
    assert token == shown
    assert token not in page.url

    feed = httpx.get(feed_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert feed.status_code == 200
    assert feed.json()["project"]["id"] == published.project.api_id

    with page.expect_navigation():
        dialog.get_by_role("link", name="Done").click()
    expect_no_dialog(page)
    assert token not in page.content()
    row = page.get_by_role("row", name=re.compile("Power BI weekly report"))
    assert "30 days left" in row.inner_text()
    assert "Never" not in row.inner_text()
    assert published.admin in row.inner_text()
    check_page(page, "integrations")

    row.get_by_role("link", name="Revoke Power BI weekly report").click()
    page.wait_for_url("**/revoke")
    check_page(page, "token-revoke")
    page.get_by_role("button", name="Revoke token").click()
    page.wait_for_url("**/projects/QST/integrations")
    row = page.get_by_role("row", name=re.compile("Power BI weekly report"))
    assert "Revoked" in row.inner_text()
    again = httpx.get(feed_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert again.status_code == 401

    for suffix, name in (("/members", "members"), ("/audit", "audit")):
        page.goto(f"/projects/QST{suffix}")
        check_page(page, name)
    assert "token.revoke" in page.content()
    page.goto("/projects/QST/integrations/tokens/new")
    check_page(page, "token-new")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login?signed_out=1")
    page.goto("/projects")
    assert "/login?next=/projects" in page.url


def expect_no_dialog(page) -> None:
    assert page.evaluate("() => !document.querySelector('dialog[open]')")


def test_the_token_flow_works_by_keyboard_alone_and_the_dialog_traps_focus(page, db, team):
    from planbridge.integrations import service as integrations

    with db.transaction() as session:
        project = projects.get_project(session, "QST")
        integrations.set_integration(session, project, OPERATOR, enabled=True)
    page.goto("/login?next=/projects/QST/integrations")
    # The sign-in page puts focus in its email field (autofocus): wait for it before typing, or
    # keys typed while the page is still settling land nowhere.
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'email'")
    page.keyboard.type(team.admin)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: urlsplit(url).path == "/projects/QST/integrations")

    focused = "() => document.activeElement && document.activeElement.textContent.trim()"
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate(focused) == "+ Generate New Token":
            break
    else:
        pytest.fail("+ Generate New Token cannot be reached with Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "token-name"
    inside = "() => document.activeElement.closest('dialog') !== null"
    for _ in range(7):
        page.keyboard.press("Tab")
        assert page.evaluate(inside)
    for _ in range(7):
        page.keyboard.press("Shift+Tab")
        assert page.evaluate(inside)
    page.keyboard.press("Escape")
    expect_no_dialog(page)
    assert page.evaluate(focused) == "+ Generate New Token"

    page.keyboard.press("Enter")
    page.keyboard.type("Keyboard report")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "token-days"
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "Cancel"
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "Generate Token"
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Copy Token").wait_for()
    shown = page.evaluate("() => document.activeElement.value")
    assert shown.startswith("pbt_")
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "Copy Token"
    page.keyboard.press("Enter")
    assert clipboard(page) == shown
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "Done"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_role("row", name=re.compile("Keyboard report")).wait_for()
    assert shown not in page.content()


def test_member_sees_no_token_controls_and_forged_posts_are_refused(page, db, team):
    from planbridge.integrations import service as integrations

    with db.transaction() as session:
        integrations.set_integration(
            session, projects.get_project(session, "QST"), OPERATOR, enabled=True
        )
    sign_in(page, team.member)
    page.goto("/projects/QST/integrations")
    assert page.get_by_role("link", name="+ Generate New Token").count() == 0
    assert page.get_by_role("switch", name="Enable Source").is_disabled()
    assert page.get_by_label("Project API URL").input_value().startswith("http://127.0.0.1")
    check_page(page, "integrations-member")
    status = page.evaluate(
        """async () => {
            const token = document.querySelector('input[name=csrf_token]').value;
            const body = new URLSearchParams({csrf_token: token, token_name: 'forged', days: '90'});
            const answer = await fetch('/projects/QST/integrations/tokens', {method: 'POST', body});
            return answer.status;
        }"""
    )
    assert status == 403


def test_a_cross_site_form_post_is_refused(page, server, team):
    sign_in(page, team.admin)
    page.wait_for_url("**/projects")
    evil = (
        "<form id=f method=post action='" + server + "/projects/QST/integrations/source'>"
        "<input name=enabled value=1></form><script>document.getElementById('f').submit()"
        "</script>"
    )
    page.route(
        "http://evil.test/",
        lambda route: route.fulfill(status=200, content_type="text/html", body=evil),
    )
    with page.expect_response(re.compile(r"/integrations/source$")) as answer:
        page.goto("http://evil.test/")
    assert answer.value.status == 403


def test_wrong_password_is_refused_and_the_sixth_attempt_is_throttled(page, team):
    for _ in range(5):
        sign_in(page, team.admin, "not the password at all")
        assert page.get_by_role("alert").inner_text() == "The email or password is not right."
    check_page(page, "login-refused")
    sign_in(page, team.admin)
    assert "Try again in 15 minutes." in page.get_by_role("alert").inner_text()
    assert "/login" in page.url


def test_error_and_set_password_pages_pass_axe(page, team):
    sign_in(page, team.outsider)
    page.goto("/projects/QST/integrations")
    assert "Not found" in page.content()
    check_page(page, "not-found")
    page.goto("/set-password#some-link-code")
    assert page.get_by_label("Link code").input_value() == "some-link-code"
    assert "#" not in page.url
    check_page(page, "set-password")
