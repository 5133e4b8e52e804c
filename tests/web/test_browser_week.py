"""The week of a site admin in a real browser (Debian's Chromium through Playwright) against a
real server whose clock the test moves: upload a sample schedule, read the dry run, apply,
publish, record progress through the Plan API, publish the next week, and read PPC on the
Versions page and in Insight's table views (trend, subcontractor breakdown, Pareto) equal to the
metrics feed. Bad input through the pages changes no row.

axe-core runs on every page; screenshots go to tests/artifacts/screens/.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from planbridge.actors import OPERATOR
from planbridge.app import create_app
from planbridge.integrations import service as integrations
from planbridge.planning import service as plan
from planbridge.planning.models import Task
from planbridge.projects import service as projects
from planbridge.publishing.models import Version
from planbridge.settings import load_settings
from tests.api.conftest import issue_pat
from tests.conftest import issue_token
from tests.loopback import serving
from tests.web.insight.test_insight_browser import _ratio as ratio
from tests.web.insight.test_insight_browser import _table as insight_table
from tests.web.test_browser import (
    DESKTOP,
    _free_port,
    axe_check,
    shoot,
    sign_in,
)
from tests.web.test_plan_pages import AMBIGUOUS, MSPDI, XER, row_counts

pytestmark = pytest.mark.browser

MONDAY = dt.datetime(2003, 1, 6, 8, 0, tzinfo=dt.UTC)
"""Inside the sample schedule (mpxj_sample1.xml runs January to March 2003), so the week's
window holds planned tasks and PPC has a value."""


@pytest.fixture
def server(_migrated, database_url, clock) -> Iterator[str]:
    """The app under uvicorn on a loopback port, on the test database and the test's clock;
    imports are capped at 1 MiB so an over-size file is easy to make."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    settings = load_settings(
        database_url=database_url, base_url=base, port=port, import_max_mb=1, _env_file=None
    )
    with serving(create_app(settings, db=_migrated, clock=clock), port) as served:
        yield served


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server, viewport=DESKTOP)
    context.set_default_timeout(15_000)
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
    context.close()
    assert problems == []


@pytest.fixture
def week(team, clock):
    clock.now = MONDAY
    return team


def check_page(page, name: str) -> None:
    axe_check(page)
    shoot(page, name)


def menu(page, name: str) -> None:
    page.get_by_role("navigation", name="Project menu").get_by_role("link", name=name).click()


def upload(
    page, path: Path | None = None, *, name: str = "", data: bytes = b"", dates: str = ""
) -> None:
    page.goto("/projects/QST/import")
    if dates:
        page.get_by_label("Dates in the file").select_option(label=dates)
    if path is not None:
        page.get_by_label("Schedule file").set_input_files(str(path))
    else:
        page.get_by_label("Schedule file").set_input_files(
            {"name": name, "mimeType": "application/octet-stream", "buffer": data}
        )
    page.get_by_role("button", name="Dry run").click()


def count(page, kind: str, column: str) -> int:
    return int(page.locator(f'tr[data-kind="{kind}"] td[data-n="{column}"]').inner_text())


def publish(page, name: str = "") -> None:
    page.goto("/projects/QST/publish")
    if name:
        page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Publish").click()


