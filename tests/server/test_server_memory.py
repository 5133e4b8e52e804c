"""What a server process holds at start (issue 14: flat memory, at most 150 MiB while serving).

Heavy libraries that only some requests need are imported on first use: openpyxl (and numpy,
which openpyxl loads when present) for XLSX downloads and uploads, psycopg on a SQLite
database, authlib's HTTP client (and authlib.jose) for single sign-on. Importing any of them at
start adds 9 to 22 MiB to every server and worker process; these tests fail when one does.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from planbridge.cli import malloc_arenas

LAZY = ("openpyxl", "numpy", "psycopg", "authlib.integrations.httpx_client", "authlib.jose")


def _modules_after(code: str, tmp_path: Path) -> set[str]:
    env = {**os.environ, "PLANBRIDGE_DATABASE_URL": f"sqlite:///{tmp_path / 'pb.db'}"}
    env.pop("MALLOC_ARENA_MAX", None)
    script = textwrap.dedent(code) + "\nimport sys\nprint('\\n'.join(sorted(sys.modules)))\n"
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    return set(out.stdout.split())


def test_a_started_app_on_sqlite_has_not_loaded_the_heavy_libraries(tmp_path):
    loaded = _modules_after(
        """
        from planbridge.cli import serve_workers
        serve_workers.worker_app()
        """,
        tmp_path,
    )
    assert "planbridge.app" in loaded and "fastapi" in loaded  # the app was really built
    assert not loaded & set(LAZY), sorted(loaded & set(LAZY))


def test_an_xlsx_download_and_upload_load_openpyxl_on_first_use(tmp_path):
    loaded = _modules_after(
        """
        from planbridge.imports.template import template_bytes
        data = template_bytes("xlsx")
        assert data[:2] == b"PK"
        """,
        tmp_path,
    )
    assert "openpyxl" in loaded


def test_the_workbook_writer_still_writes_a_workbook_after_the_lazy_import():
    from planbridge.imports.template import template_bytes

    data = template_bytes("xlsx")
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "xl/workbook.xml" in names


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_the_server_caps_glibc_malloc_arenas_unless_the_operator_set_them(monkeypatch):
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert malloc_arenas.limit() is True  # mallopt accepted M_ARENA_MAX
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert malloc_arenas.limit() is False  # glibc already applied the operator's value
