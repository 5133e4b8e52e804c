"""Routes, commands and pages translate input and output only: permission checks and audit rows
belong to the services. A role check or an audit write in api/, cli/ or web/ fails here."""

from __future__ import annotations

import re

import pytest

from tests.conftest import REPO

PACKAGE = REPO / "src" / "planbridge"
CALLERS = ("api", "cli", "web")
FORBIDDEN = {
    "an audit write": re.compile(r"\baudit\.record\b|\.audit\(|\bAuditEvent\("),
    "a role check": re.compile(
        r"\brequire_(admin|member|operator)\b|\bis_admin\(|\brole_of\(|\bis_operator\b"
        r"|[=!]=\s*Role\.|\bRole\.(admin|member)\s*(==|!=|in\b)|\.role\s*(==|!=|in\b)"
    ),
    "a permission error raised": re.compile(
        r"raise\s+(errors\.)?(NotProjectAdmin|NotProjectMember)\b"
    ),
}


def _caller_files() -> list[str]:
    return sorted(
        str(path.relative_to(PACKAGE))
        for name in CALLERS
        if (PACKAGE / name).is_dir()
        for path in (PACKAGE / name).rglob("*.py")
    )


def test_the_callers_are_where_this_test_looks():
    files = _caller_files()
    assert any(f.startswith("api/") for f in files) and any(f.startswith("cli/") for f in files)


@pytest.mark.parametrize("relative", _caller_files())
def test_no_role_check_or_audit_write_outside_the_services(relative):
    text = (PACKAGE / relative).read_text(encoding="utf-8")
    found = [
        f"{what} at line {text.count(chr(10), 0, match.start()) + 1}: {match.group(0)!r}"
        for what, pattern in FORBIDDEN.items()
        for match in pattern.finditer(text)
    ]
    assert not found, f"{relative} has {found}; move it into the service the caller uses"


@pytest.mark.parametrize(
    "line",
    [
        "caller.audit(session, 'task.create', 'x')",
        "audit.record(session, actor, 'x')",
        "projects.require_admin(session, project, actor)",
        "if caller.role != Role.admin:",
        "raise NotProjectAdmin('no')",
    ],
)
def test_the_patterns_catch_what_they_name(line):
    assert any(pattern.search(line) for pattern in FORBIDDEN.values())
