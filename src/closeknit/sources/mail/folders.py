"""Find mail files in a tree (mbox, maildir, .eml) and name the folder each message sits in."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from closeknit.sources.mail.compression import _strip_compression
from closeknit.sources.mail.kinds import _file_kind

_MESSAGE_SUFFIXES = (".eml", ".emlx")
_MBOX_SUFFIXES = (".mbox", ".mbx", ".mbs")
_NUMBERED_FILE = re.compile(r"^\d+\.?$")
_MAILDIR_STAMP = re.compile(r"^(\d{9,10})\.")
_NATURAL = re.compile(r"(\d+)")

# Folder names that sit directly under a mailbox owner's root (Enron/CMU layout, common clients).
_KNOWN_FOLDERS = frozenset(
    (
        "inbox", "sent", "sent_items", "sent items", "sent mail", "sent messages", "_sent_mail",
        "sent-mail", "outbox", "drafts", "draft", "trash", "deleted_items", "deleted items",
        "deleted messages", "junk", "spam", "archive", "archives", "all_documents", "all mail",
        "notes_inbox", "discussion_threads", "calendar", "contacts", "to_do",
    )
)  # fmt: skip


def _natural_key(name: str) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in _NATURAL.split(name) if part)


def _dir_has_mail(root: Path, budget: int = 40) -> bool:
    """Cheap check: look at a few files breadth-first for mail."""
    queue = [root]
    looked = 0
    while queue and looked < budget:
        folder = queue.pop(0)
        if (folder / "cur").is_dir() or (folder / "new").is_dir():
            return True
        try:
            entries = sorted(os.scandir(folder), key=lambda e: _natural_key(e.name))
        except OSError:
            continue
        files_here = 0
        for entry in entries:
            if entry.name.startswith(".") and not entry.is_dir():
                continue
            if entry.is_dir(follow_symlinks=False):
                queue.append(Path(entry.path))
            elif entry.is_file() and files_here < 3:
                files_here += 1
                looked += 1
                if _file_kind(Path(entry.path)) is not None:
                    return True
                if looked >= budget:
                    break
    return False


def _walk(root: Path) -> Iterator[Path]:
    """Files under root in natural sorted order, skipping hidden files and maildir tmp/ folders."""
    try:
        entries = sorted(os.scandir(root), key=lambda e: _natural_key(e.name))
    except OSError:
        return
    is_maildir = any(e.name in ("cur", "new") and e.is_dir() for e in entries)
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                if is_maildir and entry.name == "tmp":
                    continue
                yield from _walk(Path(entry.path))
            elif entry.is_file() and not entry.name.startswith("."):
                yield Path(entry.path)
        except OSError:
            continue


def _mbox_folder(path: Path, root: Path) -> str:
    name = _strip_compression(path.name)
    lower = name.lower()
    for suffix in _MBOX_SUFFIXES:
        if lower.endswith(suffix):
            name = name[: -len(suffix)]
            break
    parent = path.parent
    if name.lower() in ("mbox", "") and parent.name.lower().endswith(".mbox"):  # Apple Mail
        name = parent.name[:-5]
        parent = parent.parent
    parts = [name]
    while parent.name.lower().endswith(".sbd") and parent != root:  # Thunderbird subfolders
        parts.insert(0, parent.name[:-4])
        parent = parent.parent
    return "/".join(parts)


def _message_folder(path: Path, root: Path) -> str:
    folder = path.parent
    if folder.name in ("cur", "new", "tmp"):
        mdir = folder.parent
        try:
            parts = list(mdir.relative_to(root).parts)
        except ValueError:
            parts = []
        if not parts:
            name = mdir.name
            if name.startswith(".") and len(name) > 1:
                return name[1:].replace(".", "/")
            if name.lower() in ("maildir", "mail", "inbox") or any(
                p.name.startswith(".") and p.is_dir() for p in _safe_iterdir(mdir)
            ):
                return "inbox"
            return name
        return "/".join(p[1:].replace(".", "/") if p.startswith(".") else p for p in parts)
    for p in (folder, *folder.parents):  # Apple Mail .emlx under Foo.mbox/.../Messages
        if p.name.lower().endswith(".mbox"):
            return p.name[:-5]
    owner = _owner_root(folder, root)
    try:
        rel = folder.relative_to(owner).parts
    except ValueError:
        rel = ()
    return "/".join(rel) if rel else folder.name


def _safe_iterdir(path: Path) -> list[Path]:
    try:
        return list(path.iterdir())
    except OSError:
        return []


def _owner_root(folder: Path, root: Path) -> Path:
    """The highest folder between root and `folder` that holds a well-known mail folder name."""
    chain: list[Path] = []
    p = folder
    while True:
        chain.append(p)
        if p == root or p.parent == p:
            break
        p = p.parent
    if chain[-1] != root:  # not under root: the folder's parent is the owner
        return folder.parent
    for candidate in reversed(chain[1:]):  # from root downwards, excluding the folder itself
        names = {c.name.lower() for c in _safe_iterdir(candidate) if c.is_dir()}
        if names & _KNOWN_FOLDERS:
            return candidate
    return root if folder != root else folder.parent


# --------------------------------------------------------------------------- reading messages


def _delivery_time(path: Path) -> datetime | None:
    """Maildir delivery time from the file name."""
    if path.parent.name in ("cur", "new"):
        m = _MAILDIR_STAMP.match(path.name)
        if m:
            return datetime.fromtimestamp(int(m.group(1)), UTC)
    return None


def _modified(path: Path) -> datetime | None:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except (OSError, OverflowError, ValueError):
        return None


class FileClock:
    """Whether the message files' modification times can date a message without a usable Date header: in a
    folder copied or restored at once they all say when that was. Decided on the first messages that have
    both (a modification time from 2 days before to 30 days after the Date agrees)."""

    SAMPLE = 20

    def __init__(self) -> None:
        self.agree = 0
        self.disagree = 0

    @property
    def decided(self) -> bool:
        return self.agree + self.disagree >= self.SAMPLE

    @property
    def trusted(self) -> bool:
        return self.agree >= self.disagree  # no evidence either way: trusted, as a lone .eml's time is

    def compare(self, path: Path, when: datetime) -> None:
        modified = _modified(path)
        if modified is None or self.decided:
            return
        if -2 * 86400 <= (modified - when).total_seconds() <= 30 * 86400:
            self.agree += 1
        else:
            self.disagree += 1
