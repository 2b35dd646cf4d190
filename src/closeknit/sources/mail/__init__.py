"""Read mail headers fast (mbox, compressed mbox, maildir, .eml trees) into interaction records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from closeknit.errors import InputError
from closeknit.records import InteractionItem
from closeknit.sources import registry, walk
from closeknit.sources.base import Format, Yields
from closeknit.sources.mail import dates
from closeknit.sources.mail.bulk import BULK_RECIPIENTS, MAX_RECIPIENTS
from closeknit.sources.mail.compression import _close, _open, _peek, _strip_compression
from closeknit.sources.mail.dates import _parse_date as _parse_date  # the tests read dates through it
from closeknit.sources.mail.folders import (
    _MBOX_SUFFIXES,
    _MESSAGE_SUFFIXES,
    _NUMBERED_FILE,
    FileClock,
    _dir_has_mail,
    _mbox_folder,
    _message_folder,
    _walk,
)
from closeknit.sources.mail.framing import _MboxReader, _message_file, dated_by_files
from closeknit.sources.mail.header_block import HEADER_CUT, MAX_HEADER
from closeknit.sources.mail.kinds import _file_kind, _skip_preamble
from closeknit.sources.mail.records import CHANNEL, RAW_LIMIT, SOURCE, _error

__all__ = [
    "BULK_RECIPIENTS", "CHANNEL", "HEADER_CUT", "MAX_HEADER", "MAX_RECIPIENTS", "RAW_LIMIT", "SOURCE", "parse", "sniff",
]  # fmt: skip


def sniff(path: str | Path) -> bool:
    """True for an mbox (plain or .gz/.bz2/.xz), a single RFC 822 message, a maildir, or a tree of them."""
    p = Path(path)
    try:
        if p.is_dir():
            return _dir_has_mail(p)
        if not p.is_file():
            return False
        lower = _strip_compression(p.name.lower())
        if lower.endswith(_MBOX_SUFFIXES + _MESSAGE_SUFFIXES):
            return True
        return _file_kind(p) is not None
    except OSError:
        return False


def parse(path: str | Path, *, stats: dict[str, int] | None = None) -> Iterator[InteractionItem]:
    """Yield one InteractionRecord per message (or a RecordError) from a file or a folder tree.

    Files are read in sorted order, headers only, streaming. When given, `stats` receives
    counters (added to what it holds): ``messages`` = ``accepted`` + ``rejected``, ``files``,
    ``reason:<reason>`` and ``flag:<date flag>``. Raises InputError only when a file cannot be
    opened.
    """
    p = Path(path)
    counters = stats if stats is not None else {}
    if not p.exists():
        raise InputError(f"cannot read mail {p}: no such file or folder")
    dates._refresh_clock()
    if p.is_dir():
        return _parse_tree(p, counters)
    handle = _open(p)  # InputError now, not at the first next()
    return _parse_one(p, handle, p.parent, None, counters, {})


# --------------------------------------------------------------------------- files and folders


def _parse_tree(root: Path, stats: dict[str, int]) -> Iterator[InteractionItem]:
    clock = FileClock()
    return dated_by_files(_tree_items(root, stats, clock), clock, stats)


def _tree_items(root: Path, stats: dict[str, int], clock: FileClock) -> Iterator[tuple[InteractionItem, Path | None]]:
    """Each item of the tree with the file it came from (None for an error that is no message)."""
    folders: dict[Path, str] = {}
    for path in _walk(root):
        if walk.has_bad_name(path):  # named escaped; its text could not be stored under its name
            yield _error(walk.shown(path), 0, walk.BAD_NAME, "", stats), None
            continue
        name = path.name.lower()
        parent = path.parent.name
        if parent in ("cur", "new") or _NUMBERED_FILE.match(name) or name.endswith(_MESSAGE_SUFFIXES):
            kind: str | None = "message"
        else:
            kind = _file_kind(path)
            if kind is None:
                continue
        try:
            handle = _open(path)
        except InputError as exc:  # one unreadable file in a tree must not stop the others
            yield _error(str(path), 0, str(exc), "", stats), None
            continue
        yield from ((item, path) for item in _parse_one(path, handle, root, kind, stats, folders, clock))


def _parse_one(
    path: Path,
    handle: BinaryIO,
    root: Path,
    kind: str | None,
    stats: dict[str, int],
    folders: dict[Path, str],
    clock: FileClock | None = None,
) -> Iterator[InteractionItem]:
    stats["files"] = stats.get("files", 0) + 1
    try:
        if kind is None:
            head = _peek(path, 64)
            kind = "mbox" if _skip_preamble(head).startswith(b"From ") else "message"
        if kind == "mbox":
            yield from _MboxReader(path, handle, _mbox_folder(path, root), stats).records()
        else:
            folder = folders.get(path.parent)
            if folder is None:
                folder = folders[path.parent] = _message_folder(path, root)
            yield _message_file(path, handle, folder, stats, clock)
    finally:
        _close(handle)


FORMAT = registry.register(Format(SOURCE, Yields.INTERACTIONS, sniff, parse))
