"""Fixtures of the import tests: where the shared sample schedules are."""

from __future__ import annotations

from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"


@pytest.fixture(scope="session")
def samples() -> Path:
    assert SAMPLES.is_dir(), f"sample schedules not found at {SAMPLES}"
    return SAMPLES
