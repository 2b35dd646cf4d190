"""Shared fixtures: the real-data folder beside the checkout, temporary databases."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = (ROOT.parent / "shared" / "data").resolve()


def shared(*parts: str) -> Path:
    """Path inside ../shared/data, skipping the test when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path} is absent (clone ../shared beside the project)")
    return path


@pytest.fixture
def shared_data() -> Path:
    return shared()
