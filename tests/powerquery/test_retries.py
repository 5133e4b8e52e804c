"""Throttling and outages are left to Power Query's own retry, and the server's waits are ones it
honours.

Microsoft documents (https://learn.microsoft.com/power-query/handling-status-codes) that
``Web.Contents`` retries 408, 429, 503, 504 and 509 up to three times, waiting ``Retry-After``
seconds (delta-seconds only, 0.5 to 120) — unless the status is listed in
``ManualStatusHandling``; and that 401 and 403 raise a credential prompt, which only a custom
connector can list there. So the templates list exactly the statuses whose message they show
(400, 404, 413, 422), and every 429 and 503 PlanBridge sends carries ``Retry-After`` in whole
seconds, within 120 at the default fair-use budget.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

from planbridge.catalog.generate import COPIES, MAIN_TEMPLATE
from planbridge.db.outage import RETRY_AFTER_SECONDS
from planbridge.errors import PlanBridgeError, RateLimited
from planbridge.http_errors import database_unavailable
from planbridge.integrations import fair_use
from planbridge.oauth.basic import Outcome, refusal
from planbridge.settings import Settings
from tests.db.test_outage import _seed, _serving

SRC = Path(__file__).resolve().parents[2] / "src" / "planbridge"
TEMPLATES = (MAIN_TEMPLATE, *COPIES)
BUILT_IN_RETRY = frozenset({408, 429, 503, 504, 509})
CREDENTIAL_PROMPT = frozenset({401, 403})
READABLE = frozenset({400, 404, 413, 422})
LONGEST_HONOURED_WAIT = 120


def _code(text: str) -> str:
    """The M text without comments and string literals, so neither can fake a match."""
    text = re.sub(r'"(?:[^"]|"")*"', '""', text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def manual_status_handling(text: str) -> frozenset[int]:
    """The status list the template's single ``Web.Contents`` call passes, resolved through at
    most one named step (``ManualStatusHandling = ReadableStatuses``)."""
    code = _code(text)
    assert len(re.findall(r"\bWeb\.Contents\(", code)) == 1
    fields = re.findall(r"\bManualStatusHandling\s*=\s*([^,\]\n]+)", code)
    assert len(fields) == 1, fields
    value = fields[0].strip()
    if not value.startswith("{"):
        assert re.fullmatch(r"[A-Za-z_]\w*", value), value
        steps = re.findall(rf"^\s*{value}\s*=\s*(\{{[^}}]*\}})\s*,", code, re.M)
        assert len(steps) == 1, f"{value} must be one list of numbers"
        value = steps[0]
    items = [item.strip() for item in value.strip("{}").split(",")]
    assert all(item.isdigit() for item in items), value
    return frozenset(int(item) for item in items)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_templates_leave_retries_to_web_contents_and_show_the_rest(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    handled = manual_status_handling(text)
    assert handled == READABLE
    assert not handled & BUILT_IN_RETRY  # listing one switches its built-in retry off
    assert not handled & CREDENTIAL_PROMPT  # not allowed outside a custom connector
    code = _code(text)
    # No retry of its own: Power Query does not promise to expose Retry-After to M.
    uncommented = re.sub(r"//[^\n]*", "", text)
    assert "Retry-After" not in uncommented and "Function.InvokeAfter" not in code
    assert "IsRetry" not in code


def test_the_extraction_sees_through_comments_and_names() -> None:
    text = (
        "let\n    // ManualStatusHandling = {400}\n    Codes = {400, 429},\n"
        "    R = Web.Contents(u, [ManualStatusHandling = Codes])\nin\n    R\n"
    )
    assert manual_status_handling(text) == {400, 429}
    with pytest.raises(AssertionError):
        manual_status_handling(text.replace("Codes = {400, 429}", "Codes = Other"))


def _assert_retried_by_power_query(response, status: int) -> int:
    assert response.status_code == status, response.text
    raw = response.headers["retry-after"]
    assert raw.isdigit(), f"Retry-After must be whole seconds (delta-seconds), not {raw!r}"
    wait = int(raw)
    assert 1 <= wait <= LONGEST_HONOURED_WAIT
    assert status in BUILT_IN_RETRY
    for path in TEMPLATES:
        assert status not in manual_status_handling(path.read_text(encoding="utf-8")), path.name
    return wait


def test_a_throttled_refresh_gets_a_429_that_the_templates_leave_to_web_contents(
    make_client, make_project
) -> None:
    feed = make_project()
    client = make_client()  # the default fair-use budget
    per_hour = Settings.model_fields["feed_requests_per_hour"].default
    for _ in range(per_hour):
        assert client.get(feed.url, headers=feed.auth).status_code == 200
    wait = _assert_retried_by_power_query(client.get(feed.url, headers=feed.auth), 429)
    assert wait <= 3600 / per_hour


def test_an_outage_gets_a_503_that_the_templates_leave_to_web_contents(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    served = _seed(f"sqlite:///{path}")
    with _serving(f"sqlite:///file:{path}?mode=ro&uri=true") as client:
        response = client.get(served.feed, headers=served.auth)
    assert _assert_retried_by_power_query(response, 503) == RETRY_AFTER_SECONDS


def _longest_fair_use_wait(db, project_id: int, per_hour: int) -> int:
    """Spend the budget at once, then ask at several moments: the longest Retry-After."""
    now = 1_000_000.0
    longest = 0
    with db.transaction() as session:
        for _ in range(per_hour):
            fair_use.consume(session, project_id, per_hour, now)
        for offset in (0.0, 0.4, 1.0, 7.5, 29.9):
            with pytest.raises(RateLimited) as refused:
                fair_use.consume(session, project_id, per_hour, now + offset)
            raw = refused.value.headers["Retry-After"]
            assert raw.isdigit()
            longest = max(longest, int(raw))
    return longest


def test_fair_use_waits_stay_within_what_power_query_honours_at_the_default_budget(
    db, make_project
) -> None:
    default = Settings.model_fields["feed_requests_per_hour"].default
    assert _longest_fair_use_wait(db, make_project().project.id, default) <= 30
    # 30 an hour is the lowest budget whose waits stay within 120 s; below it they do not
    # (docs/power-bi.md says what happens then).
    assert _longest_fair_use_wait(db, make_project().project.id, 30) == 120
    assert _longest_fair_use_wait(db, make_project().project.id, 29) > LONGEST_HONOURED_WAIT


def test_every_429_and_503_error_carries_whole_seconds() -> None:
    errors: list[PlanBridgeError] = [
        refusal(Outcome(retry_minutes=1)),  # sign-in throttle (token exchange)
        refusal(Outcome(retry_minutes=15)),
        *(database_unavailable(reason) for reason in ("busy", "read_only", "unreachable")),
    ]
    for error in errors:
        assert error.status in (429, 503)
        assert error.headers["Retry-After"].isdigit(), error


@functools.cache
def _calls() -> tuple[tuple[Path, ast.Call], ...]:
    found = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                found.append((path, node))
    return tuple(found)


def _constructions(name: str) -> list[tuple[Path, ast.Call]]:
    return [(path, call) for path, call in _calls() if getattr(call.func, "id", None) == name]


@pytest.mark.parametrize("name", ["RateLimited", "DatabaseUnavailable"])
def test_every_429_and_503_the_code_raises_sets_retry_after(name: str) -> None:
    """Each place that builds a 429 or 503 error passes a Retry-After header (the cases above
    and in tests/feeds, tests/db and tests/oauth check its value)."""
    sites = _constructions(name)
    assert sites, name
    for path, call in sites:
        headers = {k.arg: k.value for k in call.keywords}.get("headers")
        assert isinstance(headers, ast.Dict), f"{path.name}:{call.lineno}: no headers="
        keys = [k.value for k in headers.keys if isinstance(k, ast.Constant)]
        assert "Retry-After" in keys, f"{path.name}:{call.lineno}: no Retry-After"
