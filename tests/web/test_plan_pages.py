"""The weekly pages over HTTP: Plan (filters, sort, paging, empty state), Import (dry run, apply,
bad files change nothing), Publish (summary, unique name, empty plan, same-day confirm) and
Versions (PPC of both methods as the metrics feed serves it)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from planbridge.planning.enums import TaskStatus
from planbridge.planning.models import Subcontractor, Task
from planbridge.projects import service as projects
from planbridge.publishing.models import Version
from planbridge.schema.models import Base
from tests.builders import publish_at, small_plan
from tests.web.conftest import csrf_of, post_form, sign_in

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"
MSPDI = SAMPLES / "mpxj_sample1.xml"
XER = SAMPLES / "xer-parser_test.xer"


@pytest.fixture
def admin(client, team):
    sign_in(client, team.admin)
    return client


@pytest.fixture
def member(make_client, team):
    client = make_client()
    sign_in(client, team.member)
    return client


def row_counts(db) -> dict[str, int]:
    """Rows of every table but the ones a page view itself writes (sessions)."""
    with db.engine.connect() as connection:
        return {
            table.name: connection.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
            if table.name not in ("web_sessions",)
        }


def upload(
    client,
    path: Path | None = None,
    *,
    name: str | None = None,
    data: bytes = b"",
    date_format: str | None = None,
):
    page = client.get("/projects/QST/import")
    content = path.read_bytes() if path else data
    fields = {"csrf_token": csrf_of(page.text)}
    if date_format is not None:
        fields["date_format"] = date_format
    return client.post(
        "/projects/QST/import",
        data=fields,
        files={"schedule": (name or (path.name if path else "plan.csv"), content)},
        follow_redirects=False,
    )


def key_of(html: str) -> str:
    found = re.search(r'name="key" value="([^"]+)"', html)
    assert found, "no Apply import form in the page"
    return found.group(1)


def count_cell(html: str, kind: str, column: str) -> int:
    row = re.search(rf'<tr data-kind="{kind}">(.*?)</tr>', html, re.S)
    assert row, kind
    cell = re.search(rf'data-n="{column}">(\d+)<', row.group(1))
    assert cell, (kind, column)
    return int(cell.group(1))


# Import


def test_import_dry_run_shows_counts_and_changes_nothing_until_applied(admin, db, team):
    before = row_counts(db)
    answer = upload(admin, MSPDI)
    assert answer.status_code == 200
    assert "Dry run: what would change" in answer.text
    assert count_cell(answer.text, "tasks", "created") == 18
    assert count_cell(answer.text, "links", "created") == 6
    after_dry_run = row_counts(db)
    assert after_dry_run == {**before, "staged_imports": before["staged_imports"] + 1}

    applied = post_form(
        admin,
        "/projects/QST/import",
        "/projects/QST/import/apply",
        key=key_of(answer.text),
    )
    assert applied.status_code == 200
    assert "Imported" in applied.text
    assert count_cell(applied.text, "tasks", "created") == 18
    counts = row_counts(db)
    assert counts["tasks"] == before["tasks"] + 18
    assert counts["staged_imports"] == before["staged_imports"], "the staged file is deleted"


def test_an_applied_key_cannot_be_applied_twice(admin, db, team):
    key = key_of(upload(admin, MSPDI).text)
    post_form(admin, "/projects/QST/import", "/projects/QST/import/apply", key=key)
    before = row_counts(db)
    again = post_form(admin, "/projects/QST/import", "/projects/QST/import/apply", key=key)
    assert again.status_code == 410
    assert "applied already, or it expired" in again.text
    assert row_counts(db) == before


def test_another_admins_key_is_refused(admin, make_client, make_user, db, team):
    key = key_of(upload(admin, MSPDI).text)
    other = make_user("ines@example.com", "Ines Admin")
    with db.transaction() as session:
        project = projects.get_project(session, "QST")
        projects.add_member(session, project, projects.get_user(session, other), "admin")
    second = make_client()
    sign_in(second, other)
    before = row_counts(db)
    answer = post_form(second, "/projects/QST/import", "/projects/QST/import/apply", key=key)
    assert answer.status_code == 410
    assert row_counts(db) == before


def test_a_truncated_xer_shows_a_clear_message_and_changes_nothing(admin, db, team):
    before = row_counts(db)
    data = XER.read_bytes()
    answer = upload(admin, name="cut.xer", data=data[: len(data) // 3])
    assert answer.status_code == 422
    assert 'id="import-error"' in answer.text
    assert "Apply import" not in answer.text
    assert row_counts(db) == before


def test_a_csv_with_bad_dates_lists_its_rows_and_changes_nothing(admin, db, team):
    before = row_counts(db)
    csv = (
        b"external_id,name,start,duration_days\n"
        b"EL-1,First fix,2026-11-23,3\n"
        b"EL-2,Second fix,23/13/2026,2\n"
        b"EL-3,Third fix,not a date,2\n"
    )
    answer = upload(admin, name="plan.csv", data=csv)
    assert answer.status_code == 422
    problems = re.search(r'<ul id="import-problems">(.*?)</ul>', answer.text, re.S)
    assert problems, answer.text
    assert "row 3" in problems.group(1) and "row 4" in problems.group(1)
    assert "Apply import" not in answer.text
    assert row_counts(db) == before


AMBIGUOUS = b"external_id,name,start,duration_days\nEL-1,First fix,03/04/2026,3\n"
"""03/04/2026: April 3 day-first, March 4 month-first; no day above 12 tells which."""


def apply(client, dry_run):
    assert dry_run.status_code == 200, dry_run.text
    return post_form(
        client, "/projects/QST/import", "/projects/QST/import/apply", key=key_of(dry_run.text)
    )


def start_of(db, external_id: str) -> dt.date:
    with db.transaction() as session:
        start = session.scalar(select(Task.start_date).where(Task.external_id == external_id))
    assert start is not None, external_id
    return start


def selected_date_format(html: str) -> str:
    select = re.search(
        r'<select id="date-format" name="date_format"[^>]*>(.*?)</select>', html, re.S
    )
    assert select, "no date format choice on the page"
    chosen = re.findall(r'<option value="(\w+)" selected>', select.group(1))
    assert len(chosen) == 1, chosen
    return chosen[0]


def test_the_upload_form_offers_the_date_formats_with_automatic_first(admin, team):
    page = admin.get("/projects/QST/import")
    assert '<label for="date-format">' in page.text
    assert re.findall(r'<option value="(\w+)"', page.text) == ["auto", "dmy", "mdy", "ymd"]
    assert selected_date_format(page.text) == "auto"
    assert "for CSV and Excel files only" in page.text


@pytest.mark.parametrize("date_format", [None, "auto"])
def test_ambiguous_csv_dates_are_refused_with_auto_naming_the_choice(admin, db, team, date_format):
    before = row_counts(db)
    answer = upload(admin, name="plan.csv", data=AMBIGUOUS, date_format=date_format)
    assert answer.status_code == 422
    error = re.search(
        r'<div class="alert alert-error" role="alert" id="import-error">(.*?)</div>',
        answer.text,
        re.S,
    )
    assert error, answer.text
    assert "The dates are ambiguous" in error.group(1)
    assert "Choose Day/month/year (25/03/2025) or Month/day/year (03/25/2025)" in error.group(1)
    assert "Apply import" not in answer.text
    assert row_counts(db) == before


@pytest.mark.parametrize(
    ("date_format", "start", "updated"),
    [("dmy", dt.date(2026, 4, 3), 0), ("mdy", dt.date(2026, 3, 4), 1)],
)
def test_the_chosen_date_order_reads_the_dry_run_and_the_apply_alike(
    admin, db, team, date_format, start, updated
):
    """EL-1 starts on 2026-04-03 in the plan; the file's 03/04/2026 is the same day read
    day-first (unchanged) and March 4 read month-first (updated), in the dry run and applied."""
    apply(
        admin, upload(admin, name="iso.csv", data=AMBIGUOUS.replace(b"03/04/2026", b"2026-04-03"))
    )
    assert start_of(db, "EL-1") == dt.date(2026, 4, 3)

    dry_run = upload(admin, name="plan.csv", data=AMBIGUOUS, date_format=date_format)
    assert dry_run.status_code == 200, dry_run.text
    assert count_cell(dry_run.text, "tasks", "updated") == updated
    assert count_cell(dry_run.text, "tasks", "unchanged") == 1 - updated
    assert selected_date_format(dry_run.text) == date_format, "the form keeps the choice"
    assert start_of(db, "EL-1") == dt.date(2026, 4, 3), "a dry run changes nothing"

    applied = apply(admin, dry_run)
    assert applied.status_code == 200, applied.text
    assert count_cell(applied.text, "tasks", "updated") == updated
    assert start_of(db, "EL-1") == start


@pytest.mark.parametrize(("date_format", "start"), [("dmy", (2026, 4, 3)), ("mdy", (2026, 3, 4))])
def test_an_applied_import_of_a_new_task_reads_the_chosen_order(
    admin, db, team, date_format, start
):
    before = row_counts(db)
    dry_run = upload(admin, name="plan.csv", data=AMBIGUOUS, date_format=date_format)
    assert count_cell(dry_run.text, "tasks", "created") == 1
    assert row_counts(db)["staged_imports"] == before["staged_imports"] + 1
    applied = apply(admin, dry_run)
    assert count_cell(applied.text, "tasks", "created") == 1
    assert start_of(db, "EL-1") == dt.date(*start)
    assert row_counts(db)["staged_imports"] == before["staged_imports"]


@pytest.mark.parametrize("value", ["european", "DMY/MDY", "d m y"])
def test_an_unknown_date_format_gets_a_422_page_and_nothing_is_staged(admin, db, team, value):
    before = row_counts(db)
    answer = upload(admin, name="plan.csv", data=AMBIGUOUS, date_format=value)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("text/html")
    assert "use one of auto, dmy, mdy, ymd" in answer.text
    assert "Apply import" not in answer.text
    assert row_counts(db) == before


def test_no_date_format_field_means_automatic(admin, db, team):
    """A post without the field (an older page) reads ISO dates as before."""
    iso = AMBIGUOUS.replace(b"03/04/2026", b"2026-04-03")
    applied = apply(admin, upload(admin, name="plan.csv", data=iso))
    assert count_cell(applied.text, "tasks", "created") == 1
    assert start_of(db, "EL-1") == dt.date(2026, 4, 3)


def also_line(html: str) -> str:
    found = re.search(r"<p class=\"muted small\">Also: (.*?)</p>", html, re.S)
    assert found, "no Also line in the report"
    return found.group(1)


def test_the_dry_run_counts_read_in_the_singular_and_the_plural(admin, db, team):
    header = b"external_id,name,type,start,duration_days\n"
    one = header + b"M-1,Handover,milestone,2026-11-23,1\nT-1,Fit out,task,2026-11-23,3\n"
    first = upload(admin, name="one.csv", data=one)
    assert also_line(first.text).startswith("1 milestone, 0 resources, ")
    apply(admin, first)

    two = header + b"M-1,Handover,milestone,2026-11-23,1\nM-2,Sign off,milestone,2026-11-30,1\n"
    second = upload(admin, name="two.csv", data=two)
    line = also_line(second.text)
    assert line.startswith("2 milestones, 0 resources, ")
    assert "1 task of the plan is not in this file; it is kept." in line

    neither = upload(admin, name="none.csv", data=header + b"X-1,Other,task,2026-11-23,3\n")
    assert "2 tasks of the plan are not in this file; they are kept." in also_line(neither.text)


def test_a_file_of_unknown_kind_and_a_missing_file_get_clear_messages(admin, db, team):
    before = row_counts(db)
    answer = upload(admin, name="plan.pdf", data=b"%PDF-1.4 not a schedule")
    assert answer.status_code == 422
    assert "unknown file type .pdf" in answer.text
    empty = upload(admin, name="plan.csv", data=b"")
    assert empty.status_code == 422
    assert "plan.csv is empty." in empty.text
    missing = admin.post(
        "/projects/QST/import",
        data={"csrf_token": csrf_of(admin.get("/projects/QST/import").text)},
        files={"p6_project": (None, "")},
    )
    assert missing.status_code == 422
    assert "Choose a schedule file" in missing.text
    assert row_counts(db) == before


def test_an_upload_over_the_limit_gets_a_413_page_and_changes_nothing(make_client, db, team):
    client = make_client(import_max_mb=1)
    sign_in(client, team.admin)
    before = row_counts(db)
    page = client.get("/projects/QST/import")
    assert 'data-max-bytes="1048576"' in page.text
    answer = client.post(
        "/projects/QST/import",
        data={"csrf_token": csrf_of(page.text)},
        files={"schedule": ("big.csv", b"x" * (1024 * 1024 + 10))},
        headers={"Accept": "text/html"},
    )
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("text/html")
    assert "The file is too large" in answer.text and "1 MiB" in answer.text
    assert row_counts(db) == before


def test_a_browser_upload_under_the_import_limit_is_not_held_to_the_form_limit(admin, team):
    """A session-cookie post to the Import page gets the import limit (20 MiB), not 64 KiB."""
    answer = upload(admin, XER)
    assert answer.status_code == 200
    assert count_cell(answer.text, "tasks", "created") == 692


def test_a_member_gets_the_services_refusal_to_import(member, db, team):
    before = row_counts(db)
    answer = upload(member, MSPDI)
    assert answer.status_code == 403
    assert row_counts(db) == before


def test_an_import_without_the_csrf_token_is_refused(admin, db, team):
    answer = admin.post(
        "/projects/QST/import",
        data={"csrf_token": "forged"},
        files={"schedule": ("plan.xml", MSPDI.read_bytes())},
    )
    assert answer.status_code == 403
    assert row_counts(db)["staged_imports"] == 0


# Plan


def test_the_empty_plan_says_what_to_do(admin, team):
    page = admin.get("/projects/QST/plan")
    assert page.status_code == 200
    assert 'id="plan-empty"' in page.text
    assert 'href="/projects/QST/import"' in page.text


def test_plan_filters_sorts_and_pages_in_the_database(admin, db, team):
    small_plan(db, team.project)
    page = admin.get("/projects/QST/plan")
    assert 'data-count="total">3<' in page.text
    assert len(re.findall(r"<tr data-task=", page.text)) == 3
    with db.transaction() as session:
        sub = session.scalar(select(Subcontractor.id).limit(1))
    only = admin.get(f"/projects/QST/plan?subcontractor={sub}")
    assert 'data-count="matching">' in only.text
    none = admin.get("/projects/QST/plan?status=complete")
    assert "No task matches these filters" in none.text
    by_name = admin.get("/projects/QST/plan?sort=task&order=desc")
    names = re.findall(r'<td data-label="Task">([^<]+)</td>', by_name.text)
    assert names == sorted(names, reverse=True)
    week = admin.get("/projects/QST/plan?week=2020-W01")
    assert "No task matches these filters" in week.text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("status=done", "Status &#39;done&#39; is not one of"),
        ("sort=password", "Sort &#39;password&#39; is not one of"),
        ("week=2026-W77", "is not a week"),
        ("page=0", "Page must be a whole number"),
        ("size=100000", "Page size must be one of"),
        ("subcontractor=abc", "Subcontractor must be a whole number"),
    ],
)
def test_bad_plan_filters_get_a_clear_message(admin, db, team, query, message):
    small_plan(db, team.project)
    page = admin.get(f"/projects/QST/plan?{query}")
    assert page.status_code == 422
    assert message in page.text


def test_plan_pages_past_the_end_show_the_last_page(admin, db, team):
    small_plan(db, team.project)
    page = admin.get("/projects/QST/plan?page=99")
    assert "Page 1 of 1" in page.text


# Publish and versions


def test_publish_page_summarises_and_publishes_then_versions_lists_it(admin, db, team):
    small_plan(db, team.project)
    page = admin.get("/projects/QST/publish")
    assert 'data-count="tasks">3<' in page.text
    assert 'value="Week 47 2026"' in page.text
    answer = post_form(
        admin, "/projects/QST/publish", "/projects/QST/publish", name="", comment="Monday LPS"
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/projects/QST/versions?published=1"
    versions = admin.get(answer.headers["location"])
    assert "Version 1 published." in versions.text
    assert "Week 47 2026" in versions.text and "Monday LPS" in versions.text


def test_publish_summary_counts_changes_since_the_latest_version(admin, db, team, clock):
    small_plan(db, team.project)
    publish_at(db, team.project, clock.now)
    with db.transaction() as session:
        task = session.scalars(select(Task).where(Task.status != TaskStatus.complete)).first()
        assert task is not None
        task.status = TaskStatus.complete
    clock.advance(days=7)
    sign_in(admin, team.admin)  # the session idled out meanwhile
    page = admin.get("/projects/QST/publish")
    assert 'data-count="completed">1<' in page.text
    assert 'data-count="added">0<' in page.text


def test_a_duplicate_name_is_refused_with_a_clear_message_and_nothing_written(
    admin, db, team, clock
):
    small_plan(db, team.project)
    publish_at(db, team.project, clock.now, name="Week 47")
    clock.advance(days=7)
    sign_in(admin, team.admin)
    before = row_counts(db)
    answer = post_form(admin, "/projects/QST/publish", "/projects/QST/publish", name="Week 47")
    assert answer.status_code == 409
    assert "Version 1 of QST is already named &#39;Week 47&#39;." in answer.text
    assert row_counts(db) == before


def test_publishing_an_empty_plan_is_refused_and_nothing_written(admin, db, team):
    page = admin.get("/projects/QST/publish")
    assert 'id="empty-plan"' in page.text
    before = row_counts(db)
    answer = post_form(admin, "/projects/QST/publish", "/projects/QST/publish", name="")
    assert answer.status_code == 409
    assert "has no tasks, so there is nothing to publish" in answer.text
    assert row_counts(db) == before


def test_a_second_version_on_the_same_day_asks_for_confirmation(admin, db, team, clock):
    small_plan(db, team.project)
    publish_at(db, team.project, clock.now)
    clock.advance(hours=2)
    page = admin.get("/projects/QST/publish")
    assert 'id="publish-warning"' in page.text and "already published today" in page.text
    before = row_counts(db)
    first = post_form(admin, "/projects/QST/publish", "/projects/QST/publish", name="Again")
    assert first.status_code == 200
    assert 'name="confirmed" value="1"' in first.text and "Publish anyway" in first.text
    assert row_counts(db) == before
    confirmed = admin.post(
        "/projects/QST/publish",
        data={"csrf_token": csrf_of(first.text), "name": "Again", "confirmed": "1"},
        follow_redirects=False,
    )
    assert confirmed.status_code == 303
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Version)) == 2


def test_a_member_cannot_open_publish_nor_publish(member, db, team):
    small_plan(db, team.project)
    assert member.get("/projects/QST/publish").status_code == 403
    versions = member.get("/projects/QST/versions")
    assert versions.status_code == 200
    assert 'href="/projects/QST/publish"' not in versions.text


def test_versions_page_empty_state_says_how_to_publish(admin, team):
    page = admin.get("/projects/QST/versions")
    assert "No version yet." in page.text
    assert 'href="/projects/QST/publish"' in page.text
