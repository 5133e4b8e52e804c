"""Every file derived from the catalog is what the catalog produces (``make generate``)."""

from __future__ import annotations

import shutil
import subprocess
import sys

from planbridge.catalog import generate
from tests.conftest import REPO


def test_no_generated_file_differs_from_what_the_catalog_produces():
    diffs = generate.stale()
    assert not diffs, "run `make generate`:\n" + "\n".join(diffs.values())


def test_every_kind_of_derived_file_is_covered():
    names = {path.name for path in generate.rendered()}
    assert names == {
        "feed.schema.json",
        "PublishedPlans.pq",
        "PublishedPlansIncremental.pq",
        "feed.md",
        "metrics.md",
    }


def test_a_hand_edit_of_a_generated_section_is_caught(tmp_path):
    shutil.copytree(REPO / "docs", tmp_path / "docs")
    feed = tmp_path / "docs" / "feed.md"
    feed.write_text(
        feed.read_text(encoding="utf-8").replace("| `task_id` | integer |", "| `task_id` | text |"),
        encoding="utf-8",
    )
    assert set(generate.stale(tmp_path)) == {feed}


def test_the_check_command_passes_on_the_committed_files():
    result = subprocess.run(
        [sys.executable, "-m", "planbridge.catalog.generate", "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stdout + result.stderr