def test_admin_walks_the_week_and_versions_show_the_feeds_ppc(page, server, db, week, clock):
    sign_in(page, week.admin)
    page.wait_for_url("**/projects")
    page.goto("/projects/QST")
    menu(page, "Plan")
    page.wait_for_url("**/projects/QST/plan")
    assert "The live plan has no tasks yet" in page.inner_text("#plan-empty")
    check_page(page, "plan-empty")

    menu(page, "Import")
    page.wait_for_url("**/projects/QST/import")
    check_page(page, "import")
    upload(page, MSPDI)
    page.get_by_role("heading", name="Dry run: what would change").wait_for()
    assert (count(page, "tasks", "created"), count(page, "links", "created")) == (18, 6)
    assert count(page, "calendars", "created") + count(page, "calendars", "updated") >= 0
    assert row_counts(db)["tasks"] == 0, "a dry run changes nothing"
    check_page(page, "import-dry-run")
    page.get_by_role("button", name="Apply import").click()
    page.get_by_role("heading", name="Imported").wait_for()
    assert row_counts(db)["tasks"] == 18
    check_page(page, "import-applied")

    page.get_by_role("link", name="Open the plan").click()
    page.wait_for_url("**/projects/QST/plan")
    assert page.inner_text('[data-count="total"]') == "18"
    assert page.locator("#plan-table tbody tr").count() == 18
    check_page(page, "plan")
    page.get_by_role("link", name="Finish").click()
    page.wait_for_url("**sort=finish**")
    page.get_by_label("Week").fill("2003-W02")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**week=2003-W02**")
    matching = int(page.inner_text('[data-count="matching"]'))
    assert 0 < matching < 18

    menu(page, "Publish")
    page.wait_for_url("**/projects/QST/publish")
    assert page.inner_text('[data-count="tasks"]') == "18"
    assert page.get_by_label("Name").input_value() == "Week 2 2003"
    check_page(page, "publish")
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url("**/projects/QST/versions?published=1")

    # Progress through the Plan API: a delay on a task planned in the coming week.
    with db.transaction() as session:
        project = projects.get_project(session, "QST")
        plan.add_delay_reason(session, project, "Awaiting access", "space_access")
        task = session.scalars(
            select(Task)
            .where(
                Task.project_id == project.id,
                Task.start_date == dt.date(2003, 1, 7),
                Task.end_date == dt.date(2003, 3, 18),  # "Second Task", 50 working days
            )
            .order_by(Task.id)
        ).first()
        assert task is not None
        task_id = task.id
        admin_id = projects.get_user(session, week.admin).id
    token = issue_pat(db, week.project, admin_id, clock.now)
    answer = httpx.post(
        f"{server}/api/v1/projects/QST/tasks/{task_id}/progress",
        json={
            "day": "2003-01-07",
            "type": "delayed",
            "reason": "Awaiting access",
            "impact": "move",
            "amount_days": 1,
        },
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert answer.status_code == 201, answer.text

    clock.advance(days=7)
    sign_in(page, week.admin)  # the session idled out over the week
    page.wait_for_url("**/projects")
    page.goto("/projects/QST/publish")
    assert page.locator("#publish-warning").count() == 0
    assert page.get_by_label("Name").input_value() == "Week 3 2003"
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url("**/projects/QST/versions?published=2")
    check_page(page, "versions")

    with db.transaction() as session:
        integrations.set_integration(
            session, projects.get_project(session, "QST"), OPERATOR, enabled=True
        )
    feed = httpx.get(
        f"{server}/power-bi/v1/{week.project.api_id}/metrics",
        headers={"Authorization": f"Bearer {issue_token(db, week.project, clock.now)}"},
        timeout=30,
    )
    assert feed.status_code == 200, feed.text
    with db.transaction() as session:
        versions = {v.number: v.id for v in session.scalars(select(Version))}
    for number in (1, 2):
        row = page.locator(f'#versions-table tr[data-version="{number}"]')
        for metric in ("ppc_task_day", "ppc_task"):
            shown = row.locator(f'td[data-ppc="{metric}"]').get_attribute("data-value")
            served = [
                r["value"]
                for r in feed.json()["ppc"]
                if r["metric"] == metric and r["version_id"] == versions[number]
            ]
            expected = served[0] if served else None
            assert (float(shown) if shown else None) == expected, (number, metric)
    second = page.locator('#versions-table tr[data-version="2"]')
    assert second.locator('td[data-ppc="ppc_task_day"]').get_attribute("data-value") != ""
    values = [
        second.locator(f'td[data-ppc="{m}"]').get_attribute("data-value")
        for m in ("ppc_task_day", "ppc_task")
    ]
    assert values[0] is not None and float(values[0]) < 1, "the delay cost a planned day"

    # The week ends in Insight: its table views show the feed's numbers for the same versions.
    menu(page, "Insight")
    page.wait_for_url("**/projects/QST/insight")
    metrics = feed.json()
    numbers = {v: n for n, v in versions.items()}
    trend = {}
    for row in insight_table(page, "ppc-trend"):
        for metric, label in (("ppc_task_day", "task day"), ("ppc_task", "task")):
            trend[(int(row["Version"]), metric)] = ratio(row[f"PPC ({label})"])
    assert trend == {
        (numbers[r["version_id"]], r["metric"]): r["value"] for r in metrics["ppc"]
    } and trend[(2, "ppc_task_day")] == float(values[0])
    latest = versions[2]
    breakdown = {}
    for row in insight_table(page, "ppc-breakdown"):
        for metric, label in (("ppc_task_day", "task day"), ("ppc_task", "task")):
            if row[f"Tasks ({label})"] != "—":
                breakdown[(row["Subcontractor"], metric)] = ratio(row[f"PPC ({label})"])
    assert (
        breakdown
        == {
            (r["group_name"] or "(no subcontractor)", r["metric"]): r["value"]
            for r in metrics["ppc_breakdown"]
            if r["version_id"] == latest and r["dimension"] == "subcontractor"
        }
        and breakdown
    )
    pareto = [
        (int(r["Rank"]), r["Reason"], int(r["Delayed task-days"]))
        for r in insight_table(page, "variance")
    ]
    assert pareto == [
        (r["rank"], r["reason"], r["delayed_task_days"])
        for r in sorted(metrics["variance"], key=lambda r: r["rank"])
        if r["version_id"] == latest and r["level"] == "reason"
    ] and ("Awaiting access" in [reason for _, reason, _ in pareto])
    check_page(page, "insight-week")


def test_bad_input_through_the_pages_changes_no_row(page, db, week, clock):
    sign_in(page, week.admin)
    page.wait_for_url("**/projects")

    page.goto("/projects/QST/publish")
    assert "nothing to publish yet" in page.inner_text("#empty-plan")
    assert page.get_by_role("button", name="Publish").is_disabled()
    check_page(page, "publish-empty")

    before = row_counts(db)
    data = XER.read_bytes()
    upload(page, name="cut.xer", data=data[: len(data) // 3])
    page.locator("#import-error").wait_for()
    assert page.get_by_role("button", name="Apply import").count() == 0
    assert row_counts(db) == before
    check_page(page, "import-truncated-xer")

    csv = b"external_id,name,start,duration_days\nE-1,Fix,2003-01-07,2\nE-2,Fix 2,31/02/2003,2\n"
    upload(page, name="plan.csv", data=csv)
    problems = page.locator("#import-problems")
    problems.wait_for()
    assert "row 3" in problems.inner_text()
    assert row_counts(db) == before
    check_page(page, "import-bad-dates")

    upload(page, name="big.csv", data=b"x" * (1024 * 1024 + 1))
    error = page.locator("#schedule-file-error")
    error.wait_for()
    assert "larger than the 1.0 MiB an import accepts" in error.inner_text()
    assert page.url.endswith("/projects/QST/import")
    assert row_counts(db) == before

    upload(page, name="plan.csv", data=AMBIGUOUS)
    page.locator("#import-error").wait_for()
    assert "Choose Day/month/year" in page.inner_text("#import-error")
    assert page.get_by_label("Dates in the file").input_value() == "auto"
    assert row_counts(db) == before
    check_page(page, "import-ambiguous-dates")
    upload(page, name="plan.csv", data=AMBIGUOUS, dates="Day/month/year")
    page.get_by_role("heading", name="Dry run: what would change").wait_for()
    assert count(page, "tasks", "created") == 1
    assert page.get_by_label("Dates in the file").input_value() == "dmy"
    page.get_by_role("link", name="Cancel").click()

    upload(page, MSPDI)
    page.get_by_role("button", name="Apply import").click()
    page.get_by_role("heading", name="Imported").wait_for()
    publish(page, "Baseline")
    page.wait_for_url("**/versions?published=1")

    publish(page, "Second")  # the same day: a confirm step first
    page.get_by_role("button", name="Publish anyway").wait_for()
    assert "already published today" in page.inner_text("#publish-warning")
    check_page(page, "publish-confirm")
    clock.advance(days=1)
    sign_in(page, week.admin)
    page.wait_for_url("**/projects")
    before = row_counts(db)
    publish(page, "Baseline")
    page.locator("#publish-error").wait_for()
    assert "already named 'Baseline'" in page.inner_text("#publish-error")
    assert row_counts(db) == before
