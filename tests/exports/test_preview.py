"""The preview of an export action is the header and the first 1,000 rows of its file."""

from __future__ import annotations

import csv
import io

from planbridge.demo import generator
from planbridge.projects import service as projects
from tests.conftest import T0
from tests.connector_fixtures import access_token, bearer


def test_the_preview_is_the_first_1000_rows_of_the_file(make_client, db, make_user, tmp_path):
    email = make_user("ada@example.com", "Ada", organisation="Demo Construction Ltd")
    with db.transaction() as session:
        demo = generator.build(session, tasks=1100, weeks=1, seed=2, now=T0, code="BIGX")
        projects.add_member(session, demo.project, projects.get_user(session, email), "admin")
    client = make_client(exports_dir=str(tmp_path))
    token = access_token(client, "ada@example.com")
    base = "/api/v1/connector/projects/BIGX/exports"
    created = client.post(
        base, json={"name": "Tasks", "table": "tasks", "format": "txt"}, headers=bearer(token)
    )
    assert created.status_code == 201

    preview = client.get(f"{base}/Tasks/preview", headers=bearer(token)).json()
    data = client.get(f"{base}/Tasks/download", headers=bearer(token)).content.decode()
    header, *rows = list(csv.reader(io.StringIO(data), delimiter="\t"))
    assert len(rows) == 1100 == preview["total_rows"]
    assert preview["columns"] == header
    assert preview["rows"] == rows[:1000]
    assert preview["types"][header.index("duration_days")] == "integer"
