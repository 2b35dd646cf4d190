"""Split an mbox into messages and read a single-message file, header blocks only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from closeknit.records import InteractionItem, InteractionRecord
from closeknit.sources.mail.compression import _READ_ERRORS
from closeknit.sources.mail.dates import _separator_date
from closeknit.sources.mail.folders import FileClock
from closeknit.sources.mail.header_block import MAX_HEADER
from closeknit.sources.mail.records import _NEEDS_FILE_TIME, _NEEDS_SEPARATOR, _build, _count, _error, _why, file_date

_CHUNK = 1 << 20


def _message_file(path: Path, handle: BinaryIO, folder: str, stats: dict[str, int],
                  clock: FileClock | None = None) -> InteractionItem:
    """One message from a single-message file (.eml, maildir, numbered CMU file); `clock`: whether the file
    times of its folder tree date a message without a Date (see `FileClock`; None: they do)."""
    file = str(path)
    try:
        data = handle.read(65536)
        start = 0
        if data.startswith(b"\xef\xbb\xbf"):
            start = 3
        first_nl = data.find(b"\n", start)
        if first_nl >= 0 and data[start:first_nl].strip().isdigit() and path.name.lower().endswith(".emlx"):
            start = first_nl + 1
        if data.startswith(b"From ", start):  # an envelope line before the headers
            nl = data.find(b"\n", start)
            while nl < 0 and len(data) < MAX_HEADER:
                more = handle.read(65536)
                if not more:
                    break
                data += more
                nl = data.find(b"\n", start)
            start = nl + 1 if nl >= 0 else len(data)
        while True:
            end = _header_end(data, start)
            if end >= start - 1 or len(data) - start >= MAX_HEADER:
                break
            more = handle.read(65536)
            if not more:
                break
            data += more
    except _READ_ERRORS as exc:
        return _error(file, 1, f"cannot read file: {_why(exc)}", "", stats)
    if not data:
        return _error(file, 1, "empty file", "", stats)
    end = _header_end(data, start)
    complete = end >= start - 1
    header = data[start : end + 1] if complete else data[start : start + MAX_HEADER]
    return _build(file, 1, header, folder, complete, None, path, stats, clock)


def dated_by_files(items: Iterator[tuple[InteractionItem, Path | None]], clock: FileClock,
                   stats: dict[str, int]) -> Iterator[InteractionItem]:
    """The items of a folder tree in order, each message waiting for a file's modification time held (with
    what follows it) until `clock` decides whether those times can be trusted (or the tree ends)."""
    pending: list[tuple[InteractionItem, Path | None]] = []
    for item, path in items:
        if pending or (isinstance(item, InteractionRecord) and item.when_flagged is _NEEDS_FILE_TIME):
            pending.append((item, path))
            if not clock.decided and len(pending) < 500:
                continue
            yield from _file_times(pending, clock, stats)
            pending.clear()
            continue
        yield item
    yield from _file_times(pending, clock, stats)


def _file_times(pending: list[tuple[InteractionItem, Path | None]], clock: FileClock,
                stats: dict[str, int]) -> Iterator[InteractionItem]:
    for item, path in pending:
        if isinstance(item, InteractionRecord) and item.when_flagged is _NEEDS_FILE_TIME and path is not None:
            item.when, item.when_flagged = file_date(path, item.note or "no Date header", clock.trusted)
            item.note = ""
            _count(stats, "flag:" + item.when_flagged)
        yield item


def _header_end(data: bytes, start: int) -> int:
    """Index of the newline ending the header block (start - 1: no headers), or -2 when not found."""
    if data.startswith((b"\n", b"\r\n"), start):
        return start - 1
    lf = data.find(b"\n\n", start)
    crlf = data.find(b"\n\r\n", start, lf if lf >= 0 else len(data))
    if crlf >= 0:
        return crlf
    return lf if lf >= 0 else -2


class _MboxReader:
    """Stream an mbox: find separators and header blocks with bytes operations, skip bodies."""

    def __init__(self, path: Path, handle: BinaryIO, folder: str, stats: dict[str, int]) -> None:
        self.file = str(path)
        self.handle = handle
        self.folder = folder
        self.stats = stats
        # Whether mbox separator dates can stand in for a missing Date header: compared on the
        # first messages that have both, and whether all separator dates are the same.
        self.agree = 0
        self.disagree = 0
        self.first_sep = b""
        self.seps_identical = True
        self.count = 0
        self.sep = b""

    def records(self) -> Iterator[InteractionItem]:
        pending: list[tuple[InteractionItem, bytes]] = []  # waiting for the separator verdict
        accepted = 0
        file, folder, stats = self.file, self.folder, self.stats
        try:
            for number, sep, header, complete in self._messages():
                if number < 0:  # a read error: header holds the reason
                    pending.append((_error(file, -number, header.decode(), "", stats), b""))
                    break
                self.count = number
                self.sep = sep
                if self.seps_identical:
                    if number == 1:
                        self.first_sep = sep[-26:]
                    elif sep[-26:] != self.first_sep:
                        self.seps_identical = False
                item = _build(file, number, header, folder, complete, self, None, stats)
                if isinstance(item, InteractionRecord):
                    accepted += 1
                    if item.when_flagged is _NEEDS_SEPARATOR or pending:
                        pending.append((item, sep))
                        if self.agree + self.disagree == 0 and len(pending) < 500:
                            continue
                        yield from self._resolve(pending)
                        pending.clear()
                        continue
                elif pending:
                    pending.append((item, sep))
                    continue
                yield item
            if not self.count and not pending:
                pending.append((_error(file, 1, "no messages in the mailbox", "", stats), b""))
            yield from self._resolve(pending)
        finally:
            stats["messages"] = stats.get("messages", 0) + accepted
            stats["accepted"] = stats.get("accepted", 0) + accepted

    def _resolve(self, pending: list[tuple[InteractionItem, bytes]]) -> Iterator[InteractionItem]:
        if self.agree + self.disagree:
            trust = self.agree >= self.disagree
        else:
            trust = not (self.count >= 2 and self.seps_identical)
        for item, sep in pending:
            if isinstance(item, InteractionRecord) and item.when_flagged is _NEEDS_SEPARATOR:
                problem = item.note or "no Date header"
                item.note = ""
                when = _separator_date(sep) if trust else None
                if when is not None:
                    item.when = when
                    item.when_flagged = f"{problem}, used mbox separator date"
                else:
                    why = "mbox separator dates untrusted" if not trust else "no usable separator date"
                    item.when_flagged = f"{problem}, {why}"
                _count(self.stats, "flag:" + item.when_flagged)
            yield item

    def compare(self, when: datetime) -> None:
        """Record whether the current separator date agrees with this message's Date header."""
        sep_when = _separator_date(self.sep)
        if sep_when is None:
            return
        delta = (sep_when - when).total_seconds()
        if -2 * 86400 <= delta <= 30 * 86400:
            self.agree += 1
        else:
            self.disagree += 1

    def _messages(self) -> Iterator[tuple[int, bytes, bytes, bool]]:
        """(number, separator line, header block bytes, header complete) for each message.

        A read error yields (-number, b"", reason, False) and ends the mailbox.
        """
        handle = self.handle
        number = 0
        try:
            buf = handle.read(_CHUNK)
        except _READ_ERRORS as exc:
            yield -1, b"", f"cannot read mailbox: {_why(exc)}".encode(), False
            return
        eof = not buf
        pos = 3 if buf[:3] == b"\xef\xbb\xbf" else 0
        while pos < len(buf) and buf[pos] in b"\r\n":
            pos += 1
        try:
            while True:
                # The separator line at pos.
                nl = buf.find(b"\n", pos)
                while nl < 0 and not eof and len(buf) - pos < MAX_HEADER:
                    buf, eof = _refill(handle, buf, pos)
                    pos = 0
                    nl = buf.find(b"\n", pos)
                if pos >= len(buf) and eof:
                    return
                number += 1
                if nl < 0:
                    yield number, buf[pos : pos + 1024], b"", False
                    return
                if buf[pos : pos + 5] == b"From ":
                    sep = buf[pos : nl + 1]
                    hs = nl + 1
                else:  # text before the first separator: a message without one
                    sep = b""
                    hs = pos
                crlf = nl > 0 and buf[nl - 1] == 13
                pattern = b"\n\r\n" if crlf else b"\n\n"
                blank = b"\r\n" if crlf else b"\n"
                # The header block: up to the first blank line.
                while True:
                    if buf[hs : hs + len(blank)] == blank:
                        he = hs - 1  # no headers at all
                        break
                    he = buf.find(pattern, hs, hs + MAX_HEADER)
                    if he >= 0 or eof or len(buf) - hs >= MAX_HEADER:
                        break
                    off = hs - pos
                    buf, eof = _refill(handle, buf, pos)
                    pos, hs = 0, off
                complete = he >= 0
                header = buf[hs : he + 1] if complete else buf[hs : hs + MAX_HEADER]
                # A separator line inside the header block: that message was cut short.
                if b"From " in header and (header.startswith(b"From ") or b"\nFrom " in header):
                    cut = _separator_in(header)
                    if cut >= 0:
                        yield number, sep, header[:cut], False
                        pos = hs + cut
                        continue
                yield number, sep, header, complete
                if not complete and eof and len(header) < MAX_HEADER:  # the file ends inside the headers
                    return
                # Skip the body: the next "From " line that follows a blank line.
                s = he + len(pattern) - 1 if complete else hs + len(header)
                while True:
                    i = buf.find(b"\nFrom ", s)
                    if i >= 1:
                        if buf[i - 1] == 10 or (buf[i - 1] == 13 and i >= 2 and buf[i - 2] == 10):
                            pos = i + 1
                            break
                        s = i + 1
                        continue
                    if i == 0:
                        s = 1
                        continue
                    if eof:
                        return
                    buf, eof = _refill(handle, buf, max(s, len(buf) - 8))
                    s = 1
        except _READ_ERRORS as exc:
            yield -(number + 1), b"", f"cannot read mailbox after message {number}: {_why(exc)}".encode(), False


def _refill(handle: BinaryIO, buf: bytes, keep: int) -> tuple[bytes, bool]:
    """Drop buf[:keep] and append the next chunk; (new buffer, at end of file)."""
    chunk = handle.read(_CHUNK)
    return buf[keep:] + chunk, not chunk


_NOT_SEPARATOR = re.compile(rb"From[ \t]*:")


def _separator_in(header: bytes) -> int:
    """Offset of an mbox separator line inside a header block, or -1."""
    if header.startswith(b"From ") and not _NOT_SEPARATOR.match(header):
        return 0
    i = header.find(b"\nFrom ")
    while i >= 0:
        if not _NOT_SEPARATOR.match(header, i + 1):
            return i + 1
        i = header.find(b"\nFrom ", i + 1)
    return -1
