"""Query options on the small published plan: what each returns, and each way to get it wrong.

The plan has two versions of three tasks: "Containment – Zone A" (task 1, 3 days), "First fix
wiring" (task 2, 2 days) and the milestone "Power on" (task 3, no subcontractor or parent).
"""

from __future__ import annotations

import pytest

from tests.feeds.odata.odata_shape import assert_odata_error, assert_odata_version_once


def _get(client, project, path, **params):
    response = client.get(project.root + path, params=params, headers=project.auth)
    assert_odata_version_once(response)
    return response


def _rows(client, project, path="Tasks", **params):
    response = _get(client, project, path, **params)
    assert response.status_code == 200, response.text
    return response.json()["value"]


def _names(rows):
    return sorted({r["name"] for r in rows})


def _tasks(client, project, expression):
    return _names(_rows(client, project, **{"$filter": expression}))


CONTAINMENT, WIRING, POWER_ON = "Containment – Zone A", "First fix wiring", "Power on"


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("name eq 'Power on'", [POWER_ON]),
        ("name eq 'Containment – Zone A'", [CONTAINMENT]),
        ("name ne 'Power on'", [CONTAINMENT, WIRING]),
        ("duration_days gt 2", [CONTAINMENT]),
        ("duration_days ge 2", [CONTAINMENT, WIRING]),
        ("duration_days lt 2", [POWER_ON]),
        ("duration_days le 2", [WIRING, POWER_ON]),
        ("start_date ge 2026-11-18", [WIRING, POWER_ON]),
        ("start_date lt 2026-11-18", [CONTAINMENT]),
        ("committed eq false", [CONTAINMENT, WIRING, POWER_ON]),
        ("committed", []),
        ("not committed", [CONTAINMENT, WIRING, POWER_ON]),
        ("type eq 'milestone' or duration_days eq 3", [CONTAINMENT, POWER_ON]),
        ("type eq 'task' and duration_days eq 3", [CONTAINMENT]),
        ("not (type eq 'task')", [POWER_ON]),
        ("(type eq 'task' or type eq 'x') and not (duration_days gt 2)", [WIRING]),
        ("type eq 'x' or type eq 'task' and duration_days eq 2", [WIRING]),
        ("subcontractor_id eq null", [POWER_ON]),
        ("subcontractor_id ne null", [CONTAINMENT, WIRING]),
        ("subcontractor_id gt 0", [CONTAINMENT, WIRING]),
        ("not (subcontractor_id gt 0)", [POWER_ON]),
        ("null eq subcontractor_id", [POWER_ON]),
        ("3 eq duration_days", [CONTAINMENT]),
        ("duration_days gt 1.5", [CONTAINMENT, WIRING]),
        ("duration_days lt 2e0", [POWER_ON]),
        ("contains(name, 'fix')", [WIRING]),
        ("startswith(name,'Power')", [POWER_ON]),
        ("endswith(name, 'Zone A')", [CONTAINMENT]),
        ("contains(name, '''')", []),
        ("name eq 'It''s'", []),
        ("milestone_target_date eq 2026-11-24", [POWER_ON]),
        ("contains(tags, 'critical') eq true", [CONTAINMENT]),
        ("task_id eq -1", []),
    ],
)
def test_filter(client, published, expression, expected):
    assert _tasks(client, published, expression) == expected


def test_filter_on_date_times_and_nullable_strings(client, published):
    versions = _rows(client, published, "Versions")
    newest = versions[0]["published_at"]
    assert _rows(client, published, "Versions", **{"$filter": f"published_at ge {newest}"}) == [
        versions[0]
    ]
    # The same instant written with another offset.
    later = _rows(
        client, published, "Versions", **{"$filter": "published_at gt 2026-11-20T14:30:00+01:00"}
    )
    assert [v["name"] for v in later] == ["Week B"]
    delays = _rows(
        client,
        published,
        "StatusUpdates",
        **{"$filter": "recorded_at lt 2026-11-18T17:00:00.5Z and comment ne null"},
    )
    assert len(delays) == 2 and {d["comment"] for d in delays} == {"Scaffold not ready"}


@pytest.mark.parametrize(
    ("expression", "code", "words"),
    [
        ("name eq", "invalid_query", "end of the filter"),
        ("(name eq 'x'", "invalid_query", "Expected ')'"),
        ("name eq 'x')", "invalid_query", "Unexpected ')'"),
        ("name eq 'x", "invalid_query", "Unterminated"),
        ("nme eq 'x'", "invalid_query", "no property 'nme'"),
        ("task_id eq 'x'", "invalid_query", "Cannot compare"),
        ("start_date eq 2026-11-16T00:00:00Z", "invalid_query", "Edm.DateTimeOffset"),
        ("start_date eq 2026-02-30", "invalid_query", "not a valid date"),
        ("task_id", "invalid_query", "must be true or false"),
        ("name eq 'x' and task_id", "invalid_query", "right operand of 'and'"),
        ("task_id add 1 eq 2", "not_supported", "'add'"),
        ("type in ('task')", "not_supported", "'in'"),
        ("tolower(name) eq 'x'", "not_supported", "'tolower'"),
        ("Version/name eq 'x'", "not_supported", "Paths"),
        ("Resources/any(r: r/quantity gt 1)", "not_supported", "Paths"),
        ("Version eq null", "not_supported", "navigation property"),
        ("duration_days eq duration'P1D'", "not_supported", "typed literal"),
        ("name eq @p1", "not_supported", "'@p1'"),
        ("contains(name)", "invalid_query", "takes 2 arguments"),
        ("contains(task_id, '1')", "invalid_query", "takes strings"),
        ("name eq 'x' % 1", "invalid_query", "Unexpected"),
        ("", "invalid_query", "empty"),
    ],
)
def test_filter_errors_name_the_problem(client, published, expression, code, words):
    response = _get(client, published, "Tasks", **{"$filter": expression})
    error = assert_odata_error(response, 400, code)
    assert error["target"] == "$filter"
    assert words in error["message"]


