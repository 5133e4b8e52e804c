"""The demo project: believable and deterministic for a seed."""

from __future__ import annotations

from planbridge.demo import generator
from planbridge.publishing.models import Version
from planbridge.publishing.store import load_rows
from tests.conftest import T0

COMPARED = (
    "name",
    "type",
    "start_date",
    "end_date",
    "duration_days",
    "subcontractor",
    "location",
    "folder_code",
    "status",
    "tags",
)


def _build(db, code, seed):
    with db.transaction() as session:
        result = generator.build(session, tasks=120, weeks=3, seed=seed, now=T0, code=code)
        versions = (
            session.query(Version)
            .filter_by(project_id=result.project.id)
            .order_by(Version.number)
            .all()
        )
        rows = [
            load_rows(session, v.id, ["tasks", "status", "blockers", "subcontractors"])
            for v in versions
        ]
    return result, versions, rows


def _shape(rows):
    return [
        (
            [tuple(t[c] for c in COMPARED) for t in version["tasks"]],
            [(s["day"], s["type"], s["reason"], s["amount_days"]) for s in version["status"]],
            [(b["title"], b["due_on"], b["status"]) for b in version["blockers"]],
            sorted(s["name"] for s in version["subcontractors"]),
        )
        for version in rows
    ]


def test_same_seed_gives_the_same_project(db):
    _, _, a = _build(db, "SEEDA", 5)
    _, _, b = _build(db, "SEEDB", 5)
    _, _, c = _build(db, "SEEDC", 6)
    assert _shape(a) == _shape(b)
    assert _shape(a) != _shape(c)


def test_demo_is_believable(db):
    result, versions, rows = _build(db, "REAL", 1)
    assert result.tasks == 120 and [v.number for v in versions] == [1, 2, 3]
    assert [v.published_at for v in versions][-1] == T0
    subs = rows[-1]["subcontractors"]
    assert 8 <= len(subs) <= 15
    first, last = rows[0], rows[-1]
    assert len(last["status"]) > len(first["status"]), "work progresses and is recorded"
    assert any(s["type"] == "delayed" and s["reason"] for s in last["status"])
    assert any(b["status"] == "resolved" for b in last["blockers"])
    assert any(b["status"] == "open" for b in last["blockers"])
    done = sum(t["status"] == "complete" for t in last["tasks"])
    assert done > sum(t["status"] == "complete" for t in first["tasks"])
    moved = {t["task_id"]: t["end_date"] for t in first["tasks"]}
    assert any(moved[t["task_id"]] != t["end_date"] for t in last["tasks"]), "some tasks slip"
