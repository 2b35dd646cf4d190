"""An import killed half way and run again gives the same database as one uninterrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from closeknit.demo.mailgen import write_mbox
from faultkit import assert_same, interactions


def start_import(db: Path, mbox: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", "from closeknit.cli.main import run; run()", "--db", str(db), "import", "mail",
         str(mbox), "--me", "me@example.com"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def test_killed_import_resumes_to_the_same_database(tmp_path: Path) -> None:
    mbox = write_mbox(tmp_path / "box.mbox", 40_000, 3_000, me="me@example.com", seed=5, large_every=0)
    whole = tmp_path / "whole.db"
    proc = start_import(whole, mbox)
    assert proc.wait(timeout=600) == 0, proc.stderr.read() if proc.stderr else ""

    cut = tmp_path / "cut.db"
    proc = start_import(cut, mbox)
    deadline = time.monotonic() + 300
    while interactions(cut) == 0 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, f"the import ended before the kill: {proc.stderr.read() if proc.stderr else ''}"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = interactions(cut)
    assert 0 < partial < 40_000, f"the kill came too late to test anything ({partial} stored)"

    proc = start_import(cut, mbox)
    assert proc.wait(timeout=600) == 0, proc.stderr.read() if proc.stderr else ""
    assert_same(whole, cut, "one uninterrupted run (derived tables and the review queue included)")