def test_unknown_property_hint_lists_the_properties(client, published):
    response = _get(client, published, "Tasks", **{"$filter": "nme eq 'x'"})
    error = assert_odata_error(response, 400, "invalid_query")
    assert "task_id" in error["innererror"]["hint"]


def test_select_returns_only_the_chosen_properties_in_order(client, published):
    response = _get(client, published, "Tasks", **{"$select": "name, task_id"})
    body = response.json()
    assert body["@odata.context"].endswith("$metadata#Tasks(name,task_id)")
    assert all(list(r) == ["name", "task_id"] for r in body["value"])
    assert len(body["value"]) == 6
    everything = _rows(client, published, **{"$select": "*"})
    assert list(everything[0]) == list(_rows(client, published)[0])


@pytest.mark.parametrize(
    ("select", "code"),
    [
        ("nme", "invalid_query"),
        ("name,", "invalid_query"),
        ("Resources", "not_supported"),
        ("Version/name", "not_supported"),
        ("PlanBridge.Task/name", "not_supported"),
    ],
)
def test_select_errors(client, published, select, code):
    response = _get(client, published, "Tasks", **{"$select": select})
    assert assert_odata_error(response, 400, code)["target"] == "$select"


def test_orderby_sorts_by_several_properties_in_either_direction(client, published):
    rows = _rows(client, published, **{"$orderby": "duration_days desc,version_id"})
    assert [(r["duration_days"], r["version_id"]) for r in rows] == sorted(
        ((r["duration_days"], r["version_id"]) for r in rows), key=lambda p: (-p[0], p[1])
    )
    assert rows[0]["name"] == CONTAINMENT
    by_name = _rows(client, published, **{"$orderby": "name asc"})
    assert [r["name"] for r in by_name] == sorted(r["name"] for r in by_name)
    backwards = _rows(client, published, **{"$orderby": "name desc,version_id desc"})
    assert [(r["name"], r["version_id"]) for r in backwards] == sorted(
        ((r["name"], r["version_id"]) for r in by_name), reverse=True
    )


def test_orderby_puts_nulls_first_ascending_and_last_descending(client, published):
    up = _rows(client, published, **{"$orderby": "milestone_target_date"})
    down = _rows(client, published, **{"$orderby": "milestone_target_date desc"})
    assert [r["milestone_target_date"] for r in up][:4] == [None] * 4
    assert [r["milestone_target_date"] for r in down][:2] == ["2026-11-24"] * 2
    assert [r["milestone_target_date"] for r in down][2:] == [None] * 4


def test_orderby_ties_are_broken_by_the_key(client, published):
    rows = _rows(client, published, **{"$orderby": "type desc"})
    keys = [(r["version_id"], r["task_id"]) for r in rows if r["type"] == "task"]
    assert keys == sorted(keys)


@pytest.mark.parametrize(
    ("orderby", "code"),
    [
        ("name up", "invalid_query"),
        ("name asc desc", "invalid_query"),
        ("name,name desc", "invalid_query"),
        ("", "invalid_query"),
        ("nme", "invalid_query"),
        ("length(name)", "not_supported"),
        ("Version/number", "not_supported"),
    ],
)
def test_orderby_errors(client, published, orderby, code):
    response = _get(client, published, "Tasks", **{"$orderby": orderby})
    assert assert_odata_error(response, 400, code)["target"] == "$orderby"


def test_top_and_skip(client, published):
    everything = _rows(client, published)
    assert _rows(client, published, **{"$top": "2"}) == everything[:2]
    assert _rows(client, published, **{"$skip": "2"}) == everything[2:]
    assert _rows(client, published, **{"$skip": "1", "$top": "3"}) == everything[1:4]
    assert _rows(client, published, **{"$top": "0"}) == []
    assert _rows(client, published, **{"$skip": "60"}) == []
    ordered = _rows(client, published, **{"$orderby": "name desc"})
    assert (
        _rows(client, published, **{"$orderby": "name desc", "$skip": "1", "$top": "2"})
        == (ordered[1:3])
    )
    filtered = _rows(client, published, **{"$filter": "type eq 'task'"})
    assert _rows(client, published, **{"$filter": "type eq 'task'", "$skip": "3"}) == filtered[3:]


