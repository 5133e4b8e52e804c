"""docs/files.md documents the endpoints, parameters and errors, and its M parses."""

from __future__ import annotations

import pytest

from planbridge.catalog.params import names_for
from planbridge.feeds import files_routes, params
from tests.conftest import REPO
from tests.powerquery.test_templates_parse import PARSER_PACKAGE, check, doc_blocks

DOC = REPO / "docs" / "files.md"
PATHS = (
    "/power-bi/v1/{project_api_id}/tables/{table}.csv",
    "/power-bi/v1/{project_api_id}/tables/{table}.xlsx",
    "/power-bi/v1/{project_api_id}/tables.xlsx",
)


def test_doc_names_every_endpoint_parameter_and_error_code():
    text = DOC.read_text(encoding="utf-8")
    for path in PATHS:
        assert f"`GET {path}`" in text
    for name in names_for("csv"):
        assert f"`{name}`" in text
    for codes in files_routes.FILE_ERRORS.values():
        for code in codes["description"].removeprefix("Error codes: ").split(", "):
            assert f"`{code}`" in text, code


def test_openapi_documents_the_file_endpoints_and_their_errors(client):
    spec = client.get("/openapi.json").json()["paths"]
    for path in PATHS:
        responses = spec[path]["get"]["responses"]
        assert {"200", "304", "400", "401", "403", "404", "422", "429"} <= set(responses)
        assert "table_not_found" in responses["404"]["description"]
    assert set(params.FEED_PARAMS) < set(names_for("csv"))


def test_m_blocks_in_the_doc_parse(tmp_path):
    if not (REPO / "node_modules" / PARSER_PACKAGE / "package.json").is_file():
        pytest.fail(f"{PARSER_PACKAGE} is not installed: run `npm ci` in {REPO}")
    blocks = doc_blocks(DOC)
    assert blocks
    paths = []
    for i, block in enumerate(blocks):
        path = tmp_path / f"files-{i}.pq"
        path.write_text(block, encoding="utf-8")
        paths.append(path)
    result = check(*paths)
    assert result.returncode == 0, result.stdout + result.stderr
