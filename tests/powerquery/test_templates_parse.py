"""Every Power Query (M) file and every M block of the README and docs passes Microsoft's own
tools: the parser (``@microsoft/powerquery-parser``) and the language services
(``@microsoft/powerquery-language-services``) with the standard library's symbols from
``../shared/powerquery/standard-enUs.json``, so a misspelt library function or step name fails
(both pinned in package.json, installed by ``npm ci``); and the checker really rejects broken M."""

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
TEMPLATE_DIR = REPO / "src" / "planbridge" / "feeds" / "powerquery"
PARSER_PACKAGE = "@microsoft/powerquery-parser"
SERVICES_PACKAGE = "@microsoft/powerquery-language-services"
LIBRARY = REPO.parent / "shared" / "powerquery" / "standard-enUs.json"
TEMPLATES = sorted(
    p
    for p in (REPO / "src" / "planbridge" / "feeds" / "powerquery").rglob("*")
    if p.suffix in {".pq", ".m"} and p.is_file()
)
DOCS = (REPO / "README.md", *sorted((REPO / "docs").glob("*.md")))
M_BLOCK = re.compile(r"^( *)```powerquery\n(.*?)^\1```", re.MULTILINE | re.DOTALL)
ANY_BLOCK = re.compile(r"^( *)```(\w*)\n(.*?)^\1```", re.MULTILINE | re.DOTALL)
M_FUNCTION = re.compile(
    r"\b(?:Web\.Contents|OData\.Feed|Json\.Document|Csv\.Document|Table\.\w+)\("
)
EXTERNAL = (
    "PlanBridgeUrl",
    "ProjectId",
    "PlanBridgeToken",
    "Token",
    "RangeStart",
    "RangeEnd",
    "PublishedPlans",
    "PublishedPlansIncremental",
    "Plans",
)
"""The parameters and queries the guides ask users to create beside a snippet; any other name in
a snippet must be defined in it or be in the standard library."""


def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.fail("Node.js is needed to syntax-check the M templates: install it, then `npm ci`")
    return found


@pytest.fixture(scope="module")
def parser_installed() -> None:
    """Fails (never skips): the project's setup runs `npm ci`, so a missing parser is a bug."""
    for package in (PARSER_PACKAGE, SERVICES_PACKAGE):
        installed = REPO / "node_modules" / package / "package.json"
        if not installed.is_file():
            pytest.fail(f"{package} is not installed: run `npm ci` in {REPO}")
        pinned = json.loads((REPO / "package.json").read_text())["devDependencies"][package]
        version = json.loads(installed.read_text())["version"]
        if version != pinned:
            pytest.fail(f"{package} {version} is installed, {pinned} is pinned: run `npm ci`")
    if not LIBRARY.is_file():
        pytest.fail(f"the standard library symbols are missing: {LIBRARY} (../shared beside)")


