"""docs/power-bi.md explains every error the feed can answer with, and both guides cover the
messages Power BI and Excel users meet most."""

from __future__ import annotations

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
