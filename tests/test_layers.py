"""The layer order in pyproject.toml ([tool.importlinter]) holds, and the check really fails
when a cycle or an upward import is introduced (on a copy of the package in a temp folder)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=root,
        env=env,
    )


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The package and its contract, copied; PYTHONPATH makes the copy the one analysed."""
    shutil.copytree(
        REPO / "src" / "planbridge",
        tmp_path / "src" / "planbridge",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_repository_keeps_its_layers():
    result = _lint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "line", "named"),
    [
        # metrics -> publishing closes the old publishing <-> metrics cycle
        ("metrics/compute.py", "import planbridge.publishing.service", "planbridge.publishing"),
        # the catalog must stay at the bottom
        ("catalog/model.py", "import planbridge.feeds.routes", "planbridge.feeds"),
        # feeds and the Plan API are siblings that must not import each other
        ("feeds/assemble.py", "import planbridge.api.auth", "planbridge.api"),
    ],
)
def test_the_check_fails_on_an_introduced_cycle_or_upward_import(copy, module, line, named):
    assert _lint(copy).returncode == 0, "the untouched copy must pass"
    path = copy / "src" / "planbridge" / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    result = _lint(copy)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout and named in result.stdout, result.stdout
