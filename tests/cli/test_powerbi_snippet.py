"""`planbridge powerbi snippet`: ready-to-paste M that Microsoft's parser accepts."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from planbridge.cli.main import app
from tests.powerquery.test_templates_parse import check, parser_installed  # noqa: F401 (fixture)


@pytest.fixture
def project_code(db, database_url, monkeypatch, make_project):
    monkeypatch.setenv("PLANBRIDGE_DATABASE_URL", database_url)
    monkeypatch.setenv("PLANBRIDGE_BASE_URL", "https://planbridge.example.com")
    feed = make_project()
    return feed


@pytest.mark.usefixtures("parser_installed")
@pytest.mark.parametrize("extra", [[], ["--incremental"]])
def test_snippet_is_valid_m_for_the_project_and_never_holds_a_token(project_code, tmp_path, extra):
    feed = project_code
    result = CliRunner().invoke(
        app, ["powerbi", "snippet", feed.project.code, "--limit", "3", *extra]
    )
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert f'ProjectId = "{feed.project.api_id}"' in text
    assert 'PlanBridgeUrl = "https://planbridge.example.com"' in text
    assert "[limit = 3]" in text
    assert feed.token not in text and "pbt_" not in text
    path = tmp_path / "snippet.pq"
    path.write_text(text, encoding="utf-8")
    # The incremental variant reads the RangeStart/RangeEnd parameters Power BI asks users to
    # create; any other name must be defined in the snippet or be in the standard library.
    outside = ("RangeStart", "RangeEnd") if extra else ()
    parsed = check(path, defined=outside)
    assert parsed.returncode == 0, parsed.stdout + parsed.stderr


def test_snippet_json_and_unknown_project(project_code):
    feed = project_code
    result = CliRunner().invoke(app, ["powerbi", "snippet", feed.project.code, "--json"])
    body = json.loads(result.stdout)
    assert body["project"] == feed.project.code and body["m"].startswith("// PlanBridge")
    missing = CliRunner().invoke(app, ["powerbi", "snippet", "NOPE"])
    assert missing.exit_code == 1 and "No project 'NOPE'" in missing.output
