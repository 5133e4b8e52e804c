"""Imports over HTTP: the file as the raw body, real samples land with the raw file's counts,
re-import, dry run, prune for admins, a broken file changes nothing, size and shape limits."""

from __future__ import annotations

import pytest

from planbridge import audit
from tests.error_shape import assert_error
from tests.imports.apply_support import csv_file, snapshot
from tests.imports.conftest import SAMPLES
from tests.imports.test_apply_samples import db_counts, raw_mspdi_counts, raw_xer_counts

SKIP = ("personal_access_tokens",)  # a token's last use is recorded in its own transaction
OCTETS = {"Content-Type": "application/octet-stream"}
GOOD_CSV = csv_file(
    {"external_id": "R-1", "name": "Pour slab", "start": "2026-11-23", "duration_days": "2"},
    {
        "external_id": "R-2",
        "name": "Strike formwork",
        "start": "2026-11-25",
        "duration_days": "1",
        "predecessors": "R-1",
        "subcontractor": "New Formwork Co",
    },
)


def _import(client, api, data, *, headers=None, **params):
    return client.post(
        api.url("/imports"),
        content=data,
        params=params,
        headers={**OCTETS, **(headers or api.as_member)},
    )


def _ok(response):
    assert response.status_code == 200, response.text
    return response.json()


def test_a_p6_sample_lands_with_the_raw_file_counts_and_reimports_unchanged(client, db, api):
    name = "xer-parser_test.xer"
    expected = raw_xer_counts(SAMPLES / name, "cp1252")

    report = _ok(_import(client, api, (SAMPLES / name).read_bytes(), filename=name))

    assert report["ok"] is True and report["source"] == name and report["source_format"] == "xer"
    counts = report["counts"]
    assert counts["tasks_added"] == expected["tasks"] == 692
    assert counts["milestones"] == expected["milestones"]
    assert counts["links_added"] == expected["links"]
    # The project already had folder 1.1 (tests/api/conftest.py): the file renames it.
    assert report["updated_folders"] == ["1.1"]
    assert len(report["created"]["folders"]) == expected["folders"] - 1
    assert report["external_links"] == 3
    assert db_counts(db, api.project.id) == expected

    again = _ok(_import(client, api, (SAMPLES / name).read_bytes(), filename=name))

    assert again["counts"]["tasks_added"] == 0 and again["counts"]["tasks_updated"] == 0
    assert again["counts"]["tasks_unchanged"] == 692
    assert db_counts(db, api.project.id) == expected


def test_an_ms_project_sample_named_by_content_disposition(client, db, api):
    name = "mpxj_sample1.xml"
    expected = raw_mspdi_counts(SAMPLES / name)

    report = _ok(
        _import(
            client,
            api,
            (SAMPLES / name).read_bytes(),
            headers={**api.as_member, "Content-Disposition": f'attachment; filename="{name}"'},
        )
    )

    assert report["source"] == name and report["source_format"] == "mspdi"
    found = db_counts(db, api.project.id)
    del found["resources"]
    assert found == {**expected, "folders": expected["folders"] + 1}  # and the project's 1.1
    [event] = _events(db, api, "import.apply")
    assert event.actor == api.member.label and event.details["via"].startswith("pat ")
    assert event.details["tasks_added"] == expected["tasks"]


def _events(db, api, action):
    with db.transaction() as session:
        return [e for e in audit.events(session, api.project.id) if e.action == action]


def test_a_csv_with_problems_is_a_422_listing_every_problem_and_changes_nothing(client, db, api):
    _ok(_import(client, api, GOOD_CSV, filename="plan.csv"))
    before = snapshot(db, skip=SKIP)
    broken = csv_file(
        {"external_id": "R-1", "name": "Pour slab", "start": "2026-11-23", "duration_days": "0"},
        {"external_id": "R-3", "name": "", "start": "someday"},
        {"external_id": "R-1", "name": "Again", "start": "2026-11-23"},
    )

    error = assert_error(_import(client, api, broken, filename="plan.csv"), 422, "import_rejected")

    problems = error["details"]["problems"]
    assert len(problems) >= 4
    assert {p["location"] for p in problems} >= {"row 2", "row 3", "row 4"}
    assert any(p["field"] == "duration_days" for p in problems)
    assert all(p["text"].startswith(p["location"]) for p in problems)
    assert "nothing was imported" in error["message"]
    assert snapshot(db, skip=SKIP) == before


def test_dry_run_reports_what_would_change_and_changes_nothing(client, db, api):
    before = snapshot(db, skip=SKIP)

    report = _ok(_import(client, api, GOOD_CSV, filename="plan.csv", dry_run="true"))

    assert report["dry_run"] is True
    assert report["tasks"]["added"] == ["R-1", "R-2"]
    assert report["links"]["added"] == ["R-1 FS R-2"]
    assert report["created"]["subcontractors"] == ["New Formwork Co"]
    assert snapshot(db, skip=SKIP) == before


def test_prune_needs_an_admin_and_deletes_tasks_that_left_the_file(client, db, api):
    _ok(_import(client, api, GOOD_CSV, filename="plan.csv"))
    only_first = csv_file(
        {"external_id": "R-1", "name": "Pour slab", "start": "2026-11-23", "duration_days": "2"}
    )

    kept = _ok(_import(client, api, only_first, filename="plan.csv"))
    assert kept["tasks"]["missing"] == ["R-2"] and kept["tasks"]["pruned"] == []
    error = assert_error(
        _import(client, api, only_first, filename="plan.csv", prune="true"),
        403,
        "not_project_admin",
    )
    assert "prune" in error["message"]

    report = _ok(
        _import(client, api, only_first, filename="plan.csv", prune="true", headers=api.as_admin)
    )

    assert report["tasks"]["pruned"] == ["R-2"]
    assert db_counts(db, api.project.id)["tasks"] == 1


