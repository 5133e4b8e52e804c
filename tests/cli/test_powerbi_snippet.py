"""`planbridge powerbi snippet`: whole queries for the Advanced Editor that Microsoft's parser and
language services accept, reading the token from a parameter; the incremental one asks for the
range and nothing else, from its own query (never through a shared one)."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from planbridge.cli.main import app
from tests.powerquery.test_templates_parse import check, parser_installed  # noqa: F401 (fixture)

TOKEN = ("PlanBridgeToken",)
RANGE = ("RangeStart", "RangeEnd")


@pytest.fixture
def project_code(db, database_url, monkeypatch, make_project):
    monkeypatch.setenv("PLANBRIDGE_DATABASE_URL", database_url)
    monkeypatch.setenv("PLANBRIDGE_BASE_URL", "https://planbridge.example.com")
    feed = make_project()
    return feed


def _snippet(feed, *args: str) -> str:
    result = CliRunner().invoke(app, ["powerbi", "snippet", feed.project.code, *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def _last_steps(text: str) -> tuple[list[str], str]:
    """The outer query's last steps (after the inlined function) and what it returns."""
    assert text.startswith("// PlanBridge: ")
    code = [line for line in text.splitlines() if not line.startswith("//")]
    assert code[0] == "let" and code[-2] == "in", code[-3:]
    steps = [line.strip() for line in code[:-2] if re.match(r"^    [A-Za-z#]", line)]
    return steps, code[-1].strip()


def _assert_checked(text: str, tmp_path, outside: tuple[str, ...]) -> None:
    path = tmp_path / "snippet.pq"
    path.write_text(text, encoding="utf-8")
    parsed = check(path, defined=outside)
    assert parsed.returncode == 0, parsed.stdout + parsed.stderr
    # Every name it needs from outside is declared: the token parameter (and the range).
    for name in outside:
        missing = check(path, defined=tuple(n for n in outside if n != name) or ("Unused",))
        assert missing.returncode == 1 and f"Cannot find the name '{name}'" in missing.stdout


@pytest.mark.usefixtures("parser_installed")
def test_plain_snippet_is_a_whole_query_reading_the_token_parameter(project_code, tmp_path):
    feed = project_code
    text = _snippet(feed, "--limit", "3")
    steps, result = _last_steps(text)
    assert steps[:3] == [
        'PlanBridgeUrl = "https://planbridge.example.com",',
        f'ProjectId = "{feed.project.api_id}",',
        "PublishedPlans =",
    ]
    assert (
        steps[-1]
        == "Plans = PublishedPlans(PlanBridgeUrl, ProjectId, PlanBridgeToken, [limit = 3])"
    )
    assert result == "Plans"
    assert feed.token not in text and "pbt_" not in text and "paste-your-token" not in text
    _assert_checked(text, tmp_path, TOKEN)
    assert "[limit = 5])" in _snippet(feed)  # the server's default, shown where it can be edited


@pytest.mark.usefixtures("parser_installed")
def test_plain_snippet_of_one_table(project_code, tmp_path):
    text = _snippet(project_code, "--table", "blockers")
    steps, result = _last_steps(text)
    assert steps[-2:] == [
        "Source = PublishedPlans(PlanBridgeUrl, ProjectId, PlanBridgeToken, [limit = 5]),",
        "blockers = Source[blockers]",
    ]
    assert result == "blockers"
    _assert_checked(text, tmp_path, TOKEN)


@pytest.mark.usefixtures("parser_installed")
@pytest.mark.parametrize("table", [None, "ppc_breakdown"])
def test_incremental_snippet_asks_for_the_range_only_from_its_own_query(
    project_code, tmp_path, table
):
    feed = project_code
    text = _snippet(feed, "--incremental", *(["--table", table] if table else []))
    name = table or "tasks"
    steps, result = _last_steps(text)
    assert steps[-2:] == [
        "Source = PublishedPlansIncremental(PlanBridgeUrl, ProjectId, PlanBridgeToken, "
        "RangeStart, RangeEnd),",
        f"{name} = Source[{name}]",
    ]
    assert result == name
    assert "Plans = " not in text  # not the shared query: each table calls the function
    # No limit anywhere in what the snippet adds or in the incremental template's own part.
    own = text.split("// ---- END SHARED ----")[1]
    assert not re.search(r"\blimit\s*=", own), own
    assert feed.token not in text and "pbt_" not in text
    _assert_checked(text, tmp_path, TOKEN + RANGE)


def test_incremental_snippet_refuses_a_limit_and_unknown_tables(project_code):
    feed = project_code
    limited = CliRunner().invoke(
        app, ["powerbi", "snippet", feed.project.code, "--incremental", "--limit", "5"]
    )
    assert limited.exit_code == 1 and "takes no limit" in limited.output
    odd = CliRunner().invoke(app, ["powerbi", "snippet", feed.project.code, "--table", "nope"])
    assert odd.exit_code == 1 and "No feed table 'nope'" in odd.output


def test_snippet_json_and_unknown_project(project_code):
    feed = project_code
    result = CliRunner().invoke(app, ["powerbi", "snippet", feed.project.code, "--json"])
    body = json.loads(result.stdout)
    assert body["project"] == feed.project.code and body["m"].startswith("// PlanBridge")
    missing = CliRunner().invoke(app, ["powerbi", "snippet", "NOPE"])
    assert missing.exit_code == 1 and "No project 'NOPE'" in missing.output
