"""Every Power Query (M) file and every M block of the Power BI/Excel docs parses with
Microsoft's parser (``@microsoft/powerquery-parser``, pinned in package.json, installed by
``npm ci``), and the checker really rejects broken M."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHECKER = REPO / "tests" / "powerquery" / "check_m.js"
PARSER_PACKAGE = "@microsoft/powerquery-parser"
TEMPLATES = sorted(
    p
    for p in (REPO / "src" / "planbridge" / "feeds" / "powerquery").rglob("*")
    if p.suffix in {".pq", ".m"} and p.is_file()
)
DOCS = (REPO / "docs" / "power-bi.md", REPO / "docs" / "excel.md")
M_BLOCK = re.compile(r"^( *)```powerquery\n(.*?)^\1```", re.MULTILINE | re.DOTALL)


def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.fail("Node.js is needed to syntax-check the M templates: install it, then `npm ci`")
    return found


@pytest.fixture(scope="module")
def parser_installed() -> None:
    """Fails (never skips): the project's setup runs `npm ci`, so a missing parser is a bug."""
    installed = REPO / "node_modules" / PARSER_PACKAGE / "package.json"
    if not installed.is_file():
        pytest.fail(f"{PARSER_PACKAGE} is not installed: run `npm ci` in {REPO}")
    pinned = json.loads((REPO / "package.json").read_text())["devDependencies"][PARSER_PACKAGE]
    version = json.loads(installed.read_text())["version"]
    if version != pinned:
        pytest.fail(f"{PARSER_PACKAGE} {version} is installed, {pinned} is pinned: run `npm ci`")


def check(
    *paths: Path, checker: Path = CHECKER, cwd: Path = REPO
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "NODE_PATH"}
    return subprocess.run(
        [node(), str(checker), *map(str, paths)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_parser_is_pinned_to_an_exact_version() -> None:
    pinned = json.loads((REPO / "package.json").read_text())["devDependencies"][PARSER_PACKAGE]
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned), pinned
    lock = json.loads((REPO / "package-lock.json").read_text())
    assert lock["packages"][f"node_modules/{PARSER_PACKAGE}"]["version"] == pinned


def test_every_template_parses(parser_installed: None) -> None:
    assert {p.name for p in TEMPLATES} >= {"PublishedPlans.pq", "PublishedPlansIncremental.pq"}
    result = check(*TEMPLATES)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [f"ok {p}" for p in TEMPLATES]


def doc_blocks(doc: Path) -> list[str]:
    """The ```powerquery blocks of a doc, dedented; a formula-bar line loses its leading `=`."""
    blocks = []
    for indent, body in M_BLOCK.findall(doc.read_text(encoding="utf-8")):
        lines = [line.removeprefix(indent) for line in body.splitlines()]
        text = "\n".join(lines)
        blocks.append(text[1:] if text.startswith("=") else text)
    return blocks


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
def test_m_blocks_in_docs_parse(parser_installed: None, doc: Path, tmp_path: Path) -> None:
    blocks = doc_blocks(doc)
    assert blocks, f"{doc.name} has no ```powerquery block"
    paths = []
    for i, block in enumerate(blocks):
        path = tmp_path / f"{doc.stem}-{i}.pq"
        path.write_text(block, encoding="utf-8")
        paths.append(path)
    result = check(*paths)
    assert result.returncode == 0, result.stdout + result.stderr


def test_checker_rejects_a_parse_error_with_its_position(
    parser_installed: None, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.pq"
    broken.write_text("let\n    a = 1,\n    b = (2\nin\n    a\n", encoding="utf-8")
    result = check(broken)
    assert result.returncode == 1
    assert f"{broken}:4:1: error: " in result.stdout  # the `in` where `)` was expected
    assert "')'" in result.stdout


def test_checker_rejects_a_lexer_error_with_its_position(
    parser_installed: None, tmp_path: Path
) -> None:
    broken = tmp_path / "unterminated.m"
    broken.write_text('let\n    a = "no end\nin\n    a\n', encoding="utf-8")
    result = check(broken)
    assert result.returncode == 1
    assert f"{broken}:2:9: error: Unterminated string" in result.stdout


def test_checker_rejects_a_template_missing_one_bracket(
    parser_installed: None, tmp_path: Path
) -> None:
    text = (REPO / "src" / "planbridge" / "feeds" / "powerquery" / "PublishedPlans.pq").read_text(
        encoding="utf-8"
    )
    broken = tmp_path / "PublishedPlans.pq"
    broken.write_text(text.replace("ManualStatusHandling = {400, 404, 422, 429}", "x = {400"))
    result = check(TEMPLATES[0], broken)
    assert result.returncode == 1
    assert f"ok {TEMPLATES[0]}" in result.stdout
    assert f"{broken}:" in result.stdout


def test_checker_without_the_parser_says_to_run_npm_ci(tmp_path: Path) -> None:
    lonely = tmp_path / "check_m.js"  # outside the repository: no node_modules to find
    shutil.copy(CHECKER, lonely)
    result = check(TEMPLATES[0], checker=lonely, cwd=tmp_path)
    assert result.returncode == 3
    assert "npm ci" in result.stderr
