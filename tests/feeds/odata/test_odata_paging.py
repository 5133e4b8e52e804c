"""Server-driven paging over a demo project: every nextLink followed, rows equal the JSON feed's."""

from __future__ import annotations

import datetime as dt
import itertools

import orjson
import pytest
from sqlalchemy import select

from planbridge.feeds.odata.model import ENTITY_SETS, ENTITY_SETS_BY_NAME
from planbridge.feeds.odata.options import OrderItem
from planbridge.feeds.odata.paging import sort_key, total_order
from planbridge.projects.models import Project
from tests.builders import publish_at
from tests.feeds.odata.odata_shape import assert_odata_error, assert_odata_version_once

PAGE = 70


def walk(client, project, path, headers=None, **params):
    """Every page of a query, following @odata.nextLink to the end."""
    pages = []
    response = client.get(
        project.root + path, params=params, headers={**project.auth, **(headers or {})}
    )
    while True:
        assert response.status_code == 200, response.text
        assert_odata_version_once(response)
        body = response.json()
        pages.append(body)
        link = body.get("@odata.nextLink")
        if link is None:
            return pages
        assert link.startswith("http://testserver/odata/v4/")
        response = client.get(link, headers={**project.auth, **(headers or {})})


def rows_of(pages):
    return [row for page in pages for row in page["value"]]


@pytest.fixture
def json_feed(client, demo):
    """The JSON feed's tables for every version in the window (not only the default 5)."""
    response = client.get(f"/power-bi/v1/{demo.api_id}?limit=52", headers=demo.auth)
    assert response.status_code == 200
    return response.json()


def test_every_set_pages_to_exactly_the_json_feeds_rows(make_client, demo, json_feed):
    client = make_client(odata_page_size=PAGE, feed_requests_per_hour=1000)
    assert len(json_feed["versions"]) == 4
    for entity in ENTITY_SETS:
        pages = walk(client, demo, entity.name)
        assert all(len(p["value"]) == PAGE for p in pages[:-1])
        assert 0 < len(pages[-1]["value"]) <= PAGE or len(pages) == 1
        rows = rows_of(pages)
        if entity.row_number:
            rows = [{k: v for k, v in r.items() if k != "row_number"} for r in rows]
        assert rows == json_feed[entity.table.name], entity.name
    assert len(json_feed["tasks"]) == 1600


def test_keys_are_unique_in_every_set(make_client, demo):
    client = make_client(odata_page_size=5000)
    for entity in ENTITY_SETS:
        rows = rows_of(walk(client, demo, entity.name))
        keys = [tuple(r[k] for k in entity.key) for r in rows]
        assert len(set(keys)) == len(keys), entity.name


