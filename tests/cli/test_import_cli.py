"""``planbridge import``: the report, --json, --dry-run, --prune, and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planbridge.cli.main import app
from planbridge.planning.models import Task
from planbridge.projects import service as projects
from planbridge.projects.models import Project
from tests.imports.apply_support import count, csv_file, snapshot

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"
LARGEST = str(SAMPLES / "xer-parser_test.xer")
ROWS = [
    {"external_id": "T1", "name": "Excavate", "start": "2025-03-03", "duration_days": "5"},
    {"external_id": "T2", "name": "Pour", "start": "2025-03-10", "duration_days": "2"},
]


@pytest.fixture
def cli(db, database_url, monkeypatch):
    monkeypatch.setenv("PLANBRIDGE_DATABASE_URL", database_url)
    runner = CliRunner()

    def run(*args: str, code: int = 0):
        result = runner.invoke(app, list(args))
        assert result.exit_code == code, result.output
        return result

    return run


@pytest.fixture
def project(make_project):
    return make_project().project


def _report(result) -> dict:
    return json.loads(result.stdout)


def test_import_prints_counts_and_reimport_finds_everything_unchanged(cli, project) -> None:
    text = cli("import", project.code, LARGEST).stdout

    again = _report(cli("import", project.code, LARGEST, "--json"))

    assert f"Imported xer-parser_test.xer (P6 XER) into {project.code}." in text
    assert "tasks:      692 added, 0 updated, 0 unchanged, 0 removed" in text
    assert "links:      1592 added" in text
    assert "3 links to other projects were not created" in text
    assert again["ok"] is True
    assert again["counts"]["tasks_unchanged"] == 692
    assert again["counts"]["tasks_added"] == 0


def test_dry_run_prints_the_report_and_changes_nothing(cli, db, project) -> None:
    before = snapshot(db)

    result = cli("import", project.code, LARGEST, "--dry-run", "--json")

    assert snapshot(db) == before
    assert _report(result)["dry_run"] is True
    assert _report(result)["counts"]["tasks_added"] == 692


def test_prune_removes_what_left_the_schedule(cli, db, project, tmp_path: Path) -> None:
    full, part = tmp_path / "full.csv", tmp_path / "part.csv"
    full.write_bytes(csv_file(*ROWS))
    part.write_bytes(csv_file(ROWS[0]))
    cli("import", project.code, str(full))

    kept = cli("import", project.code, str(part)).stdout
    pruned = _report(cli("import", project.code, str(part), "--prune", "--json"))

    assert "1 tasks are no longer in the schedule and are kept (use --prune" in kept
    assert pruned["tasks"]["pruned"] == ["T2"]
    assert count(db, Task, Task.project_id == project.id) == 1


def test_a_broken_file_lists_every_problem_and_exits_1(cli, db, project, tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_bytes(
        csv_file(
            {**ROWS[0], "end": "2025-02-28"},
            {**ROWS[1], "calendar": "Nights"},
        )
    )
    before = snapshot(db)

    result = cli("import", project.code, str(path), code=1)
    as_json = _report(cli("import", project.code, str(path), "--json", code=1))

    assert snapshot(db) == before
    lines = [line.strip() for line in result.output.splitlines() if line.strip()]
    assert lines[0] == "error: 2 problems in plan.csv; nothing was imported."
    assert lines[1].startswith("row 2, end: 2025-02-28 is before")
    assert lines[2].startswith("row 3, calendar: unknown calendar 'Nights'")
    assert as_json["ok"] is False
    assert [p["row"] for p in as_json["problems"]] == [2, 3]


@pytest.mark.parametrize(
    ("make_file", "message"),
    [
        (lambda d: d / "missing.xer", "error: Cannot read"),
        (lambda d: d / "empty.csv", "error: empty.csv is empty."),
        (lambda d: d / "plan.mpp", "binary Office file"),
    ],
)
def test_unreadable_files_get_one_error_line(cli, project, tmp_path: Path, make_file, message):
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "plan.mpp").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)

    result = cli("import", project.code, str(make_file(tmp_path)), code=1)

    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1
    assert message in lines[0]


def test_unknown_project_and_non_admin_prune_are_one_line_errors(cli, db, make_project) -> None:
    fp = make_project()
    with db.transaction() as session:
        user = projects.create_user(
            session, email="mia@example.com", name="Mia", organisation="Test Org"
        )
        projects.add_member(session, session.get(Project, fp.project.id), user, "member")

    unknown = cli("import", "NOPE", LARGEST, code=1)
    not_admin = cli(
        "import", fp.project.code, LARGEST, "--prune", "--by", "mia@example.com", code=1
    )

    assert unknown.output.startswith("error: No project 'NOPE'.")
    assert "mia@example.com is not an admin of project" in not_admin.output
    assert len(not_admin.output.strip().splitlines()) == 1
