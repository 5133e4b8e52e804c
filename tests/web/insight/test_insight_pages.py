"""The Insight page over HTTP: every figure equals the metrics feed's rows (one source of
truth), every table view equals its CSV download, the picker's input is checked, and the empty
states say what to do."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import delete, update

from planbridge.actors import OPERATOR
from planbridge.integrations import service as integrations
from planbridge.planning import service as plan
from planbridge.planning.models import Task, TaskResource
from planbridge.projects import service as projects
from planbridge.publishing.models import Version
from tests.api.conftest import issue_pat
from tests.builders import publish_at, small_plan
from tests.conftest import issue_token
from tests.imports.conftest import SAMPLES
from tests.web.conftest import sign_in

XSS = "<script>alert(1)</script>"
CELL = re.compile(r"<(t[hd])[^>]*>(.*?)</\1>", re.S)


def table_of(html: str, chart: str) -> list[list[str]]:
    """The table view of one chart as rows of cell texts (the header row first)."""
    found = re.search(rf'<table[^>]*data-chart="{chart}"[^>]*>(.*?)</table>', html, re.S)
    assert found, f"no table view for {chart}"
    rows = re.findall(r"<tr>(.*?)</tr>", found.group(1), re.S)
    return [[_text(c) for _, c in CELL.findall(row)] for row in rows]


def _text(cell: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()


def as_dicts(table: list[list[str]]) -> list[dict[str, str]]:
    return [dict(zip(table[0], row, strict=True)) for row in table[1:]]


def percent_of(text: str) -> float | None:
    return None if text in ("—", "") else round(float(text.removesuffix(" %")) / 100, 4)


@pytest.fixture
def admin(client, team):
    sign_in(client, team.admin)
    return client


SAMPLE = "mpxj_sample1.xml"
OCTETS = {"Content-Type": "application/octet-stream"}


@dataclass
class Week:
    """The QST project after a week of use through the Plan API: a sample schedule imported,
    two subcontractors assigned, three versions published a week and a day apart with delays
    and blockers recorded in between."""

    feed_token: str
    versions: list[int]


def _api(client, pat, method, path, **kw):
    answer = client.request(
        method,
        f"/api/v1/projects/QST{path}",
        headers={"Authorization": f"Bearer {pat}", **kw.pop("headers", {})},
        **kw,
    )
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


@pytest.fixture
def week(client, db, team, clock) -> Week:
    with db.transaction() as session:
        project = projects.get_project(session, "QST")
        integrations.set_integration(session, project, OPERATOR, enabled=True)
        admin_id = projects.get_user(session, team.admin).id
    clock.now = dt.datetime(2003, 1, 7, 7, tzinfo=dt.UTC)  # the sample's first week
    pat = issue_pat(db, team.project, admin_id, clock.now)
    _api(
        client,
        pat,
        "POST",
        "/imports",
        content=(SAMPLES / SAMPLE).read_bytes(),
        params={"filename": SAMPLE},
        headers=OCTETS,
    )
    tasks = _api(client, pat, "GET", "/tasks", params={"limit": 500})["items"]
    work = [t for t in tasks if t["type"] == "task" and t["start_date"] >= "2003-01-07"]
    work.sort(key=lambda t: (t["start_date"], t["id"]))
    subs = [
        _api(client, pat, "POST", "/subcontractors", json={"name": name})["id"]
        for name in ("Sparks Ltd", "=cmd|' /C calc'!A0")
    ]
    for i, task in enumerate(work[:6]):
        etag = client.get(
            f"/api/v1/projects/QST/tasks/{task['id']}", headers={"Authorization": f"Bearer {pat}"}
        ).headers["etag"]
        _api(
            client,
            pat,
            "PATCH",
            f"/tasks/{task['id']}",
            json={"subcontractor_id": subs[i % 2]},
            headers={"If-Match": etag},
        )
    for label, category in (
        ("Awaiting access", "space_access"),
        ("Late drawings", "information_design"),
    ):
        _api(client, pat, "POST", "/delay-reasons", json={"label": label, "category": category})
    versions = [_api(client, pat, "POST", "/versions", json={"name": "Week 2"})["number"]]
    for i, task in enumerate(work[:3]):
        _api(
            client,
            pat,
            "POST",
            f"/tasks/{task['id']}/progress",
            json={
                "day": task["start_date"],
                "type": "delayed",
                "reason": "Late drawings" if i else "Awaiting access",
                "impact": "extend",
                "amount_days": 1 + i,
            },
        )
    _api(
        client,
        pat,
        "POST",
        f"/tasks/{work[3]['id']}/blockers",
        json={"title": "Approved drawings", "raised_on": "2003-01-06", "due_on": "2003-01-09"},
    )
    clock.now = dt.datetime(2003, 1, 14, 7, tzinfo=dt.UTC)  # a week later
    versions.append(_api(client, pat, "POST", "/versions", json={"name": "Week 3"})["number"])
    clock.now = dt.datetime(2003, 1, 15, 7, tzinfo=dt.UTC)  # and the next day
    versions.append(_api(client, pat, "POST", "/versions", json={"name": "Week 3 bis"})["number"])
    return Week(feed_token=issue_token(db, team.project, clock.now), versions=versions)


def feed_metrics(client, team, token, limit=10):
    answer = client.get(
        f"/power-bi/v1/{team.project.api_id}/metrics?limit={limit}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_ppc_trend_shows_the_feeds_ppc_rows_for_both_methods(admin, team, week):
    feed = feed_metrics(admin, team, week.feed_token)
    numbers = {v["version_id"]: v["number"] for v in feed["versions"]}
    expected = {}
    for row in feed["ppc"]:
        key = "PPC (task day)" if row["metric"] == "ppc_task_day" else "PPC (task)"
        expected[(numbers[row["version_id"]], key)] = (row["value"], row["task_count"])
    assert len(expected) == 4  # two windows, two methods

    page = admin.get("/projects/QST/insight")
    assert page.status_code == 200
    shown = {}
    for row in as_dicts(table_of(page.text, "ppc-trend")):
        for key, tasks in (("PPC (task day)", "Tasks (task day)"), ("PPC (task)", "Tasks (task)")):
            shown[(int(row["Version"]), key)] = (percent_of(row[key]), int(row[tasks]))
    assert shown == expected
    assert any(value not in (None, 0, 1) for value, _ in expected.values())


def test_the_subcontractor_breakdown_is_the_feeds_ppc_breakdown(admin, team, week):
    feed = feed_metrics(admin, team, week.feed_token)
    latest = feed["versions"][0]["version_id"]
    for number, version_id in ((week.versions[1], feed["versions"][1]["version_id"]),):
        expected = {}
        for row in feed["ppc_breakdown"]:
            if row["version_id"] == version_id and row["dimension"] == "subcontractor":
                key = "PPC (task day)" if row["metric"] == "ppc_task_day" else "PPC (task)"
                group = row["group_name"] or "(no subcontractor)"
                expected[(group, key)] = (row["value"], row["task_count"])
        page = admin.get(f"/projects/QST/insight?version={number}&by=subcontractor")
        shown = {}
        for row in as_dicts(table_of(page.text, "ppc-breakdown")):
            for key, tasks in (
                ("PPC (task day)", "Tasks (task day)"),
                ("PPC (task)", "Tasks (task)"),
            ):
                if row[tasks] != "—":
                    shown[(row["Subcontractor"], key)] = (percent_of(row[key]), int(row[tasks]))
        assert shown == expected
        assert {g for g, _ in expected} >= {"Sparks Ltd", "=cmd|' /C calc'!A0"}
    assert latest != version_id


def test_the_pareto_is_the_feeds_variance(admin, team, week):
    feed = feed_metrics(admin, team, week.feed_token)
    version_id = feed["versions"][1]["version_id"]
    expected = [
        (
            r["rank"],
            r["reason"],
            r["delayed_task_days"],
            r["task_count"],
            r["impact_days"],
            r["share"],
            r["cumulative_share"],
        )
        for r in sorted(feed["variance"], key=lambda r: r["rank"])
        if r["version_id"] == version_id and r["level"] == "reason"
    ]
    assert [e[1] for e in expected] == ["Late drawings", "Awaiting access"]
    page = admin.get(f"/projects/QST/insight?version={week.versions[1]}")
    shown = [
        (
            int(r["Rank"]),
            r["Reason"],
            int(r["Delayed task-days"]),
            int(r["Tasks"]),
            int(r["Impact days"]),
            percent_of(r["Share"]),
            percent_of(r["Cumulative share"]),
        )
        for r in as_dicts(table_of(page.text, "variance"))
    ]
    assert shown == expected


@pytest.mark.parametrize(
    "chart", ["ppc-trend", "ppc-breakdown", "variance", "blockers", "tmr", "labour"]
)
def test_every_csv_download_has_exactly_the_table_views_numbers(admin, week, chart):
    query = f"?version={week.versions[1]}&versions=12&by=subcontractor"
    page = admin.get(f"/projects/QST/insight{query}")
    table = table_of(page.text, chart) if f'data-chart="{chart}"' in page.text else None
    download = admin.get(f"/projects/QST/insight/{chart}.csv{query}")
    assert download.status_code == 200
    assert download.headers["cache-control"] == "no-store"
    assert download.headers["content-type"].startswith("text/csv")
    assert f"{chart}-v{week.versions[1]}.csv" in download.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(download.text)))
    if table is None:
        assert len(rows) == 1  # the header alone: nothing to show
        return
    assert rows[0] == table[0]
    as_shown = [[c.removesuffix(" %").replace("—", "") for c in row] for row in table[1:]]
    as_csv = [[c.removeprefix("'") for c in row] for row in rows[1:]]
    assert as_csv == as_shown
    assert len(rows) > 1


def test_a_text_cell_a_spreadsheet_would_run_is_neutralised(admin, week):
    rows = list(
        csv.reader(
            io.StringIO(
                admin.get(
                    f"/projects/QST/insight/ppc-breakdown.csv?version={week.versions[1]}"
                ).text
            )
        )
    )
    assert [r[0] for r in rows if "calc" in r[0]] == ["'=cmd|' /C calc'!A0"]


# ---------------------------------------------------------------- empty states and input
def test_with_nothing_published_the_page_says_how_to_publish(admin):
    page = admin.get("/projects/QST/insight")
    assert page.status_code == 200
    assert "Nothing published yet" in page.text
    assert 'href="/projects/QST/publish"' in page.text
    assert "planbridge publish QST" in page.text
    assert "<table" not in page.text
    download = admin.get("/projects/QST/insight/ppc-trend.csv")
    assert download.status_code == 200
    assert download.text == (
        "Version,Name,Window from,Window to (exclusive),PPC (task day),Tasks (task day),"
        "PPC (task),Tasks (task)\r\n"
    )


def test_with_one_version_the_page_says_ppc_needs_two(admin, db, team):
    small_plan(db, team.project)
    publish_at(db, team.project, dt.datetime(2026, 11, 16, 7, tzinfo=dt.UTC), "Week 47")
    page = admin.get("/projects/QST/insight")
    assert page.status_code == 200
    assert "PPC needs two versions." in page.text
    assert 'data-chart="ppc-trend"' not in page.text
    # What one version can show: its blockers and its labour.
    blockers = as_dicts(table_of(page.text, "blockers"))
    assert [(b["Version"], b["Open"], b["Raised"]) for b in blockers] == [("1", "1", "—")]
    labour = as_dicts(table_of(page.text, "labour"))
    assert labour[0] == {
        "Week from": "2026-11-16",
        "Person-days": "12",  # Electricians: 4 people × Mon–Wed
        "Busiest day (people)": "4",
        "Tasks": "1",
    }
    assert [w["Person-days"] for w in labour[1:]] == ["0"] * 5


def test_a_same_day_window_shows_no_figure_and_says_why(admin, db, team):
    small_plan(db, team.project)
    publish_at(db, team.project, dt.datetime(2026, 11, 16, 7, tzinfo=dt.UTC), "Week 47")
    publish_at(db, team.project, dt.datetime(2026, 11, 16, 9, tzinfo=dt.UTC), "Week 47 again")
    page = admin.get("/projects/QST/insight")
    trend = as_dicts(table_of(page.text, "ppc-trend"))
    assert [(r["PPC (task day)"], r["Tasks (task day)"]) for r in trend] == [("—", "0")]
    assert "published on the same day" in page.text


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("version=abc", "version must be a version number (1, 2, …), not 'abc'."),
        ("version=0", "version must be a version number"),
        ("version=7", "This project has no version 7: its versions are 1 to 2."),
        ("versions=1", "versions must be a whole number from 2 to 52, not '1'."),
        ("versions=x", "versions must be a whole number from 2 to 52"),
        ("by=trade", "by must be one of subcontractor, location, package, folder, not 'trade'."),
        ("week=3", "Unknown parameter 'week'."),
    ],
)
def test_the_picker_refuses_bad_input_with_a_clear_message(admin, db, team, query, words):
    small_plan(db, team.project)
    publish_at(db, team.project, dt.datetime(2026, 11, 16, 7, tzinfo=dt.UTC), "Week 47")
    publish_at(db, team.project, dt.datetime(2026, 11, 23, 7, tzinfo=dt.UTC), "Week 48")
    page = admin.get(f"/projects/QST/insight?{query}")
    assert page.status_code == 422
    assert html.escape(words, quote=True) in page.text or words in html.unescape(page.text)
    assert 'role="alert"' in page.text
    assert 'data-chart="ppc-trend"' in page.text  # the latest window is still shown
    download = admin.get(f"/projects/QST/insight/ppc-trend.csv?{query}")
    assert download.status_code == 422
    assert words in html.unescape(download.text)


def test_an_unknown_chart_is_404(admin):
    assert admin.get("/projects/QST/insight/ppc.csv").status_code == 404
    assert admin.get("/projects/QST/insight/secrets").status_code == 404


@pytest.mark.parametrize("path", ["/projects/QST/insight", "/projects/QST/insight/variance.csv"])
def test_insight_is_for_members_only(make_client, team, path):
    signed_out = make_client().get(path, follow_redirects=False)
    assert signed_out.status_code == 303
    assert signed_out.headers["location"] == f"/login?next={path}"
    outsider = make_client()
    sign_in(outsider, team.outsider)
    assert outsider.get(path).status_code == 404
    member = make_client()
    sign_in(member, team.member)
    assert member.get(path).status_code == 200


def test_the_page_has_no_inline_script_or_style_and_escapes_names(admin, db, team):
    small_plan(db, team.project)
    with db.transaction() as session:
        project = projects.get_project(session, "QST")
        sub = plan.add_subcontractor(session, project, XSS, "Electrical")
        for task in session.query(Task).filter(Task.project_id == project.id):
            task.subcontractor_id = sub.id
    publish_at(db, team.project, dt.datetime(2026, 11, 16, 7, tzinfo=dt.UTC), XSS)
    publish_at(db, team.project, dt.datetime(2026, 11, 23, 7, tzinfo=dt.UTC), "Week 48")
    page = admin.get("/projects/QST/insight")
    assert page.status_code == 200
    assert XSS not in page.text
    assert html.escape(XSS) in page.text
    assert "<svg" in page.text
    assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", page.text) == []
    assert not re.search(r"<[^>]+\s(on[a-z]+|style)\s*=", page.text)
    assert 'aria-current="page">Insight</a>' in page.text


def test_labour_kept_for_a_version_is_never_served_for_other_rows(admin, db, team):
    """Labour per week is kept per version, keyed by its stored chunks' sizes and CRCs: a
    version replaced by another with the same number, time (and, on SQLite, id) but another
    plan shows the new plan's labour."""
    small_plan(db, team.project)
    when = dt.datetime(2026, 11, 16, 7, tzinfo=dt.UTC)
    publish_at(db, team.project, when, "Week 47")
    first = as_dicts(table_of(admin.get("/projects/QST/insight").text, "labour"))[0]
    with db.transaction() as session:
        session.execute(delete(Version))
        session.execute(update(TaskResource).values(quantity=6))
    publish_at(db, team.project, when, "Week 47")
    second = as_dicts(table_of(admin.get("/projects/QST/insight").text, "labour"))[0]
    assert (first["Person-days"], second["Person-days"]) == ("12", "18")
