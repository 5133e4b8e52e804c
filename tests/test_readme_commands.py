"""The README's shell commands, pasted in order into a terminal of the clone, all succeed.

`make run` is what the Makefile's `run` recipe says (started here in the background on a free
port); `make test` is this suite, so it is not run again. Every other line of every ```sh block
runs in one bash session, as a person pastes them: `source .venv/bin/activate` is what puts
`planbridge` on the PATH. The only edits are the placeholders the README asks the reader to
replace (the token and feed id `make run` printed) and the port. The database is the default
location, under a temporary XDG_DATA_HOME, never the user's own.
"""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO

SKIPPED = {"make run", "make test"}


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    commands: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        for line in block.replace("\\\n", " ").splitlines():
            command = line.strip()
            if command and command not in SKIPPED:
                commands.append(command)
    return commands


def make_run_command() -> list[str]:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^run:.*\n\t(.+)$", makefile, flags=re.M)
    assert recipe, "the Makefile has no run recipe"
    venv_bin = Path(sys.executable).parent
    return shlex.split(recipe.group(1).replace("$(BIN)", str(venv_bin)))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_readme_lists_the_commands_a_new_user_needs():
    commands = readme_commands()
    assert commands[0] == "source .venv/bin/activate"
    assert any(c.startswith("curl ") for c in commands)
    assert any(c.startswith("planbridge publish ") for c in commands)
    assert make_run_command()[-2:] == ["serve", "--demo"]


@pytest.mark.slow
def test_readme_commands_pasted_in_order_all_succeed(tmp_path: Path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLANBRIDGE_", "VIRTUAL_"))}
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), PLANBRIDGE_PORT=str(port))
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if Path(p) != Path(sys.executable).parent
    )
    clone = tmp_path / "clone"  # the clone's folders the README refers to, none of its files
    clone.mkdir()
    (clone / ".venv").symlink_to(Path(sys.prefix))
    (clone / "examples").symlink_to(REPO / "examples")
    log = (tmp_path / "make-run.log").open("w+")
    server = subprocess.Popen(
        make_run_command(), cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, text=True
    )
    try:
        printed = _wait_for_banner(log, server)
        _wait_for_health(port)
        token = re.search(r"Token \(shown once, keep it safe\): (pbt_\w+)", printed)
        feed = re.search(r"Feed URL: \S+/power-bi/v1/(p_[\w-]+)", printed)
        assert token and feed, printed
        lines = []
        for n, command in enumerate(readme_commands()):
            command = (
                command.replace("pbt_...", token.group(1))
                .replace("p_...", feed.group(1))
                .replace("127.0.0.1:8000", f"127.0.0.1:{port}")
            )
            lines += [f"echo {shlex.quote(f'### {n}: {command}')}", command]
        script = tmp_path / "pasted.sh"
        script.write_text("set -e\n" + "\n".join(lines) + "\necho '### all done'\n")
        done = subprocess.run(
            ["bash", str(script)], cwd=clone, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0 and "### all done" in done.stdout, (
            done.stdout[-3000:] + done.stderr[-3000:]
        )
        assert (clone / "quay-street-backup.db").stat().st_size > 0
        assert (tmp_path / "data" / "planbridge" / "planbridge.db").is_file()
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _wait_for_health(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail("the server printed its banner but does not answer /healthz")


def _wait_for_banner(log, server: subprocess.Popen[str]) -> str:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        log.seek(0)
        printed = log.read()
        if "serving on" in printed:
            return printed
        if server.poll() is not None:
            pytest.fail("make run's command stopped:\n" + printed)
        time.sleep(0.2)
    pytest.fail("make run's command did not start serving")
