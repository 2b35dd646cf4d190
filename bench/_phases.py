"""Shared by the benchmarks: run one measured phase in a fresh process and read its peak memory."""

from __future__ import annotations

import json
import resource
import subprocess
import sys


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_phase(script: str, name: str, *args: str) -> dict[str, float]:
    """Run `script --phase name args...` in a new process; it prints one JSON line of results."""
    out = subprocess.run([sys.executable, script, "--phase", name, *args], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]