def check(
    *paths: Path, checker: Path = CHECKER, cwd: Path = REPO, defined: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "NODE_PATH"}
    options = [f"--defined={','.join(defined)}", f"--library={LIBRARY}"] if defined else []
    return subprocess.run(
        [node(), str(checker), *options, *map(str, paths)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("package", [PARSER_PACKAGE, SERVICES_PACKAGE])
def test_the_checkers_are_pinned_to_an_exact_version(package: str) -> None:
    pinned = json.loads((REPO / "package.json").read_text())["devDependencies"][package]
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned), pinned
    lock = json.loads((REPO / "package-lock.json").read_text())
    assert lock["packages"][f"node_modules/{package}"]["version"] == pinned


def test_every_template_parses(parser_installed: None) -> None:
    assert {p.name for p in TEMPLATES} >= {"PublishedPlans.pq", "PublishedPlansIncremental.pq"}
    result = check(*TEMPLATES)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [f"ok {p}" for p in TEMPLATES]


def doc_blocks(doc: Path) -> list[str]:
    """The ```powerquery blocks of a doc, dedented, exactly as a reader pastes them."""
    blocks = []
    for indent, body in M_BLOCK.findall(doc.read_text(encoding="utf-8")):
        blocks.append("\n".join(line.removeprefix(indent) for line in body.splitlines()))
    return blocks


DOCS_WITH_M = [doc for doc in DOCS if doc_blocks(doc)]


def test_the_guides_that_show_m_are_all_checked() -> None:
    names = {doc.name for doc in DOCS_WITH_M}
    assert names >= {"power-bi.md", "excel.md", "files.md", "odata.md"}, names


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
def test_no_m_hides_in_an_untagged_block(doc: Path) -> None:
    """M outside a ```powerquery block would escape the check below."""
    for _, language, body in ANY_BLOCK.findall(doc.read_text(encoding="utf-8")):
        if language != "powerquery" and language not in {"python", "sql", "js", "javascript"}:
            assert not M_FUNCTION.search(body), f"{doc.name}: tag this block ```powerquery"


@pytest.mark.parametrize("doc", DOCS_WITH_M, ids=lambda d: d.name)
def test_m_blocks_in_docs_pass_microsofts_checks(
    parser_installed: None, doc: Path, tmp_path: Path
) -> None:
    paths = []
    for i, block in enumerate(doc_blocks(doc)):
        assert not block.lstrip().startswith("="), (
            f"{doc.name} block {i}: a formula-bar line is not valid in the Advanced Editor; "
            "write a whole `let ... in` query"
        )
        path = tmp_path / f"{doc.stem}-{i}.pq"
        path.write_text(block, encoding="utf-8")
        paths.append(path)
    result = check(*paths, defined=EXTERNAL)
    assert result.returncode == 0, result.stdout + result.stderr


def test_checker_rejects_an_unknown_library_function_and_step(
    parser_installed: None, tmp_path: Path
) -> None:
    typo = tmp_path / "typo.pq"
    typo.write_text(
        "let\n    Source = Binary.Bufer(Web.Contents(PlanBridgeUrl)),\n    Rows = Sourse\n"
        "in\n    Rows\n",
        encoding="utf-8",
    )
    result = check(typo, defined=EXTERNAL)
    assert result.returncode == 1
    assert f"{typo}:2:14: error: Cannot find the name 'Binary.Bufer'" in result.stdout
    assert "did you mean 'Binary.Buffer'?" in result.stdout
    assert f"{typo}:3:12: error: Cannot find the name 'Sourse'" in result.stdout


def test_checker_needs_every_outside_name_declared(parser_installed: None, tmp_path: Path) -> None:
    snippet = tmp_path / "snippet.pq"
    snippet.write_text("let\n    Source = Web.Contents(PlanBridgeUrl)\nin\n    Source\n")
    assert check(snippet, defined=EXTERNAL).returncode == 0
    undeclared = check(snippet, defined=("ProjectId",))
    assert undeclared.returncode == 1
    assert "Cannot find the name 'PlanBridgeUrl'" in undeclared.stdout


def test_checker_without_the_library_symbols_refuses_to_pass(
    parser_installed: None, tmp_path: Path
) -> None:
    snippet = tmp_path / "snippet.pq"
    snippet.write_text("let\n    a = 1\nin\n    a\n")
    result = subprocess.run(
        [node(), str(CHECKER), f"--library={tmp_path / 'missing.json'}", str(snippet)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 4
    assert "standard library symbols are missing" in result.stderr


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
    text = (TEMPLATE_DIR / "PublishedPlans.pq").read_text(encoding="utf-8")
    broken = tmp_path / "PublishedPlans.pq"
    broken.write_text(text.replace("ReadableStatuses = {400, 404, 413, 422}", "x = {400"))
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


def test_checker_rejects_a_template_with_a_misspelt_library_function(
    parser_installed: None, tmp_path: Path
) -> None:
    text = (TEMPLATE_DIR / "PublishedPlans.pq").read_text(encoding="utf-8")
    assert "Json.Document(" in text
    broken = tmp_path / "PublishedPlans.pq"
    broken.write_text(text.replace("Json.Document(", "Json.Documents(", 1), encoding="utf-8")
    result = check(broken)
    assert result.returncode == 1
    assert "Cannot find the name 'Json.Documents'" in result.stdout
