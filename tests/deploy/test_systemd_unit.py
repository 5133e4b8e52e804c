"""The shipped systemd unit parses cleanly (``systemd-analyze verify``: no unknown key, no bad
value) and starts ``planbridge serve`` from the installed environment."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

UNIT = REPO / "deploy" / "systemd" / "planbridge.service"
INSTALLED = "/opt/planbridge/.venv/bin/planbridge"


def test_systemd_unit_verifies_without_warnings(tmp_path: Path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (not a systemd machine)")
    text = UNIT.read_text(encoding="utf-8")
    assert f"ExecStart={INSTALLED} serve\n" in text
    here = Path(sys.executable).with_name("planbridge")
    local = text.replace(INSTALLED, str(here)).replace(
        "EnvironmentFile=/etc/", "EnvironmentFile=-/etc/"
    )
    (tmp_path / "planbridge.service").write_text(local)
    done = subprocess.run(
        [analyze, "verify", str(tmp_path / "planbridge.service")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr


def test_token_notice_timer_and_service_verify_without_warnings(tmp_path: Path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (not a systemd machine)")
    here = Path(sys.executable).with_name("planbridge")
    for name in ("planbridge-token-notices.service", "planbridge-token-notices.timer"):
        text = (UNIT.parent / name).read_text(encoding="utf-8")
        text = text.replace(INSTALLED, str(here)).replace(
            "EnvironmentFile=/etc/", "EnvironmentFile=-/etc/"
        )
        (tmp_path / name).write_text(text)
    service = (UNIT.parent / "planbridge-token-notices.service").read_text(encoding="utf-8")
    assert f"ExecStart={INSTALLED} tokens notify-expiring\n" in service
    done = subprocess.run(
        [analyze, "verify", str(tmp_path / "planbridge-token-notices.timer")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr
