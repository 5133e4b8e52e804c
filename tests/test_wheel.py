"""The wheel carries every runtime file: built, installed in a fresh virtual environment (its
dependencies borrowed from the test environment, never the checkout's ``src/``), then used from
a folder outside the repository: migrations run, a project is made and its Power Query snippet
is printed from the shipped templates."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import REPO


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=600, cwd=cwd, env=env
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.slow
def test_an_installed_wheel_serves_a_snippet_from_its_own_templates(tmp_path):
    # Built from a clean copy: a checkout's build/ and *.egg-info/ could smuggle files in.
    source = tmp_path / "source"
    shutil.copytree(
        REPO / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    wheels = tmp_path / "wheels"
    _run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", wheels, source, cwd=tmp_path
    )
    (wheel,) = wheels.glob("planbridge-*.whl")
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    site = Path(
        _run(
            python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path
        ).strip()
    )
    # The test environment's packages (FastAPI, SQLAlchemy, ...) but not its planbridge: that
    # one is an editable install whose own .pth is not read from a .pth-added folder.
    (site / "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "-q",
        "--no-deps",
        wheel,
        cwd=tmp_path,
    )
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    location = _run(python, "-c", "import planbridge; print(planbridge.__file__)", cwd=outside)
    assert Path(location).is_relative_to(site), location
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PLANBRIDGE_")},
        "PLANBRIDGE_DATABASE_URL": f"sqlite:///{outside / 'wheel.db'}",
        "PYTHONPATH": "",
    }
    cli = venv / "bin" / "planbridge"
    _run(cli, "db", "upgrade", cwd=outside, env=env)
    _run(cli, "projects", "create", "--name", "Wheel Works", "--code", "WHL", cwd=outside, env=env)
    for flags in ([], ["--incremental"]):
        snippet = _run(cli, "powerbi", "snippet", "WHL", *flags, cwd=outside, env=env)
        assert "// PlanBridge: Wheel Works" in snippet
        assert "// ---- BEGIN GENERATED COLUMNS" in snippet and "Web.Contents(" in snippet
    schema = _run(
        python,
        "-c",
        "from planbridge.feeds.schema import feed_schema; "
        "print(sorted(feed_schema()['properties']))",
        cwd=outside,
    )
    assert "'tasks'" in schema
