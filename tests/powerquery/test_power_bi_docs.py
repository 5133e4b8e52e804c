"""docs/power-bi.md explains every error the feed can answer with, and both guides cover the
messages Power BI and Excel users meet most."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from planbridge import errors

REPO = Path(__file__).resolve().parents[2]
POWER_BI = (REPO / "docs" / "power-bi.md").read_text(encoding="utf-8")
EXCEL = (REPO / "docs" / "excel.md").read_text(encoding="utf-8")

FEED_ERRORS = (
    errors.InvalidToken,
    errors.IntegrationDisabled,
    errors.ProjectSuspended,
    errors.ProjectNotFound,
    errors.InvalidParameter,
    errors.TokenInQuery,
    errors.ResponseTooLarge,
    errors.RateLimited,
)


@pytest.mark.parametrize("error", FEED_ERRORS, ids=lambda e: e.code)
def test_power_bi_guide_explains_each_feed_error(error: type[errors.PlanBridgeError]) -> None:
    assert f"`{error.code}`" in POWER_BI or f"PlanBridge.{error.code} " in POWER_BI
    assert f"HTTP {error.status}" in POWER_BI


@pytest.mark.parametrize(
    "message",
    [
        "The 'Authorization' header is only supported when connecting anonymously",
        "DataFormat.Error: We reached the end of the buffer",
        "Skip test connection",
        "Retry after",
    ],
)
def test_power_bi_guide_names_the_messages_users_meet(message: str) -> None:
    assert message in POWER_BI


def test_guides_point_at_the_templates_and_the_odata_route() -> None:
    for guide in (POWER_BI, EXCEL):
        assert "powerquery/PublishedPlans.pq" in guide
        assert "Anonymous" in guide
    assert "powerquery/PublishedPlansIncremental.pq" in POWER_BI
    assert "## OData route" in POWER_BI and "(odata.md)" in POWER_BI
    assert "(odata.md" in EXCEL


GUIDES = {
    name: path.read_text(encoding="utf-8")
    for name, path in (
        ("README.md", REPO / "README.md"),
        ("power-bi.md", REPO / "docs" / "power-bi.md"),
        ("excel.md", REPO / "docs" / "excel.md"),
        ("odata.md", REPO / "docs" / "odata.md"),
    )
}
CITED_TEST = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


@pytest.mark.parametrize("name", sorted(GUIDES))
def test_every_test_a_guide_cites_exists(name: str) -> None:
    for path, function in CITED_TEST.findall(GUIDES[name]):
        source = (REPO / path).read_text(encoding="utf-8")
        assert re.search(rf"^def {function}\(", source, re.M), f"{name}: {path}::{function}"


def test_every_mark_in_the_power_bi_guide_is_a_source_and_every_source_is_used() -> None:
    body, _, sources = POWER_BI.partition("## Sources: what is tested here")
    defined = re.findall(r"^\| ([TM]\d+) \|", sources, re.M)
    assert len(defined) == len(set(defined)) >= 10
    used = set(re.findall(r"\[([TM]\d+)\]", body))
    assert used == set(defined)
    for row in re.findall(r"^\| T\d+ \|.*$", sources, re.M):
        assert CITED_TEST.search(row), row  # a test, by name
    for row in re.findall(r"^\| M\d+ \|.*$", sources, re.M):
        assert "](https://learn.microsoft.com/" in row, row  # Microsoft's page, linked


@pytest.mark.parametrize("name", sorted(GUIDES))
def test_the_guides_agree_on_credentials_and_privacy(name: str) -> None:
    text = GUIDES[name]
    assert "**Anonymous**" in text
    assert "**Organizational**" in text
    # Nothing claims the template retries by itself: Web.Contents does (see test_retries.py).
    assert "template waits and retries" not in text
    assert "paste-your-token-here" not in text


def test_the_power_bi_guide_says_what_happens_on_throttling() -> None:
    assert "**Wait over 120 s**" in POWER_BI and "**Wait of 120 s or less**" in POWER_BI
    assert "429" in POWER_BI and "503" in POWER_BI and "Retry-After" in POWER_BI
    odata = GUIDES["odata.md"]
    assert "not verified" in odata  # scheduled refresh of OData.Feed with a custom header
