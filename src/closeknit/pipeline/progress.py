"""Import progress: bytes read of the total the files hold, and the time left at the rate so far."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from closeknit.sources.base import Source, Yields

Progress = Callable[[int, int], None]  # (bytes done, bytes in all)
EVERY = 500  # records between two reports


def size_of(path: Path) -> int:
    """The bytes of a file, or of the files under a folder (links not followed); 0 for what cannot be read."""
    try:
        if not path.is_dir():
            return path.stat().st_size
        total = 0
        for root, _, files in os.walk(path):
            for name in files:
                try:
                    total += os.lstat(os.path.join(root, name)).st_size
                except OSError:
                    continue  # gone or unreadable: the import sets it aside
        return total
    except OSError:
        return 0


def target_size(source: Source, path: Path) -> int:
    """The bytes importing `path` as `source` reads (entries set aside are read by no parser)."""
    return 0 if source.yields == Yields.SET_ASIDE else size_of(path)


class Meter:
    """Counts an import's progress, target by target, and reports it to a `Progress` callback.

    A target's bytes are done when it ends. Within it, what its records stored so far take in the file
    counts (their raw text), or the bytes its parser process has read, when that is more and the
    parser did not read the whole target up front; never more than the target holds, and the figure
    only grows.
    """

    def __init__(self, report: Progress | None, sizes: Iterable[int]) -> None:
        self.report = report
        self.total = sum(sizes)
        self.done = 0
        self.seen = 0  # records
        self._start = 0  # bytes done before the current target
        self._size = 0  # bytes of the current target
        self._text = 0  # characters of the raw text of the current target's records so far
        self._parts = 0  # bytes read by the parsers of the current target's finished parts
        self._read = 0  # bytes read by the current part's parser

    def target(self, size: int) -> None:
        self._start, self._size, self._text, self._parts, self._read = self.done, size, 0, 0, 0

    def part_done(self) -> None:
        self._parts += self._read
        self._read = 0

    def read(self, n: int) -> None:
        """The current part's parser has read `n` bytes so far."""
        self._read = max(self._read, n)

    def record(self, raw: int) -> None:
        """One more record stored, `raw` characters of text in its file."""
        self.seen += 1
        self._text += raw
        if self.seen % EVERY == 0:
            read = self._parts + self._read
            within = max(self._text, read if read < self._size else 0)
            self.done = max(self.done, self._start + min(self._size, within))
            self.tell()

    def target_done(self) -> None:
        self.done = max(self.done, self._start + self._size)
        self.tell()

    def tell(self) -> None:
        if self.report is not None and self.total:  # files that hold nothing are read at once
            self.report(self.done, self.total)


def _bytes(n: float) -> str:
    if n < 1000:
        return f"{n:,.0f} bytes"
    for unit in ("kB", "MB", "GB"):
        n /= 1000
        if n < 1000 or unit == "GB":
            break
    return f"{n:,.1f} {unit}"


def _duration(seconds: float) -> str:
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def describe(done: int, total: int | None, elapsed: float, in_bytes: bool = False) -> str:
    """The progress line: "3.1 MB of 12.0 MB · 26% · about 40 s left" (a count without `in_bytes`);
    without a total, only what is done. The time left is at the rate so far, once something is done."""
    amount = _bytes if in_bytes else (lambda n: f"{n:,}")
    if not total:
        return amount(done)
    line = f"{amount(done)} of {amount(total)} · {min(100, 100 * done // total)}%"
    if 0 < done < total and elapsed > 0:
        line += f" · about {_duration(elapsed * (total - done) / done)} left"
    return line