@pytest.mark.parametrize("option", ["$top", "$skip"])
@pytest.mark.parametrize("value", ["-1", "x", "1.5", ""])
def test_top_and_skip_must_be_whole_numbers(client, published, option, value):
    response = _get(client, published, "Tasks", **{option: value})
    assert assert_odata_error(response, 400, "invalid_query")["target"] == option


def test_count_counts_the_filtered_collection_not_the_page(client, published):
    body = _get(client, published, "Tasks", **{"$count": "true", "$top": "1"}).json()
    assert body["@odata.count"] == 6 and len(body["value"]) == 1
    body = _get(
        client, published, "Tasks", **{"$count": "true", "$filter": "type eq 'task'"}
    ).json()
    assert body["@odata.count"] == 4
    ordered = _get(
        client, published, "Tasks", **{"$count": "true", "$orderby": "name", "$skip": "5"}
    ).json()
    assert ordered["@odata.count"] == 6 and len(ordered["value"]) == 1
    assert "@odata.count" not in _get(client, published, "Tasks", **{"$count": "false"}).json()
    response = _get(client, published, "Tasks", **{"$count": "yes"})
    assert assert_odata_error(response, 400, "invalid_query")["target"] == "$count"


def test_count_segment_is_plain_text_and_ignores_paging_options(client, published):
    response = _get(client, published, "Tasks/$count")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "6"
    filtered = _get(
        client, published, "Tasks/$count", **{"$filter": "type eq 'milestone'", "$top": "1"}
    )
    assert filtered.text == "2"
    assert _get(client, published, "Versions/$count").text == "2"
    bad = _get(client, published, "Tasks/$count", **{"$expand": "Version"})
    assert_odata_error(bad, 400, "not_supported")


@pytest.mark.parametrize(
    ("params", "target", "code"),
    [
        ({"$expand": "Resources"}, "$expand", "not_supported"),
        ({"$search": "wiring"}, "$search", "not_supported"),
        ({"$apply": "aggregate(duration_days with sum as total)"}, "$apply", "not_supported"),
        ({"$compute": "duration_days mul 2 as twice"}, "$compute", "not_supported"),
        ({"$levels": "2"}, "$levels", "not_supported"),
        ({"$deltatoken": "x"}, "$deltatoken", "not_supported"),
        ({"custom": "x"}, "custom", "not_supported"),
        ({"$format": "xml"}, "$format", "not_supported"),
    ],
)
def test_unsupported_options_are_refused_by_name(client, published, params, target, code):
    response = _get(client, published, "Tasks", **params)
    error = assert_odata_error(response, 400, code)
    assert error["target"] == target
    assert next(iter(params)) in error["message"]


def test_expand_refusal_points_to_related_tables(client, published):
    response = _get(client, published, "Tasks", **{"$expand": "Version"})
    error = assert_odata_error(response, 400, "not_supported")
    assert "Select related tables" in error["innererror"]["hint"]


def test_repeated_option_is_refused(client, published):
    response = client.get(published.root + "Tasks?$top=1&$top=2", headers=published.auth)
    assert assert_odata_error(response, 400, "invalid_query")["target"] == "$top"


def test_option_names_are_case_insensitive_and_json_format_is_accepted(client, published):
    assert len(_rows(client, published, **{"$TOP": "1", "$format": "json"})) == 1
    assert len(_rows(client, published, **{"$format": "application/json;odata.metadata=minimal"}))


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("Nope", 404, "resource_not_found"),
        ("tasks", 404, "resource_not_found"),
        ("Tasks(version_id=1,task_id=1)", 400, "not_supported"),
        ("Versions(1)", 400, "not_supported"),
        ("Tasks/Resources", 400, "not_supported"),
        ("Tasks/$count/x", 400, "not_supported"),
        ("$batch", 400, "not_supported"),
        ("$all", 400, "not_supported"),
    ],
)
def test_unknown_or_unsupported_paths(client, published, path, status, code):
    assert_odata_error(_get(client, published, path), status, code)


def test_unknown_set_hint_lists_the_sets(client, published):
    error = assert_odata_error(_get(client, published, "tasks"), 404, "resource_not_found")
    assert "Tasks" in error["innererror"]["hint"]


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_the_feed_is_read_only(client, published, method):
    response = client.request(method, published.root + "Tasks", headers=published.auth)
    assert_odata_error(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "GET"


def test_service_document_and_metadata_refuse_query_options(client, published):
    error = assert_odata_error(_get(client, published, "", **{"$top": "1"}), 400, "not_supported")
    assert error["target"] == "$top"
    response = _get(client, published, "$metadata", **{"$filter": "x"})
    assert_odata_error(response, 400, "not_supported")


def test_only_versions_in_the_history_window_are_served(make_client, published, clock):
    client = make_client(history_days=1)
    versions = _rows(client, published, "Versions")
    assert [v["name"] for v in versions] == ["Week B"]
    assert len(_rows(client, published)) == 3
    assert _get(client, published, "Tasks/$count").text == "3"
