"""Shared by the tests: the real-data folder beside the checkout, the mutation of seed files."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import strategies as st

pytest_plugins = ["webkit"]  # the web tests' fixtures: a demo database, the served app, a browser

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = (ROOT.parent / "shared" / "data").resolve()
# Commands the tests start in a subprocess import this checkout's sources, not whatever is installed.
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))


def shared(*parts: str) -> Path:
    """Path inside ../shared/data, skipping the test when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path} is absent (clone ../shared beside the project)")
    return path


@pytest.fixture
def shared_data() -> Path:
    return shared()


def mutate(draw: st.DrawFn, data: bytes, tokens: Sequence[str]) -> bytes:
    """`data` with a few byte flips, deletions, insertions of bytes or tokens, duplications or a cut."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(out)))
        action = draw(st.sampled_from(["flip", "delete", "insert", "token", "duplicate", "cut"]))
        if action == "flip" and at < len(out):
            out[at] = draw(st.integers(0, 255))
        elif action == "delete":
            del out[at : at + draw(st.integers(1, 40))]
        elif action == "insert":
            out[at:at] = draw(st.binary(min_size=1, max_size=12))
        elif action == "token":
            out[at:at] = draw(st.sampled_from(tokens)).encode("utf-8")
        elif action == "duplicate":
            size = draw(st.integers(1, 200))
            out[at:at] = out[at : at + size]
        elif action == "cut":
            del out[at:]
    return bytes(out)
