"""Shared by the benchmarks: run one measured phase in a fresh process and read its peak memory."""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB.

    Read from /proc (VmHWM): on Linux, getrusage's ru_maxrss carries the peak of the process that
    started this one across fork and exec, so a phase started by a large benchmark process would
    report that process's memory as its own.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def parser_peak_mb() -> float:
    """The peak resident memory of the largest child process ended so far (an importer's parser
    process), in MB. It counts the pages it still shares with the process that forked it."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run_phase(script: str, name: str, *args: str) -> dict[str, float]:
    """Run `script --phase name args...` in a new process; it prints one JSON line of results."""
    out = subprocess.run([sys.executable, script, "--phase", name, *args], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def arguments(doc: str, sizes: str, help_sizes: str) -> argparse.ArgumentParser:
    """The options every benchmark takes: --sizes, and the hidden ones a phase process is started with."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--sizes", default=sizes, help=help_sizes)
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    ap.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    return ap


def run_requested_phase(opts: argparse.Namespace, phases: dict[str, Callable[..., dict[str, Any]]]) -> bool:
    """In a process started for one phase: run it on its path arguments, print its JSON line, return True."""
    if not opts.phase:
        return False
    print(json.dumps(phases[opts.phase](*map(Path, opts.args))))
    return True
