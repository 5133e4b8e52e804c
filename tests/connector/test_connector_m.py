"""The custom connector: its M passes Microsoft's parser and language services with the standard
library symbols plus the SDK names listed once in connector/sdk-names.txt; every resource string
it loads exists; the .mez is a deterministic zip of exactly its parts; and the API fields and
paths it reads are the ones the server answers with."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from defusedxml import ElementTree

from tests.conftest import REPO
from tests.connector_fixtures import access_token, bearer

CONNECTOR = REPO / "connector"
SOURCE = CONNECTOR / "PlanBridge.pq"
CHECKER = REPO / "tests" / "powerquery" / "check_m.js"


def sdk_names() -> list[str]:
    lines = (CONNECTOR / "sdk-names.txt").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def check(path: Path, defined: list[str]) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is needed for the M checks; install it, then `npm ci`")
    args = [node, str(CHECKER)]
    if defined:
        args.append("--defined=" + ",".join(defined))
    return subprocess.run([*args, str(path)], capture_output=True, text=True, timeout=120)


def test_the_connector_passes_the_m_checks_with_the_sdk_names():
    result = check(SOURCE, sdk_names())
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == f"ok {SOURCE}"


def test_without_the_sdk_names_the_checker_rejects_it():
    result = check(SOURCE, [])
    assert result.returncode == 1
    unknown = set(re.findall(r"Cannot find the name '([\w.]+)'", result.stdout))
    assert unknown == set(sdk_names())


def test_a_misspelt_library_function_fails(tmp_path):
    broken = tmp_path / "Broken.pq"
    broken.write_text(SOURCE.read_text().replace("Table.FirstN(", "Table.FirstNN(", 1))
    assert check(broken, sdk_names()).returncode == 1


def test_the_connector_declares_the_three_kinds_and_test_connection():
    text = SOURCE.read_text()
    for part in ("StartLogin = StartLogin", "FinishLogin = FinishLogin", "Refresh = Refresh"):
        assert part in text
    assert "UsernamePassword = [" in text and "Key = [" in text
    assert "TestConnection = (dataSourcePath) =>" in text
    assert 'code_challenge_method = "S256"' in text


def test_every_loaded_string_is_in_the_resources():
    keys = set(re.findall(r'Extension\.LoadString\("(\w+)"\)', SOURCE.read_text()))
    root = ElementTree.parse(CONNECTOR / "resources.resx").getroot()
    defined = {node.get("name") for node in root.iter("data")}
    assert keys and keys <= defined


def test_the_mez_is_a_deterministic_zip_of_its_parts(tmp_path):
    client_id = "pbc-" + "0123456789abcdef01234567"
    outputs = []
    for n in (1, 2):
        out = tmp_path / f"{n}" / "PlanBridge.mez"
        subprocess.run(
            [
                sys.executable,
                str(CONNECTOR / "build_mez.py"),
                "--client-id",
                client_id,
                "--out",
                str(out),
            ],
            check=True,
            capture_output=True,
        )
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    with zipfile.ZipFile(tmp_path / "1" / "PlanBridge.mez") as archive:
        assert archive.namelist() == ["PlanBridge.pq", "client_id", "resources.resx"]
        assert archive.read("client_id") == client_id.encode()
        assert archive.read("PlanBridge.pq") == SOURCE.read_bytes()


def test_a_bad_client_id_is_refused(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(CONNECTOR / "build_mez.py"),
            "--client-id",
            "nope",
            "--out",
            str(tmp_path / "x.mez"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "not a PlanBridge client id" in result.stderr


def test_the_fields_and_paths_the_connector_reads_are_served(make_client, team, tmp_path):
    client = make_client(exports_dir=str(tmp_path))
    token = access_token(client, team.admin)
    text = SOURCE.read_text()
    assert '"api/v1/connector/projects"' in text and 'RelativePath = "api/v1/auth/basic"' in text
    body = client.get("/api/v1/connector/projects", headers=bearer(token)).json()
    assert {"organisation", "projects"} <= set(body)
    assert {"id", "name"} <= set(body["organisation"])
    assert {"name", "code"} <= set(body["projects"][0])
    base = "/api/v1/connector/projects/QST/exports"
    client.post(base, json={"name": "Tasks", "table": "tasks"}, headers=bearer(token))
    (action,) = client.get(base, headers=bearer(token)).json()["export_actions"]
    assert {"id", "name", "format", "columns", "column_types"} <= set(action)
    assert len(action["columns"]) == len(action["column_types"])
    preview = client.get(f"{base}/{action['id']}/preview", headers=bearer(token)).json()
    assert {"columns", "rows"} <= set(preview)
    assert client.get(f"{base}/{action['id']}/download", headers=bearer(token)).status_code == 200
    assert client.get("/api/v1/connector").status_code == 200  # anonymous, for connection tests
