"""docs/etl.md: its portfolio PPC query runs on a loaded warehouse and gives the feeds' figures."""

from __future__ import annotations

import re
from collections import defaultdict

import duckdb

from planbridge.etl import config
from planbridge.etl.pull import pull
from tests.conftest import REPO
from tests.etl.conftest import feed, write_portfolio


def _documented_query() -> str:
    text = (REPO / "docs" / "etl.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- tested: [^>]*-->\n```sql\n(.*?)```", text, re.S)
    assert match, "docs/etl.md lost its tested PPC query"
    return match.group(1)


def test_portfolio_ppc_by_subcontractor_query_matches_the_feeds(server, demos, tmp_path):
    env: dict[str, str] = {}
    path = write_portfolio(tmp_path / "portfolio.toml", server, demos[:3], env)
    assert pull(config.load(path, environ=env)).ok

    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        result = con.sql(_documented_query())
        columns = result.columns
        rows = [dict(zip(columns, row, strict=True)) for row in result.fetchall()]

    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    projects: dict[str, set[str]] = defaultdict(set)
    for demo in demos[:3]:
        for r in feed(server, demo)["ppc_breakdown"]:
            if r["dimension"] != "subcontractor" or r["group_name"] is None:
                continue
            name = r["group_name"]
            projects[name].add(demo.project.api_id)
            if r["metric"] == "ppc_task_day":
                sums[name]["planned"] += r["planned_days"]
                sums[name]["achieved"] += r["achieved_days"]
            else:
                sums[name]["tasks"] += r["task_count"]
                sums[name]["achieved_tasks"] += r["achieved_task_count"]
    assert rows and {r["subcontractor"] for r in rows} == set(sums)
    for row in rows:
        expected = sums[row["subcontractor"]]
        assert row["projects"] == len(projects[row["subcontractor"]])
        assert row["planned_days"] == expected["planned"]
        assert row["achieved_days"] == expected["achieved"]
        if expected["planned"]:
            assert row["ppc_task_day"] == round(expected["achieved"] / expected["planned"], 4)
        if expected["tasks"]:
            assert row["ppc_task"] == round(expected["achieved_tasks"] / expected["tasks"], 4)
    assert any(r["projects"] > 1 for r in rows), "demo subcontractors should span projects"
