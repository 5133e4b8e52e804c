"""Insight in Debian's Chromium: the demo project's dashboard read back from the rendered page
equals the metrics feed, axe-core finds nothing serious, the empty states, and screenshots
(tests/artifacts/screens/; with PLANBRIDGE_UPDATE_DOC_IMAGES=1 also docs/images/insight.png,
the README's picture)."""

from __future__ import annotations

import datetime as dt
import os
import shutil

import httpx
import pytest

from planbridge.actors import OPERATOR
from planbridge.demo import generator
from planbridge.integrations import service as integrations
from planbridge.projects import service as projects
from tests.builders import publish_at, small_plan
from tests.conftest import REPO, issue_token
from tests.web.test_browser import SCREENS, check_page, sign_in

pytestmark = pytest.mark.browser

README_IMAGE = REPO / "docs" / "images" / "insight.png"


@pytest.fixture
def demo(db, team):
    """The demo project (6 weekly versions up to an hour ago) with Ada as an admin."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=1)
    with db.transaction() as session:
        generator.build(session, tasks=300, weeks=6, seed=1, now=now)
        project = projects.get_project(session, "DEMO")
        projects.add_member(session, project, projects.get_user(session, team.admin), "admin")
        integrations.set_integration(session, project, OPERATOR, enabled=True)
    return project


def _table(page, chart: str) -> list[dict[str, str]]:
    table = page.locator(f'table[data-chart="{chart}"]')
    heads = [_text(h) for h in table.locator("thead th").all()]
    return [
        dict(
            zip(
                heads,
                [(c.text_content() or "").strip() for c in row.locator("th, td").all()],
                strict=True,
            )
        )
        for row in table.locator("tbody tr").all()
    ]


def _text(cell) -> str:
    # text_content, not inner_text: the headings are upper-cased by CSS only.
    return (cell.text_content() or "").strip()


def _ratio(text: str) -> float | None:
    return None if text == "—" else round(float(text.removesuffix(" %")) / 100, 4)


def test_the_demo_dashboard_equals_the_metrics_feed_and_passes_axe(page, server, db, team, demo):
    sign_in(page, team.admin)
    page.wait_for_url("**/projects")
    page.goto("/projects/DEMO")
    page.get_by_role("navigation", name="Project menu").get_by_role("link", name="Insight").click()
    page.wait_for_url("**/projects/DEMO/insight")
    assert page.get_by_role("heading", name="PPC trend").is_visible()
    assert page.locator("svg.chart").count() == 6

    token = issue_token(db, demo, dt.datetime.now(dt.UTC))
    feed = httpx.get(
        f"{server}/power-bi/v1/{demo.api_id}/metrics?limit=6",
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    numbers = {v["version_id"]: v["number"] for v in feed["versions"]}
    expected = {
        (numbers[r["version_id"]], r["metric"]): (r["value"], r["task_count"]) for r in feed["ppc"]
    }
    shown = {}
    for row in _table(page, "ppc-trend"):
        shown[(int(row["Version"]), "ppc_task_day")] = (
            _ratio(row["PPC (task day)"]),
            int(row["Tasks (task day)"]),
        )
        shown[(int(row["Version"]), "ppc_task")] = (
            _ratio(row["PPC (task)"]),
            int(row["Tasks (task)"]),
        )
    assert shown == expected and len(expected) == 10

    latest = feed["versions"][0]["version_id"]
    breakdown = {
        (r["group_name"] or "(no subcontractor)", r["metric"]): (r["value"], r["task_count"])
        for r in feed["ppc_breakdown"]
        if r["version_id"] == latest and r["dimension"] == "subcontractor"
    }
    shown = {}
    for row in _table(page, "ppc-breakdown"):
        for metric, label in (("ppc_task_day", "task day"), ("ppc_task", "task")):
            if row[f"Tasks ({label})"] != "—":
                shown[(row["Subcontractor"], metric)] = (
                    _ratio(row[f"PPC ({label})"]),
                    int(row[f"Tasks ({label})"]),
                )
    assert shown == breakdown and breakdown

    pareto = [
        (r["rank"], r["reason"], r["delayed_task_days"], r["cumulative_share"])
        for r in sorted(feed["variance"], key=lambda r: r["rank"])
        if r["version_id"] == latest and r["level"] == "reason"
    ]
    assert [
        (int(r["Rank"]), r["Reason"], int(r["Delayed task-days"]), _ratio(r["Cumulative share"]))
        for r in _table(page, "variance")
    ] == pareto and pareto

    check_page(page, "insight")
    # The README's picture: the top of the page (KPIs, the PPC trend and its table).
    page.set_viewport_size({"width": 1280, "height": 1300})
    page.screenshot(path=str(SCREENS / "insight-top.png"))
    page.set_viewport_size({"width": 1280, "height": 860})
    if os.environ.get("PLANBRIDGE_UPDATE_DOC_IMAGES") == "1":
        # The demo's dates follow today, so the picture changes daily: refreshed on request.
        README_IMAGE.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SCREENS / "insight-top.png", README_IMAGE)

    page.get_by_label("Breakdown by").select_option("location")
    page.get_by_label("Version").select_option(str(numbers[feed["versions"][2]["version_id"]]))
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    assert "by=location" in page.url
    assert page.get_by_role("heading", name="PPC by location").is_visible()

    page.emulate_media(media="print")
    assert page.locator("table[data-chart='ppc-trend']").is_visible()
    assert not page.get_by_role("navigation", name="Project menu").is_visible()
    page.screenshot(path=str(SCREENS / "insight-print.png"), full_page=True)
    page.emulate_media(media="screen")


def test_the_empty_states_say_what_to_do_and_pass_axe(page, db, team):
    sign_in(page, team.admin)
    page.wait_for_url("**/projects")
    page.goto("/projects/QST/insight")
    assert page.get_by_role("heading", name="Nothing published yet").is_visible()
    assert page.get_by_role("link", name="Publish a version").get_attribute("href") == (
        "/projects/QST/publish"
    )
    check_page(page, "insight-empty")

    small_plan(db, team.project)
    publish_at(db, team.project, dt.datetime.now(dt.UTC) - dt.timedelta(hours=1), "Week 48")
    page.goto("/projects/QST/insight")
    assert "PPC needs two versions" in page.get_by_role("status").inner_text()
    check_page(page, "insight-one-version")

    page.goto("/projects/QST/insight?versions=500")
    assert "versions must be a whole number from 2 to 52" in page.get_by_role("alert").inner_text()
    check_page(page, "insight-bad-input")
