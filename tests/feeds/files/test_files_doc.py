"""docs/files.md documents the endpoints, parameters and errors."""

from __future__ import annotations

from planbridge.catalog.params import names_for
from planbridge.feeds import files_routes, params
from tests.conftest import REPO

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


# Its M blocks are checked with every doc's, by tests/powerquery/test_templates_parse.py.
