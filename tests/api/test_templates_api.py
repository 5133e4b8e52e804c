"""The import template downloads (anonymous) round-trip through the parser and the import
endpoint; the new operations are documented in the OpenAPI document with examples."""

from __future__ import annotations

import pytest

from planbridge.imports import COLUMNS, parse_bytes, template_bytes
from tests.error_shape import assert_error


@pytest.mark.parametrize(
    ("kind", "media_type"),
    [
        ("csv", "text/csv"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_the_template_downloads_anonymously_as_an_attachment_and_parses(client, kind, media_type):
    response = client.get(f"/templates/schedule.{kind}")

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media_type)
    assert response.headers["content-disposition"] == (
        f'attachment; filename="planbridge-schedule-template.{kind}"'
    )
    assert response.content == template_bytes(kind)
    empty = parse_bytes(response.content, f"template.{kind}")
    assert (empty.tasks, empty.problems) == ([], [])

    examples = client.get(f"/templates/schedule.{kind}", params={"examples": "true"})

    parsed = parse_bytes(examples.content, f"template.{kind}")
    assert [t.external_id for t in parsed.tasks] == ["A-100", "A-110", "M-1"]
    assert parsed.problems == []


def test_the_csv_template_starts_with_a_bom_and_the_header(client):
    text = client.get("/templates/schedule.csv").content.decode("utf-8")
    assert text == "\ufeff" + ",".join(c.name for c in COLUMNS) + "\r\n"


def test_a_filled_template_imports_through_the_api(client, api):
    for kind in ("xlsx", "csv"):
        filled = client.get(f"/templates/schedule.{kind}", params={"examples": "true"}).content
        response = client.post(
            api.url("/imports"),
            content=filled,
            params={"filename": f"plan.{kind}"},
            headers=api.as_admin,
        )
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["source_format"] == kind
        assert len(report["tasks"]["added" if kind == "xlsx" else "unchanged"]) == 3


def test_a_bad_flag_is_a_400(client):
    assert_error(
        client.get("/templates/schedule.csv", params={"examples": "maybe"}),
        400,
        "invalid_parameter",
    )


def test_the_new_operations_are_documented_with_examples(client):
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    schemas = spec["components"]["schemas"]
    bulk = paths["/api/v1/projects/{project_code}/tasks/bulk-upsert"]["post"]
    assert {"401", "403", "409", "422"} <= set(bulk["responses"])
    assert schemas["BulkUpsert"]["examples"] and schemas["BulkUpsertOut"]["examples"]
    assert schemas["BulkTask"]["examples"]

    imports = paths["/api/v1/projects/{project_code}/imports"]["post"]
    assert {"401", "403", "413", "415", "422"} <= set(imports["responses"])
    assert "import_rejected" in imports["responses"]["422"]["description"]
    assert {p["name"] for p in imports["parameters"]} >= {
        "dry_run",
        "prune",
        "filename",
        "p6_project",
        "encoding",
    }
    body = imports["requestBody"]["content"]
    assert body["text/csv"]["example"] and body["application/octet-stream"]["example"]
    assert schemas["ImportReportOut"]["examples"]

    for kind in ("csv", "xlsx"):
        template = paths[f"/templates/schedule.{kind}"]["get"]
        assert "security" not in template and "(anonymous)" in template["summary"]
        assert "Content-Disposition" in template["responses"]["200"]["description"]
    csv_content = paths["/templates/schedule.csv"]["get"]["responses"]["200"]["content"]
    assert next(iter(csv_content.values()))["example"].startswith("external_id,name")
