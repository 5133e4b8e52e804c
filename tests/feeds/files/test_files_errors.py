"""File downloads share the feed's checks and error shape; their own mistakes are named."""

from __future__ import annotations

import pytest

from planbridge.catalog import FEED_TABLES, FEED_TABLES_BY_NAME
from planbridge.errors import ResponseTooLarge
from planbridge.feeds import params
from planbridge.feeds.files import rows, xlsx_export
from tests.error_shape import assert_error
from tests.feeds.files.conftest import table_url

SUFFIXES = ["csv", "xlsx"]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_without_token_gets_401(client, published, suffix):
    response = client.get(table_url(published, "tasks", suffix))
    assert_error(response, 401, "invalid_token")
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_all_tables_workbook_without_token_gets_401(client, published):
    assert_error(client.get(f"{published.url}/tables.xlsx"), 401, "invalid_token")


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_token_in_query_is_refused_first(client, published, suffix):
    url = table_url(published, "nope", suffix) + f"?token={published.token}"
    assert_error(client.get(url), 400, "token_in_query")


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_unknown_table_gets_404_listing_the_tables(client, published, suffix):
    response = client.get(table_url(published, "task", suffix), headers=published.auth)
    error = assert_error(response, 404, "table_not_found")
    assert error["details"]["available_tables"] == [t.name for t in FEED_TABLES]
    assert "tasks" in error["hint"]


def test_unknown_project_gets_404(client, published):
    response = client.get("/power-bi/v1/nope/tables/tasks.csv", headers=published.auth)
    assert_error(response, 404, "project_not_found")


@pytest.mark.parametrize("value", ["maybe", ""])
def test_bad_bom_gets_400(client, published, value):
    url = table_url(published, "tasks", "csv") + f"?bom={value}"
    error = assert_error(client.get(url, headers=published.auth), 400, "invalid_parameter")
    assert "bom" in error["message"]


def test_bom_is_not_a_workbook_parameter(client, published):
    url = table_url(published, "tasks", "xlsx") + "?bom=false"
    error = assert_error(client.get(url, headers=published.auth), 400, "invalid_parameter")
    assert "bom" in error["message"]


BAD_QUERIES = ["limit=0", "published_from=yesterday", "foo=1", "limit=1&limit=2"]


@pytest.mark.parametrize("query", BAD_QUERIES)
@pytest.mark.parametrize("suffix", SUFFIXES)
def test_feed_parameters_are_checked_as_in_the_json_feed(client, published, query, suffix):
    url = table_url(published, "tasks", suffix) + f"?{query}"
    assert_error(client.get(url, headers=published.auth), 400, "invalid_parameter")


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize(("table", "flag"), [("resources", "resource"), ("ppc", "metrics")])
def test_table_switched_off_by_its_flag_gets_400(client, published, suffix, table, flag):
    url = table_url(published, table, suffix) + f"?{flag}=false"
    error = assert_error(client.get(url, headers=published.auth), 400, "invalid_parameter")
    assert f"{flag}=false" in error["message"]


def test_a_flag_for_another_table_is_harmless(client, published):
    url = table_url(published, "tasks", "csv") + "?resource=false&status=no"
    assert client.get(url, headers=published.auth).status_code == 200


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_disabled_source_gets_403(client, make_project, suffix):
    feed = make_project(enabled=False)
    response = client.get(table_url(feed, "tasks", suffix), headers=feed.auth)
    assert_error(response, 403, "integration_disabled")


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_project_moved_to_the_free_tier_gets_403(client, make_project, db, suffix):
    from planbridge.projects.models import Project, Tier

    feed = make_project()
    with db.transaction() as session:
        session.get(Project, feed.project.id).tier = Tier.free
    response = client.get(table_url(feed, "tasks", suffix), headers=feed.auth)
    assert_error(response, 403, "plan_not_eligible")


def test_fair_use_budget_is_shared_with_the_json_feed(make_client, published):
    client = make_client(feed_requests_per_hour=2)
    assert client.get(published.url, headers=published.auth).status_code == 200
    url = table_url(published, "tasks", "csv")
    assert client.get(url, headers=published.auth).status_code == 200
    response = client.get(f"{published.url}/tables.xlsx", headers=published.auth)
    assert_error(response, 429, "rate_limited")
    assert "retry-after" in response.headers


def test_workbook_over_the_cell_budget_gets_422_with_what_fits():
    extract = rows.Extract(
        version_ids=(3, 2),
        chunks={
            "tasks": (rows.StoredChunk(1, 3, 100, 1), rows.StoredChunk(2, 2, 100, 1)),
            "resources": (rows.StoredChunk(3, 3, 200, 1),),
        },
    )
    tasks, resources = FEED_TABLES_BY_NAME["tasks"], FEED_TABLES_BY_NAME["resources"]
    per_task, per_resource = 100 * len(tasks.columns), 200 * len(resources.columns)
    wanted = params.parse([], default_limit=5, max_limit=52)
    budget = 2 * per_task
    with pytest.raises(ResponseTooLarge) as caught:
        xlsx_export.check_bounds(extract, [tasks, resources], params=wanted, max_cells=budget)
    details = caught.value.details
    assert details["cells"] == 2 * per_task + per_resource
    assert per_task + per_resource <= budget  # the newest version alone fits
    assert details["largest_fitting_limit"] == 1
    assert details["flags"] == [
        {"parameter": "resource=false", "cells": 2 * per_task, "fits": True}
    ]
    assert "resource=false" in details["suggested_parameters"]
    assert "CSV" in caught.value.hint
    xlsx_export.check_bounds(extract, [tasks, resources], params=wanted, max_cells=details["cells"])


def test_table_over_excel_rows_gets_422_pointing_to_csv():
    big = rows.StoredChunk(1, 1, xlsx_export.EXCEL_MAX_ROWS, 1)
    extract = rows.Extract(version_ids=(1,), chunks={"tasks": (big,)})
    wanted = params.parse([], default_limit=5, max_limit=52)
    with pytest.raises(ResponseTooLarge) as caught:
        xlsx_export.check_bounds(
            extract, [FEED_TABLES_BY_NAME["tasks"]], params=wanted, max_cells=10**9
        )
    assert caught.value.details["max_rows"] == 1_048_575
    assert "CSV" in caught.value.hint