def test_the_format_comes_from_the_name_or_the_content_type(client, api):
    error = assert_error(_import(client, api, GOOD_CSV), 422, "import_file_invalid")
    assert "unknown file type" in error["message"] and "?filename=" in error["hint"]

    report = _ok(
        _import(client, api, GOOD_CSV, headers={**api.as_member, "Content-Type": "text/csv"})
    )

    assert report["source_format"] == "csv" and report["source"] == "upload.csv"
    named = _ok(_import(client, api, GOOD_CSV, filename=r"C:\Users\ana\plan.csv"))
    assert named["source"] == "plan.csv" and named["counts"]["tasks_unchanged"] == 2


@pytest.mark.parametrize(
    ("data", "params", "code", "words"),
    [
        (b"", {}, "import_file_invalid", "body is empty"),
        (
            b"ERMHDR\t19.12\n",
            {"filename": "x.xer", "encoding": "klingon"},
            "import_file_invalid",
            "encoding",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest",
            {"filename": "plan.mpp"},
            "import_file_invalid",
            ".mpp",
        ),
    ],
)
def test_unreadable_files_are_a_422(client, api, data, params, code, words):
    error = assert_error(_import(client, api, data, **params), 422, code)
    assert words in error["message"]


def test_a_file_over_the_cap_is_a_413_declared_or_streamed(make_client, api):
    client = make_client(import_max_mb=1)
    big = GOOD_CSV + b"\n" * (1024 * 1024)

    error = assert_error(_import(client, api, big, filename="plan.csv"), 413, "file_too_large")
    assert error["details"]["max_bytes"] == 1024 * 1024 and error["details"]["bytes"] == len(big)
    assert "1 MiB" in error["message"] and "IMPORT_MAX_MB" in error["hint"]

    def chunks():
        for _ in range(20):
            yield b"x" * 100_000

    streamed = client.post(
        api.url("/imports"),
        content=chunks(),
        params={"filename": "plan.csv"},
        headers=api.as_member,
    )
    assert_error(streamed, 413, "file_too_large")


def test_multipart_unknown_parameters_and_missing_auth_are_refused(client, api):
    multipart = client.post(
        api.url("/imports"), files={"file": ("plan.csv", GOOD_CSV)}, headers=api.as_member
    )
    assert_error(multipart, 415, "unsupported_media_type")
    error = assert_error(
        _import(client, api, GOOD_CSV, filename="plan.csv", dryrun="true"), 400, "invalid_parameter"
    )
    assert error["details"]["field"] == "dryrun" and "dry_run" in error["hint"]
    assert_error(
        client.post(api.url("/imports"), content=GOOD_CSV, params={"filename": "plan.csv"}),
        401,
        "invalid_token",
    )


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.95])
def test_a_p6_file_cut_short_is_a_422_naming_its_table_and_changes_nothing(client, db, api, keep):
    _ok(_import(client, api, GOOD_CSV, filename="plan.csv"))
    before = snapshot(db, skip=SKIP)
    data = (SAMPLES / "xer-parser_test.xer").read_bytes()

    response = _import(client, api, data[: int(len(data) * keep)], filename="plan.xer")

    error = assert_error(response, 422, "import_file_invalid")
    assert error["details"]["table"] in error["message"]
    assert "cut short" in error["message"]
    assert snapshot(db, skip=SKIP) == before


def _csv_rows(rows: int) -> bytes:
    lines = ["external_id,name,start,duration_days"]
    lines += [f"T-{n},Task {n},2026-11-23,2" for n in range(rows)]
    return ("\r\n".join(lines) + "\r\n").encode()


def test_the_setting_limits_imports_over_http(make_client, api) -> None:
    client = make_client(import_max_rows=3)
    post = {"filename": "plan.csv"}
    headers = {**api.as_member, "Content-Type": "text/csv"}

    refused = client.post(api.url("/imports"), content=_csv_rows(4), params=post, headers=headers)
    accepted = client.post(api.url("/imports"), content=_csv_rows(3), params=post, headers=headers)

    error = assert_error(refused, 422, "import_file_invalid")
    assert error["details"]["max_rows"] == 3
    assert "PLANBRIDGE_IMPORT_MAX_ROWS" in error["hint"]
    assert accepted.status_code == 200, accepted.text


def test_date_format_reads_an_ambiguous_day_first_csv(client, db, api):
    data = b"external_id,name,start,end\r\nD-1,Slab,03/04/2026,07/04/2026\r\n"
    refused = _import(client, api, data, filename="plan.csv")
    error = assert_error(refused, 422, "import_file_invalid")
    assert "ambiguous: row 2" in error["message"] and "date_format=dmy" in error["hint"]
    report = _ok(_import(client, api, data, filename="plan.csv", date_format="dmy"))
    assert report["tasks"]["added"] == ["D-1"]
    assert_error(
        _import(client, api, data, filename="plan.csv", date_format="d/m/y"),
        400,
        "invalid_parameter",
    )