def test_filtered_walk_equals_the_filtered_feed(make_client, demo, json_feed):
    client = make_client(odata_page_size=PAGE)
    pages = walk(client, demo, "Tasks", **{"$filter": "status eq 'planned' and duration_days ge 3"})
    expected = [
        t for t in json_feed["tasks"] if t["status"] == "planned" and t["duration_days"] >= 3
    ]
    assert rows_of(pages) == expected
    assert len(pages) == -(-len(expected) // PAGE)


def test_ordered_walk_is_the_sorted_feed(make_client, demo, json_feed):
    client = make_client(odata_page_size=PAGE)
    orderby = "milestone_target_date desc,start_date"
    pages = walk(client, demo, "Tasks", **{"$orderby": orderby, "$count": "true"})
    assert {p["@odata.count"] for p in pages} == {1600}
    rows = rows_of(pages)
    assert len(rows) == 1600
    order = total_order(
        (OrderItem("milestone_target_date", True), OrderItem("start_date")),
        ENTITY_SETS_BY_NAME["Tasks"],
    )
    key = sort_key(order, ENTITY_SETS_BY_NAME["Tasks"])
    values = [tuple(r[i.name] for i in order) for r in rows]
    keys = [key(v) for v in values]
    assert all(a < b for a, b in itertools.pairwise(keys))
    assert values[0][0] == max(r["milestone_target_date"] or "" for r in rows)
    targets = [v[0] for v in values]
    assert None in targets and set(targets[targets.index(None) :]) == {None}  # nulls last
    assert sorted(map(str, rows)) == sorted(map(str, json_feed["tasks"]))


def test_top_and_skip_span_pages(make_client, demo, json_feed):
    client = make_client(odata_page_size=PAGE)
    pages = walk(client, demo, "Tasks", **{"$top": "150", "$skip": "30", "$count": "true"})
    assert [len(p["value"]) for p in pages] == [70, 70, 10]
    assert rows_of(pages) == json_feed["tasks"][30:180]
    assert {p["@odata.count"] for p in pages} == {1600}
    ordered = walk(client, demo, "Resources", **{"$orderby": "quantity desc", "$top": "71"})
    assert [len(p["value"]) for p in ordered] == [70, 1]


def test_next_link_keeps_the_query_and_drops_top_and_skip(make_client, demo):
    client = make_client(odata_page_size=PAGE)
    response = client.get(
        demo.root + "Tasks",
        params={"$select": "task_id,name", "$filter": "task_id gt 5", "$top": "100", "$skip": "1"},
        headers=demo.auth,
    )
    link = response.json()["@odata.nextLink"]
    assert "$select=task_id,name" in link and "$filter=task_id%20gt%205" in link
    assert "$top" not in link and "$skip=" not in link and "$skiptoken=" in link
    token = link.split("$skiptoken=")[1]
    assert token.isalnum() and token == token.lower()
    again = client.get(
        demo.root + "Tasks",
        params={"$select": "task_id,name", "$filter": "task_id gt 5", "$top": "100", "$skip": "1"},
        headers=demo.auth,
    )
    assert again.json()["@odata.nextLink"] == link, "tokens are stable"


def test_prefer_max_page_size_lowers_the_page_and_says_so(client, demo):
    response = client.get(
        demo.root + "Tasks", headers={**demo.auth, "Prefer": "odata.maxpagesize=25"}
    )
    assert len(response.json()["value"]) == 25
    assert response.headers["preference-applied"] == "odata.maxpagesize=25"
    plain = client.get(demo.root + "Tasks", headers=demo.auth)
    assert len(plain.json()["value"]) == 1600 and "preference-applied" not in plain.headers


def test_a_walk_keeps_to_the_versions_it_started_with(make_client, demo, db, clock):
    client = make_client(odata_page_size=PAGE)
    one = {**demo.auth, "Prefer": "odata.maxpagesize=1"}
    first = client.get(demo.root + "Versions", headers=one)
    with db.transaction() as session:
        project = session.scalar(select(Project).where(Project.api_id == demo.api_id))
    clock.advance(hours=1)
    publish_at(db, project, clock.now, name="Published mid-walk")
    rest = walk(client, demo, "Versions", headers={"Prefer": "odata.maxpagesize=1"}, **{})
    assert rows_of(rest)[0]["name"] == "Published mid-walk"
    names = [v["name"] for v in first.json()["value"]]
    link = first.json()["@odata.nextLink"]
    while link:
        body = client.get(link, headers=one).json()
        names += [v["name"] for v in body["value"]]
        link = body.get("@odata.nextLink")
    assert len(names) == 4 and "Published mid-walk" not in names


def test_a_walk_ends_when_its_versions_leave_the_history_window(make_client, demo, clock):
    client = make_client(odata_page_size=PAGE, history_days=30)
    first = client.get(demo.root + "Tasks", headers=demo.auth).json()
    clock.advance(days=60)
    last = client.get(first["@odata.nextLink"], headers=demo.auth)
    assert last.status_code == 200
    assert last.json()["value"] == [] and "@odata.nextLink" not in last.json()


@pytest.mark.parametrize(
    "token",
    ["nonsense!", "aaaa", "mfrggzdf", "pmrhcir2ejtdmzjvmezdoyzyga2wmntemfsselbcoyrdumrm"],
)
def test_a_forged_skiptoken_is_refused(client, demo, token):
    response = client.get(demo.root + "Tasks", params={"$skiptoken": token}, headers=demo.auth)
    assert assert_odata_error(response, 400, "invalid_query")["target"] == "$skiptoken"


def test_a_skiptoken_only_continues_its_own_query(make_client, demo):
    client = make_client(odata_page_size=PAGE)
    link = client.get(demo.root + "Tasks", headers=demo.auth).json()["@odata.nextLink"]
    token = link.split("$skiptoken=")[1]
    for path, params in [
        ("Resources", {}),
        ("Tasks", {"$filter": "task_id gt 1"}),
        ("Tasks", {"$orderby": "name"}),
    ]:
        response = client.get(
            demo.root + path, params={**params, "$skiptoken": token}, headers=demo.auth
        )
        assert "another query" in assert_odata_error(response, 400, "invalid_query")["message"]
    with_top = client.get(link + "&$top=5", headers=demo.auth)
    assert assert_odata_error(with_top, 400, "invalid_query")["target"] == "$skiptoken"


def test_a_tampered_ordered_token_is_a_400_not_a_500(make_client, demo):
    import base64

    import orjson

    client = make_client(odata_page_size=PAGE)
    link = client.get(demo.root + "Tasks", params={"$orderby": "name"}, headers=demo.auth).json()[
        "@odata.nextLink"
    ]
    text = link.split("$skiptoken=")[1].upper()
    data = orjson.loads(base64.b32decode(text + "=" * (-len(text) % 8)))
    data["a"][0] = 12
    forged = base64.b32encode(orjson.dumps(data)).decode().rstrip("=").lower()
    response = client.get(
        demo.root + "Tasks", params={"$orderby": "name", "$skiptoken": forged}, headers=demo.auth
    )
    assert_odata_error(response, 400, "invalid_query")


def test_gzip_when_accepted(client, demo):
    response = client.get(demo.root + "Tasks", headers={**demo.auth, "Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert len(response.json()["value"]) == 1600
    plain = client.get(demo.root + "Tasks", headers={**demo.auth, "Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers


def test_repeated_pages_come_from_the_row_cache(make_client, demo):
    client = make_client(odata_page_size=PAGE)
    client.get(demo.root + "Tasks", headers=demo.auth)
    cache = client.app.state.odata_row_cache
    misses = cache.misses
    client.get(demo.root + "Tasks", headers=demo.auth)
    assert cache.misses == misses and cache.hits > 0
    assert cache.used_bytes <= cache.budget_bytes


def test_the_row_cache_stays_within_its_budget():
    from planbridge.feeds.odata.rows import RowCache

    cache = RowCache(budget_bytes=100)
    for i in range(10):
        cache.put((i, 1, "tasks", 1, 1), [{"i": i}], 30)
    assert cache.used_bytes == 90
    assert cache.get((0, 1, "tasks", 1, 1)) is None
    assert cache.get((9, 1, "tasks", 1, 1)) == [{"i": 9}]
    cache.put((99, 1, "tasks", 1, 1), [], 101)
    assert cache.get((99, 1, "tasks", 1, 1)) is None


def test_dates_of_the_demo_are_published_weekly(client, demo):
    versions = client.get(demo.root + "Versions", headers=demo.auth).json()["value"]
    stamps = [dt.datetime.fromisoformat(v["published_at"]) for v in versions]
    assert stamps == sorted(stamps, reverse=True)


def _expected_page(client, project, path, response):
    """The page as orjson writes it from rows: what every page was before pages were laid
    out from stored bytes (the JSON feed gives the rows)."""
    body = response.json()
    expected = {"@odata.context": body["@odata.context"]}
    if "@odata.count" in body:
        expected["@odata.count"] = body["@odata.count"]
    expected["value"] = body["value"]
    if "@odata.nextLink" in body:
        expected["@odata.nextLink"] = body["@odata.nextLink"]
    return orjson.dumps(expected)


@pytest.mark.parametrize("page_size", [600, 450])  # whole stored chunks (300 rows); cut ones
def test_pages_from_stored_bytes_are_the_bytes_of_their_rows(
    make_client, demo, json_feed, page_size
):
    client = make_client(odata_page_size=page_size, feed_requests_per_hour=1000)
    identity = {**demo.auth, "Accept-Encoding": "identity"}
    for entity in ENTITY_SETS:
        link, rows = demo.root + entity.name, []
        while link:
            response = client.get(link, headers=identity)
            assert response.status_code == 200
            body = response.json()
            assert response.content == _expected_page(client, demo, link, response)
            gz = client.get(link, headers={**demo.auth, "Accept-Encoding": "gzip"})
            if len(response.content) >= 1024:
                assert gz.headers["content-encoding"] == "gzip"
                assert int(gz.headers["content-length"]) < len(response.content)
            assert gz.content == response.content  # decoded by the client
            rows += body["value"]
            link = body.get("@odata.nextLink")
        if entity.row_number:
            rows = [{k: v for k, v in r.items() if k != "row_number"} for r in rows]
        assert rows == json_feed[entity.table.name], entity.name


@pytest.mark.parametrize("params", [{}, {"$orderby": "name"}])
def test_a_gzip_page_is_one_valid_gzip_member(make_client, demo, params):
    import zlib

    client = make_client(odata_page_size=2000)
    plain = client.get(
        demo.root + "Tasks", params=params, headers={**demo.auth, "Accept-Encoding": "identity"}
    )
    with client.stream(
        "GET", demo.root + "Tasks", params=params, headers={**demo.auth, "Accept-Encoding": "gzip"}
    ) as response:
        assert response.headers["content-encoding"] == "gzip"
        raw = b"".join(response.iter_raw())
    assert int(response.headers["content-length"]) == len(raw)
    member = zlib.decompressobj(31)  # gzip: the trailer's CRC-32 and size are checked
    assert member.decompress(raw) == plain.content
    assert member.eof and member.unused_data == b""


def _ordered_rows(client, project, orderby, **params):
    pages = walk(client, project, "Tasks", **{"$orderby": orderby, **params})
    return pages, rows_of(pages)


@pytest.mark.parametrize(
    "orderby",
    ["name", "milestone_target_date desc,name", "external_id,duration_days desc", "task_id desc"],
)
def test_an_ordered_walk_is_the_same_at_any_page_size_and_is_sorted(make_client, demo, orderby):
    small = make_client(odata_page_size=PAGE)
    big = make_client(odata_page_size=5000)
    _, by_small = _ordered_rows(small, demo, orderby)
    pages, by_big = _ordered_rows(big, demo, orderby)
    assert len(pages) == 1 and by_small == by_big and len(by_big) == 1600
    entity = ENTITY_SETS_BY_NAME["Tasks"]
    items = tuple(OrderItem(p.split()[0], p.split()[-1] == "desc") for p in orderby.split(","))
    order = total_order(items, entity)
    key = sort_key(order, entity)
    keys = [key(tuple(r[i.name] for i in order)) for r in by_big]
    assert all(a < b for a, b in itertools.pairwise(keys))


def test_an_ordered_query_is_sorted_once_then_served_from_memory(make_client, demo, json_feed):
    client = make_client(odata_page_size=PAGE)
    params = {"$orderby": "name desc", "$filter": "duration_days ge 3", "$count": "true"}
    first = walk(client, demo, "Tasks", **params)
    cache = client.app.state.odata_order_cache
    assert cache.builds == 1 and len(first) > 3
    again = walk(client, demo, "Tasks", **params)
    assert cache.builds == 1 and cache.hits >= len(first) * 2 - 1
    assert rows_of(again) == rows_of(first)
    expected = [t for t in json_feed["tasks"] if t["duration_days"] >= 3]
    assert {p["@odata.count"] for p in first} == {len(expected)}
    assert sorted(map(str, rows_of(first))) == sorted(map(str, expected))
    assert cache.used_bytes <= cache.budget_bytes
    walk(client, demo, "Tasks", **{**params, "$filter": "duration_days ge 4"})
    assert cache.builds == 2  # another query, another sorted set


def test_ordered_pages_carry_select_top_and_skip(make_client, demo):
    client = make_client(odata_page_size=PAGE)
    full = rows_of(walk(client, demo, "Resources", **{"$orderby": "name,quantity desc"}))
    pages = walk(
        client,
        demo,
        "Resources",
        **{
            "$orderby": "name,quantity desc",
            "$select": "name,quantity",
            "$top": "100",
            "$skip": "5",
        },
    )
    assert rows_of(pages) == [{"name": r["name"], "quantity": r["quantity"]} for r in full[5:105]]


def test_the_order_cache_stays_within_its_budget(make_client, demo):
    from planbridge.feeds.odata.ordered import OrderCache

    client = make_client(odata_page_size=PAGE)
    client.get(demo.root + "Tasks", params={"$orderby": "name"}, headers=demo.auth)
    built = client.app.state.odata_order_cache
    entry = next(iter(built._entries.values()))
    small = OrderCache(budget_bytes=entry.cost * 2 + 1)
    for n in range(4):
        small.get_or_build(n, lambda: entry)
    assert small.builds == 4 and len(small._entries) == 2
    assert small.used_bytes <= small.budget_bytes
    assert small.get_or_build(3, lambda: pytest.fail("cached")) is entry


def _token(link):
    import base64

    text = link.split("$skiptoken=")[1].upper()
    return orjson.loads(base64.b32decode(text + "=" * (-len(text) % 8)))


def _forge(data):
    import base64

    return base64.b32encode(orjson.dumps(data)).decode().rstrip("=").lower()


@pytest.mark.parametrize(
    ("orderby", "change"),
    [
        ("", {"t": -5}),
        ("", {"c": -1}),
        ("", {"v": -1}),
        ("", {"p": [1, 2]}),
        ("", {"p": ["a", 0, 0]}),
        ("", {"p": [1, 0, -1]}),
        ("", {"p": {"x": 1}}),
        ("", {"t": 1.5}),
        ("", {"v": True}),
        ("name", {"a": None}),
        ("name", {"a": ["x"]}),
        ("name", {"a": [1, 2, 3]}),
        ("name", {"a": [["x"], 1, 2]}),
        ("name", {"a": "abc"}),
        ("duration_days", {"a": [True, 1, 2]}),
        ("duration_days", {"a": [1.5, 1, 2]}),
    ],
)
def test_a_tampered_skiptoken_is_a_400_not_a_500(make_client, demo, orderby, change):
    client = make_client(odata_page_size=PAGE)
    params = {"$orderby": orderby} if orderby else {}
    link = client.get(demo.root + "Tasks", params=params, headers=demo.auth).json()[
        "@odata.nextLink"
    ]
    forged = _forge({**_token(link), **change})
    response = client.get(
        demo.root + "Tasks", params={**params, "$skiptoken": forged}, headers=demo.auth
    )
    assert assert_odata_error(response, 400, "invalid_query")["target"] == "$skiptoken"


@pytest.mark.parametrize("change", [{"p": [10**6, 0, 0]}, {"p": [1, 0, 10**9]}])
def test_a_skiptoken_pointing_nowhere_ends_the_walk_cleanly(make_client, demo, change):
    client = make_client(odata_page_size=PAGE)
    link = client.get(demo.root + "Tasks", headers=demo.auth).json()["@odata.nextLink"]
    data = _token(link)
    forged = _forge({**data, **change})
    response = client.get(demo.root + "Tasks", params={"$skiptoken": forged}, headers=demo.auth)
    assert response.status_code == 200
    assert isinstance(response.json()["value"], list)


def test_the_column_sorts_give_the_odata_order_with_nulls_and_descending_items():
    import random

    from planbridge.feeds.odata.ordered import _sorted_indexes

    entity = ENTITY_SETS_BY_NAME["Tasks"]
    rng = random.Random(3)
    rows = [
        {
            "name": rng.choice([None, "a", "b", "B", "é", "ab"]),
            "duration_days": rng.choice([None, 0, 1, 2, -3]),
            "version_id": rng.choice([1, 2]),
            "task_id": n,
        }
        for n in range(500)
    ]
    for items in [
        (OrderItem("name"),),
        (OrderItem("name", True), OrderItem("duration_days")),
        (OrderItem("duration_days", True), OrderItem("name", True)),
    ]:
        order = total_order(items, entity)
        columns = [[r[i.name] for r in rows] for i in order]
        key = sort_key(order, entity)
        expected = sorted(range(len(rows)), key=lambda i: key([c[i] for c in columns]))
        assert _sorted_indexes(columns, order) == expected
