"""Read mail headers fast (mbox, compressed mbox, maildir, .eml trees) into interaction records."""

from __future__ import annotations

import bz2
import codecs
import gzip
import lzma
import os
import re
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from email.utils import getaddresses, parsedate_tz
from operator import itemgetter
from pathlib import Path
from typing import BinaryIO, TypeVar

from closeknit.errors import InputError
from closeknit.records import InteractionItem, InteractionRecord, Party, RecordError, content_hash
from closeknit.sources import walk

SOURCE = "mail"
CHANNEL = "email"
RAW_LIMIT = 64 * 1024  # characters of header text kept in `raw`
MAX_HEADER = 1 << 20  # a header block longer than this is cut here
BULK_RECIPIENTS = 25  # more recipients than this makes a message bulk
HEADER_CUT = f"header block longer than {MAX_HEADER >> 20} MB: read up to there"
MAX_RECIPIENTS = 100  # more than this and the recipients are a mailing, not people: only their count is kept
_CHUNK = 1 << 20
_HEAD_PEEK = 8192

_GZ_MAGIC = b"\x1f\x8b"
_BZ2_MAGIC = b"BZh"
_XZ_MAGIC = b"\xfd7zXZ\x00"
_COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz", ".lzma")
_MESSAGE_SUFFIXES = (".eml", ".emlx")
_MBOX_SUFFIXES = (".mbox", ".mbx", ".mbs")
_READ_ERRORS = (OSError, EOFError, lzma.LZMAError, zlib.error, ValueError)

# Header names read; everything else in the block is skipped by the regex engine.
_WANTED = (
    "from|sender|to|cc|bcc|date|message-id|in-reply-to|references|subject|list-id|list-unsubscribe|"
    "precedence|auto-submitted|x-from|x-to|x-cc|x-bcc|x-gmail-labels|return-path"
)
_HEADER_RE = re.compile(rf"\n({_WANTED}):([^\n]*(?:\n[ \t][^\n]*)*)", re.I)
_HEADER_LOW_RE = re.compile(rf"\n({_WANTED}):([^\n]*(?:\n[ \t][^\n]*)*)")  # on lowercased text: faster
_RECEIVED_RE = re.compile(r"\nreceived:([^\n]*(?:\n[ \t][^\n]*)*)", re.I)  # read only when Date fails
_FIRST_LINE_RE = re.compile(r"[!-9;-~]+[ \t]*:")
_LIST_HEADERS = frozenset(("to", "cc", "bcc", "x-to", "x-cc", "x-bcc"))
_MAIL_HEADER_NAMES = frozenset(
    (
        "message-id", "from", "received", "return-path", "date", "to", "subject", "delivered-to",
        "mime-version", "sender", "x-mailer", "reply-to", "cc", "content-type", "x-gmail-labels",
        "in-reply-to", "references", "x-from", "x-to",
    )
)  # fmt: skip

_SECOND = itemgetter(1)
_ID_RE = re.compile(r"<([^<>]*)>")
_COMPLEX_ADDR = re.compile(r'["()\\;:]')
# One address in a simple list: `Name <a@b>` or `a@b`, no quotes, comments or groups.
_ADDR_PART = r'[^\s,<>"()\\;:@]+'
_SIMPLE_ITEM = rf'\s*(?:([^,<>"()\\;:]*?)\s*<({_ADDR_PART}@{_ADDR_PART})>|({_ADDR_PART}@{_ADDR_PART}))\s*'
_SIMPLE_LIST = re.compile(rf"(?:(?>{_SIMPLE_ITEM}),)*+(?>{_SIMPLE_ITEM}),?\s*")  # atomic: no backtracking
_SIMPLE_ITEMS = re.compile(rf"{_SIMPLE_ITEM}(?:,|$)")
_XNAME_SPLIT = re.compile(r'(?:"[^"]*"|<[^>]*>|[^,])+')
_XNAME_JUNK = re.compile(r"<[^>]*>|\s@\s*\w+\s*$|^\s*@\s*\w+\s*$")
_GMAIL_LABEL = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|([^,]*))\s*(?:,|$)')
_NOREPLY_LOCAL = re.compile(
    r"(?:^|[-_.+=])(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer[-_.]?daemon|postmaster|newsletters?|"
    r"notifications?|notify|bounces?)(?:$|[-_.+=])"
)
_BOUNCE_LOCAL = re.compile(r"(?:^|[-_.+=])(?:bounces?|bnc|return|mailer[-_.]?daemon)(?:$|[-_.+=\d])")
_NUMBERED_FILE = re.compile(r"^\d+\.?$")
_MAILDIR_STAMP = re.compile(r"^(\d{9,10})\.")
_NATURAL = re.compile(r"(\d+)")

_MONTHS = {
    m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)
}
# Named zones as seen in mail (RFC 822's plus common ones); minutes east of UTC.
_ZONES = {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "BST": 60, "IST": 330, "WEST": 60, "CET": 60,
    "MET": 60, "MEZ": 60, "CEST": 120, "MEST": 120, "MESZ": 120, "EET": 120, "EEST": 180, "MSK": 180,
    "MSD": 240, "AST": -240, "ADT": -180, "EST": -300, "EDT": -240, "CST": -360, "CDT": -300,
    "MST": -420, "MDT": -360, "PST": -480, "PDT": -420, "AKST": -540, "AKDT": -480, "HST": -600,
    "NZST": 720, "NZDT": 780, "AEST": 600, "AEDT": 660, "ACST": 570, "ACDT": 630, "AWST": 480,
    "JST": 540, "KST": 540, "HKT": 480, "SGT": 480, "CCT": 480, "PHT": 480, "WIB": 420, "ICT": 420,
    "NST": -210, "NDT": -150, "BRT": -180, "ART": -180, "SAST": 120, "CAT": 120, "EAT": 180,
}  # fmt: skip
_DATE_RE = re.compile(
    r"\s*(?:[A-Za-z]+\s*,?\s*)?(\d{1,2})[\s-]+([A-Za-z]{3})[A-Za-z]*\.?[\s-]+(\d{2,4})\s*,?\s+"
    r"(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?(?:\.\d+)?\s*(?:([+-])\s*(\d{2}):?(\d{2})\b|([A-Za-z]{1,5})\b)?"
    r"(?:\s*([+-])(\d{1,2})(?::?(\d{2}))?\b)?"
)
# asctime-like: "Mon Apr 18 14:23:23 2022" (mbox separators, some clients' Date headers).
_ASCTIME_RE = re.compile(
    r"(?:[A-Za-z]{3},?\s+)?([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s+"
    r"(?:([+-]\d{4}|[A-Za-z]{1,5})\s+)?(\d{4})(?:\s+([+-]\d{4}|[A-Za-z]{1,5}))?"
)
# "Tuesday, May 15, 2001 2:30 PM", "May 15 2001 14:30:00 -0400"
_MONTH_FIRST_RE = re.compile(
    r"\s*(?:[A-Za-z]+,?\s+)?([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4}),?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"\s*([AaPp][Mm])?\s*([+-]\d{4}|[A-Za-z]{1,5}\b)?"
)
_ISO_RE = re.compile(
    r"\s*(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$"
)
_MIN_YEAR = 1971
_OFFSETS: dict[int, timedelta] = {}
_ADDR_CACHE: dict[str, tuple[tuple[str, str], ...]] = {}
_CACHED_VALUE_MAX = 200  # characters: longer header values are not cached
_ADDR_CACHE_MAX = 50_000  # entries per cache; each cache is emptied when full (memory stays bounded)
K = TypeVar("K")
V = TypeVar("V")


def _remember(cache: dict[K, V], key: K, value: V, limit: int = _ADDR_CACHE_MAX) -> None:
    """Keep `value` in a bounded cache: a full cache is emptied first."""
    if len(cache) >= limit:
        cache.clear()
    cache[key] = value
_WORD_CACHE: dict[str, str] = {}

# Folder names that sit directly under a mailbox owner's root (Enron/CMU layout, common clients).
_KNOWN_FOLDERS = frozenset(
    (
        "inbox", "sent", "sent_items", "sent items", "sent mail", "sent messages", "_sent_mail",
        "sent-mail", "outbox", "drafts", "draft", "trash", "deleted_items", "deleted items",
        "deleted messages", "junk", "spam", "archive", "archives", "all_documents", "all mail",
        "notes_inbox", "discussion_threads", "calendar", "contacts", "to_do",
    )
)  # fmt: skip


# --------------------------------------------------------------------------- public API


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
    _refresh_clock()
    if p.is_dir():
        return _parse_tree(p, counters)
    handle = _open(p)  # InputError now, not at the first next()
    return _parse_one(p, handle, p.parent, None, counters, {})


# --------------------------------------------------------------------------- files and folders


def _strip_compression(name: str) -> str:
    for suffix in _COMPRESSED_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _open(path: Path) -> BinaryIO:
    """Open a file for binary reading, decompressing gzip/bzip2/xz by their magic bytes."""
    try:
        raw = open(path, "rb")  # noqa: SIM115
    except OSError as exc:
        raise InputError(f"cannot read mail file {path}: {exc.strerror or type(exc).__name__}") from None
    try:
        magic = raw.read(6)
        raw.seek(0)
    except OSError as exc:
        raw.close()
        raise InputError(f"cannot read mail file {path}: {exc.strerror or type(exc).__name__}") from None
    if magic.startswith(_GZ_MAGIC):
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if magic.startswith(_BZ2_MAGIC):
        return bz2.BZ2File(raw, "rb")  # type: ignore[return-value]
    if magic.startswith(_XZ_MAGIC):
        return lzma.LZMAFile(raw, "rb")  # type: ignore[return-value]
    return raw


def _close(handle: BinaryIO) -> None:
    inner = getattr(handle, "fileobj", None) or getattr(handle, "_fp", None)
    try:
        handle.close()
        if inner is not None and hasattr(inner, "close"):
            inner.close()
    except Exception:  # closing must never fail an import
        pass


def _peek(path: Path, size: int = _HEAD_PEEK) -> bytes:
    """The first bytes of a file (decompressed); b"" when unreadable."""
    try:
        handle = _open(path)
    except InputError:
        return b""
    try:
        return handle.read(size)
    except _READ_ERRORS:
        return b""
    finally:
        _close(handle)


def _skip_preamble(head: bytes) -> bytes:
    """Drop a UTF-8 BOM and leading blank lines."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head.lstrip(b"\r\n")


def _kind_of_head(head: bytes) -> str | None:
    """'mbox', 'message' or None for the first bytes of a file."""
    head = _skip_preamble(head)
    if not head:
        return None
    if head.startswith(b"From "):
        return "mbox"
    first, _, rest = head.partition(b"\n")
    if first.strip().isdigit() and rest:  # Apple Mail .emlx: a byte count, then the message
        head = rest
    if b"\x00" in head[:2048]:
        return None
    text = head[:4096].decode("latin-1")
    end = text.find("\n\n")
    block = text if end < 0 else text[:end]
    lines = block.replace("\r\n", "\n").split("\n")
    if not lines or not _FIRST_LINE_RE.match(lines[0]):
        return None
    names = {line.split(":", 1)[0].strip().lower() for line in lines[:60] if ":" in line and line[:1] not in " \t"}
    return "message" if names & _MAIL_HEADER_NAMES else None


def _file_kind(path: Path) -> str | None:
    return _kind_of_head(_peek(path))


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


def _parse_tree(root: Path, stats: dict[str, int]) -> Iterator[InteractionItem]:
    folders: dict[Path, str] = {}
    for path in _walk(root):
        if walk.has_bad_name(path):  # named escaped; its text could not be stored under its name
            yield _error(walk.shown(path), 0, walk.BAD_NAME, "", stats)
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
            yield _error(str(path), 0, str(exc), "", stats)
            continue
        yield from _parse_one(path, handle, root, kind, stats, folders)


def _parse_one(
    path: Path,
    handle: BinaryIO,
    root: Path,
    kind: str | None,
    stats: dict[str, int],
    folders: dict[Path, str],
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
            yield _message_file(path, handle, folder, stats)
    finally:
        _close(handle)


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


def _message_file(path: Path, handle: BinaryIO, folder: str, stats: dict[str, int]) -> InteractionItem:
    """One message from a single-message file (.eml, maildir, numbered CMU file)."""
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
    return _build(file, 1, header, folder, complete, None, path, stats)


def _header_end(data: bytes, start: int) -> int:
    """Index of the newline ending the header block (start - 1: no headers), or -2 when not found."""
    if data.startswith((b"\n", b"\r\n"), start):
        return start - 1
    lf = data.find(b"\n\n", start)
    crlf = data.find(b"\n\r\n", start, lf if lf >= 0 else len(data))
    if crlf >= 0:
        return crlf
    return lf if lf >= 0 else -2


def _file_time(path: Path) -> tuple[datetime, str] | None:
    """Maildir delivery time from the file name, else the file's modification time."""
    if path.parent.name in ("cur", "new"):
        m = _MAILDIR_STAMP.match(path.name)
        if m:
            return datetime.fromtimestamp(int(m.group(1)), UTC), "used maildir delivery time"
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC), "used file modification time"
    except (OSError, OverflowError, ValueError):
        return None


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


def _separator_date(sep: bytes) -> datetime | None:
    """The date on an mbox 'From ' line (asctime, optionally with a zone), as UTC."""
    m = _ASCTIME_RE.search(sep.decode("latin-1"))
    if not m:
        return None
    month = _MONTHS.get(m.group(1).lower())
    if month is None:
        return None
    zone = m.group(6) or m.group(8)
    offset = (_zone_offset(zone) or 0) if zone else 0
    try:
        when = datetime(
            int(m.group(7)), month, int(m.group(2)), int(m.group(3)), int(m.group(4)),
            min(int(m.group(5) or 0), 59), tzinfo=UTC,
        )  # fmt: skip
        return when - _offset(offset)
    except (ValueError, OverflowError):
        return None


# --------------------------------------------------------------------------- one header block


def _latin1_for_undefined(exc: UnicodeError) -> tuple[str, int]:
    """cp1252 leaves five bytes undefined: read those as latin-1."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start : exc.end].decode("latin-1"), exc.end


def _decode_line(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("cp1252", _LATIN1_FALLBACK)


_LATIN1_FALLBACK = "closeknit-cp1252-latin1"
codecs.register_error(_LATIN1_FALLBACK, _latin1_for_undefined)

_NEEDS_SEPARATOR = "needs the mbox separator date"  # a placeholder flag, compared by identity


def _decode_block(header: bytes) -> str:
    """Header bytes as text: UTF-8, else cp1252, else latin-1; CRLF made LF."""
    try:
        text = header.decode("utf-8")
    except UnicodeDecodeError:  # line by line: one header in Latin-1 must not garble the UTF-8 ones
        text = "\n".join(map(_decode_line, header.split(b"\n")))
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text


def _error(file: str, record: int, reason: str, raw: str, stats: dict[str, int]) -> RecordError:
    stats["messages"] = stats.get("messages", 0) + 1
    stats["rejected"] = stats.get("rejected", 0) + 1
    _count(stats, "reason:" + reason.split(":")[0])
    return RecordError(file, record, reason, raw[:RAW_LIMIT])


def _count(stats: dict[str, int], key: str) -> None:
    stats[key] = stats.get(key, 0) + 1


def _why(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _build(
    file: str,
    number: int,
    header: bytes,
    folder: str,
    complete: bool,
    mbox: _MboxReader | None,
    fallback: Path | None,
    stats: dict[str, int],
) -> InteractionItem:
    """Turn one header block into a record, or a RecordError saying why not.

    `fallback` is the single-message file whose name (maildir) or mtime dates a message that
    has no usable Date header.
    """
    text = _decode_block(header)
    if not text or text.isspace():
        return _error(file, number, "no header lines" if complete else "message cut before its headers", "", stats)
    if "\x00" in text:
        return _error(file, number, "binary data (NUL bytes) in the header block", text, stats)
    if not _FIRST_LINE_RE.match(text):
        return _error(file, number, "does not start with a header line", text, stats)
    try:
        record = _record(file, number, text, folder, complete, mbox, fallback, stats)
    except Exception as exc:  # one odd message must not stop an import
        return _error(file, number, f"cannot read headers: {_why(exc)}", text, stats)
    if not complete and len(header) >= MAX_HEADER and isinstance(record, InteractionRecord):
        # What was read is kept, and says it was cut: a header block that long is never a personal message.
        _count(stats, "flag:" + HEADER_CUT)
        record.bulk = f"{HEADER_CUT}; {record.bulk}" if record.bulk else HEADER_CUT
    return record


def _headers(text: str) -> dict[str, str]:
    """The wanted headers by lowercase name, values as written (folded); the first of repeated
    headers wins, except To/Cc/Bcc lines, which add up."""
    tx = "\n" + text
    low = tx.lower()
    # Usually: match the lowercased copy (faster) and slice the original. When lowering changes
    # the length (some non-ASCII), match the original without regard to case instead.
    pattern, hay = (_HEADER_LOW_RE, low) if len(low) == len(tx) else (_HEADER_RE, tx)
    h: dict[str, str] = {}
    for m in pattern.finditer(hay):
        key = m.group(1).lower()
        start, end = m.span(2)
        if key in h:
            if key in _LIST_HEADERS:
                h[key] = f"{h[key]},{tx[start:end]}"
            continue
        h[key] = tx[start:end]
    return h


def _unfold(value: str) -> str:
    if "\n" in value:
        return " ".join(part.strip() for part in value.split("\n") if part.strip())
    return value.strip()


def _record(
    file: str,
    number: int,
    text: str,
    folder: str,
    complete: bool,
    mbox: _MboxReader | None,
    fallback: Path | None,
    stats: dict[str, int],
) -> InteractionItem:
    h = _headers(text)
    frm = h.get("from")
    if frm is None or not frm.strip():
        frm = h.get("sender", "")
    msgid_raw = h.get("message-id", "")
    if not frm.strip() and not msgid_raw.strip():
        if not complete:
            return _error(file, number, "header block cut short, no From or Message-ID", text, stats)
        return _error(file, number, "no From or Message-ID header", text, stats)

    # Parties: from, to, cc, bcc; Enron's X-From/X-To/X-cc/X-bcc fill missing display names.
    parties: list[Party] = []
    from_addr = ""
    if frm:
        pairs = _addresses(frm)
        if pairs:
            from_addr = pairs[0][0]
            _add_parties(parties, pairs, "from", h.get("x-from"))
    n_from = len(parties)
    for role in ("to", "cc", "bcc"):
        value = h.get(role)
        if value:
            pairs = _addresses(value)
            if pairs:
                _add_parties(parties, pairs, role, h.get("x-" + role))
    size = len({p.address or "name:" + p.name.lower() for p in parties[n_from:]}) if len(parties) > n_from else 0
    if size > MAX_RECIPIENTS:
        del parties[n_from:]  # a mailing: its recipients are not people to add

    msgid = _first_id(msgid_raw) if msgid_raw else ""
    subject = h.get("subject", "")
    if subject:
        subject = _unfold(subject)
        if "=?" in subject:
            subject = _decode_words(subject, cache=False)

    # Date, with fallbacks: the first Received line, the mbox separator, the file.
    flag = ""
    date_value = h.get("date")
    if date_value and not date_value.isspace():
        when, flag = _parse_date(date_value)
    else:
        when, flag = None, "no Date header"
    note = ""
    if when is None:
        problem = flag
        m = _RECEIVED_RE.search("\n" + text)
        received = m.group(1) if m else ""
        semi = received.rfind(";")
        rwhen = _parse_date(_unfold(received[semi + 1 :]))[0] if semi >= 0 else None
        if rwhen is not None:
            when, flag = rwhen, f"{problem}, used Received date"
        elif mbox is not None:
            flag, note = _NEEDS_SEPARATOR, problem
        elif fallback is not None and (stamp := _file_time(fallback)) is not None:
            when, flag = stamp[0], f"{problem}, {stamp[1]}"
    elif mbox is not None and mbox.agree + mbox.disagree < 20:
        mbox.compare(when)
    if flag and flag is not _NEEDS_SEPARATOR:
        _count(stats, "flag:" + flag)

    # Threading
    irt = h.get("in-reply-to")
    in_reply_to = _first_id(irt) if irt else ""
    references: list[str] = []
    refs = h.get("references")
    if refs:
        references = [r.strip() for r in _ID_RE.findall(refs) if r.strip()] or refs.split()

    # Gmail labels replace the folder; the Sent label says the user sent it.
    direction = ""
    labels_value = h.get("x-gmail-labels")
    if labels_value:
        labels = _gmail_labels(_unfold(labels_value))
        if labels:
            folder = ",".join(labels)
            if any(label.lower() == "sent" for label in labels):
                direction = "out"

    bulk = ""
    if "list-id" in h or "list-unsubscribe" in h or "precedence" in h or "auto-submitted" in h:
        bulk = _list_bulk(h)
    if not bulk:
        if from_addr:
            cached = _SENDER_BULK.get(from_addr)
            bulk = cached if cached is not None else _sender_bulk(from_addr)
        if not bulk and size > BULK_RECIPIENTS:
            bulk = f"{size} recipients" + (", not kept as people" if size > MAX_RECIPIENTS else "")
        if not bulk and "return-path" in h:
            bulk = _return_path_bulk(h["return-path"])

    if stats is not None and mbox is None:
        stats["messages"] = stats.get("messages", 0) + 1
        stats["accepted"] = stats.get("accepted", 0) + 1
    return InteractionRecord(
        SOURCE,
        CHANNEL,
        file,
        number,
        text if len(text) <= RAW_LIMIT else text[:RAW_LIMIT],
        msgid or "sha:" + content_hash(text),
        when,
        parties,
        subject,
        flag,
        in_reply_to,
        references,
        bulk,
        folder,
        size,
        0,
        False,
        direction,
        note,
    )


def _add_parties(parties: list[Party], pairs: tuple[tuple[str, str], ...], role: str, xvalue: str | None) -> None:
    """Append one Party per address; Enron's X-From/X-To/... fill missing display names."""
    if xvalue and not all(map(_SECOND, pairs)):
        names = _xnames(xvalue, len(pairs))
        if names is not None:
            parties.extend([Party(a, n or x, role) for (a, n), x in zip(pairs, names, strict=True)])
            return
    parties.extend([Party(a, n, role) for a, n in pairs])


def _list_bulk(h: dict[str, str]) -> str:
    if "list-id" in h:
        return "List-Id"
    if "list-unsubscribe" in h:
        return "List-Unsubscribe"
    precedence = h.get("precedence", "").strip().lower()
    if precedence in ("bulk", "list", "junk"):
        return f"Precedence: {precedence}"
    auto = _unfold(h.get("auto-submitted", "")).lower()
    if auto and not auto.startswith("no"):
        return f"Auto-Submitted: {auto.split(';')[0].strip()[:40]}"
    return ""


_SENDER_BULK: dict[str, str] = {}
_RETURN_PATH_BULK: dict[str, str] = {}


def _sender_bulk(address: str) -> str:
    cached = _SENDER_BULK.get(address)
    if cached is None:
        local = address.partition("@")[0]
        cached = "no-reply sender" if local and _NOREPLY_LOCAL.search(local) else ""
        _remember(_SENDER_BULK, address, cached)
    return cached


def _return_path_bulk(value: str) -> str:
    cached = _RETURN_PATH_BULK.get(value)
    if cached is None:
        rp = _unfold(value)
        if rp in ("<>", ""):
            cached = "null Return-Path"
        else:
            local = rp.strip("<> ").partition("@")[0].lower()
            cached = "bounce-handling Return-Path" if local and _BOUNCE_LOCAL.search(local) else ""
        _remember(_RETURN_PATH_BULK, value, cached)
    return cached


def _first_id(value: str) -> str:
    """The first <id> of a Message-ID/In-Reply-To value, without the brackets."""
    value = value.strip()
    if value[:1] == "<" and value[-1:] == ">" and value.count("<") == 1:
        return value[1:-1].strip()
    value = _unfold(value)
    m = _ID_RE.search(value)
    if m and m.group(1).strip():
        return m.group(1).strip()
    return value.split()[0].strip("<>") if value else ""


# --------------------------------------------------------------------------- addresses and names


def _addresses(value: str) -> tuple[tuple[str, str], ...]:
    """(lowercased address, display name) pairs of an address-list header, cached by value."""
    cached = _ADDR_CACHE.get(value)
    if cached is not None:
        return cached
    text = _unfold(value)
    result: list[tuple[str, str]] | None = None
    if "<" not in text and not _COMPLEX_ADDR.search(text):  # bare addresses
        parts = [part.strip() for part in text.lower().split(",")]
        if all("@" in part and " " not in part and part.count("@") == 1 for part in parts if part):
            result = [(part, "") for part in parts if part]
    if result is None and _SIMPLE_LIST.fullmatch(text):
        result = [
            (addr.lower(), _decode_words(name) if "=?" in name else name) if addr else (bare.lower(), "")
            for name, addr, bare in _SIMPLE_ITEMS.findall(text)
        ]
    if result is None:
        result = []
        try:
            pairs = getaddresses([text])
        except Exception:  # a malformed list must not stop the message
            pairs = [("", part) for part in text.split(",")]
        for name, addr in pairs:
            addr = addr.strip().strip("'\"<>").strip().lower()
            if "=?" in name:
                name = _decode_words(name)
            name = " ".join(name.split()).strip("'\"").strip()
            if "@" not in addr:
                if addr and not name:
                    name = addr  # a name or X.400/X.500 string without an email address
                addr = ""
            if addr or name:
                result.append((addr, name))
    out = tuple(result)
    if len(value) <= _CACHED_VALUE_MAX:  # long lists are rarely repeated: not worth the memory
        _remember(_ADDR_CACHE, value, out)
    return out


def _xnames(value: str, count: int) -> list[str] | None:
    """Display names from an Enron X-From/X-To/X-cc header when they line up with the addresses."""
    key = (value, count)
    if key in _XNAME_CACHE:
        return _XNAME_CACHE[key]
    names = _xnames_uncached(_unfold(value), count)
    if len(value) <= _CACHED_VALUE_MAX:
        _remember(_XNAME_CACHE, key, names)
    return names


_XNAME_CACHE: dict[tuple[str, int], list[str] | None] = {}


def _xnames_uncached(value: str, count: int) -> list[str] | None:
    if count == 1:
        parts = [value]
    elif '"' in value or "<" in value:
        parts = _XNAME_SPLIT.findall(value)
    else:
        parts = value.split(",")
    if len(parts) != count:
        return None
    names = []
    for part in parts:
        name = _XNAME_JUNK.sub("", part).strip().strip("'\"").strip()
        if "=?" in name:
            name = _decode_words(name)
        if "@" in name or "/" in name:
            name = ""
        names.append(name)
    return names


def _decode_words(value: str, cache: bool = True) -> str:
    """Decode RFC 2047 encoded words; never raises. Names are cached, subjects (`cache=False`) not."""
    cached = _WORD_CACHE.get(value) if cache else None
    if cached is not None:
        return cached
    try:
        out = str(make_header(decode_header(value)))
    except Exception:  # bad charsets, broken base64: decode word by word, keep what fails
        out = _ENCODED_WORD.sub(_decode_one_word, value)
    out = " ".join(out.split())
    if cache and len(value) <= _CACHED_VALUE_MAX:
        _remember(_WORD_CACHE, value, out)
    return out


_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


def _decode_one_word(m: re.Match[str]) -> str:
    try:
        return str(make_header(decode_header(m.group(0))))
    except Exception:  # this word stays as written
        return m.group(0)


def _gmail_labels(value: str) -> list[str]:
    """Labels of an X-Gmail-Labels value: comma-separated, quoted when they hold a comma."""
    labels: list[str] = []
    if "=?" in value:
        value = _decode_words(value)
    for m in _GMAIL_LABEL.finditer(value):
        label = m.group(1) if m.group(1) is not None else m.group(2)
        label = label.replace('\\"', '"').strip()
        if label:
            labels.append(label)
        if m.end() >= len(value):
            break
    return labels


# --------------------------------------------------------------------------- dates


def _offset(minutes: int) -> timedelta:
    delta = _OFFSETS.get(minutes)
    if delta is None:
        delta = _OFFSETS[minutes] = timedelta(minutes=minutes)
    return delta


def _zone_offset(zone: str) -> int | None:
    """Minutes east of UTC for '+0200', 'CEST', ...; None when unknown."""
    if zone[:1] in "+-" and zone[1:].isdigit() and len(zone) == 5:
        minutes = int(zone[1:3]) * 60 + int(zone[3:5])
        return -minutes if zone[0] == "-" else minutes
    return _ZONES.get(zone.upper())


def _fast_zone(zone: str) -> timedelta | None:
    """The offset for a numeric or named zone as written, cached; None when unknown or impossible."""
    delta = _ZONE_CACHE.get(zone)
    if delta is None and len(_ZONE_CACHE) < 10_000:
        minutes = _zone_offset(zone)
        if minutes is None or abs(minutes) > 14 * 60 or (zone[:1] in "+-" and int(zone[3:5]) >= 60):
            return None
        delta = _ZONE_CACHE[zone] = _offset(minutes)
    return delta


_ZONE_CACHE: dict[str, timedelta] = {}


_DATE_CACHE: dict[str, tuple[datetime | None, str]] = {}


def _parse_date(value: str) -> tuple[datetime | None, str]:
    """(UTC datetime, flag) for a Date header value; (None, reason) when unusable; cached."""
    cached = _DATE_CACHE.get(value)
    if cached is None:
        cached = _parse_date_uncached(value)
        _remember(_DATE_CACHE, value, cached, _ADDR_CACHE_MAX // 2)
    return cached


def _parse_date_uncached(value: str) -> tuple[datetime | None, str]:
    # Fast path: "[Day,] DD Mon YYYY HH:MM:SS +ZZZZ [(comment)]".
    parts = value.split()
    if len(parts) >= 5:
        first = parts[0]
        if first[-1:] == "," or first.isalpha():
            del parts[0]
        if len(parts) >= 5:
            day, mon, year, hms, zone = parts[:5]
            month = _MONTHS.get(mon.lower())
            delta = _fast_zone(zone) if month else None
            if delta is not None and len(year) == 4 and hms.count(":") == 2:
                hh, mm, ss = hms.split(":")
                try:
                    y = int(year)
                    when = datetime(y, month, int(day), int(hh), int(mm), int(ss), tzinfo=UTC) - delta  # type: ignore[arg-type]
                except (ValueError, OverflowError):
                    pass
                else:
                    if y >= _MIN_YEAR and when <= _LATEST:
                        return when, ""
    return _parse_date_full(value)


def _parse_date_full(value: str) -> tuple[datetime | None, str]:
    """Broken and unusual forms: no zone, named zones, two-digit years, AM/PM, ..."""
    m = _DATE_RE.match(value)
    flag = ""
    if m:
        day, mon, year, hour, minute, second, sign, zh, zm, zname, sign2, zh2, zm2 = m.groups()
        month = _MONTHS.get(mon.lower())
        if month is None:
            return _parse_date_slow(value)
        y = int(year)
        if len(year) == 2:
            y += 2000 if y < 50 else 1900
        elif len(year) == 3:
            y += 1900
            flag = "three-digit year"
        offset: int | None
        if sign is not None:
            offset = int(zh) * 60 + int(zm)
            if sign == "-":
                offset = -offset
        elif zname is not None and zname.upper() in ("AM", "PM"):
            hour = str(int(hour) % 12 + (12 if zname.upper() == "PM" else 0))
            offset = None
            if sign2 is not None:  # "2:30 PM +0200"
                offset = int(zh2) * 60 + int(zm2 or 0)
                offset = -offset if sign2 == "-" else offset
        elif zname is not None:
            offset = _zone_offset(zname)
            if offset is not None and sign2 is not None:  # "GMT+1", "UTC-05:00"
                extra = int(zh2) * 60 + int(zm2 or 0)
                offset += -extra if sign2 == "-" else extra
            if offset is None:
                flag = f"unknown time zone {zname[:8]}, assumed UTC"
                offset = 0
        else:
            offset = None
        if offset is None:
            offset = 0
            flag = flag or "Date has no time zone, assumed UTC"
        elif abs(offset) > 14 * 60:
            flag = "impossible time zone offset, assumed UTC"
            offset = 0
        try:
            when = datetime(y, month, int(day), int(hour), int(minute), min(int(second or 0), 59), tzinfo=UTC)
            when -= _offset(offset)
        except (ValueError, OverflowError):
            return _parse_date_slow(value)
        return _plausible(when, flag)
    return _parse_date_slow(value)


def _parse_date_slow(value: str) -> tuple[datetime | None, str]:
    """Less common forms: ISO 8601, asctime, hour 24, whatever email.utils understands."""
    m = _ISO_RE.match(value)
    if m:
        year, month, day, hour, minute, second, zone = m.groups()
        flag = ""
        offset = 0
        if zone is None:
            flag = "Date has no time zone, assumed UTC"
        elif zone != "Z":
            digits = zone.replace(":", "")
            offset = (int(digits[1:3]) * 60 + int(digits[3:5])) * (-1 if digits[0] == "-" else 1)
        try:
            when = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), tzinfo=UTC)
            when -= _offset(offset)
        except (ValueError, OverflowError):
            return None, "unparseable Date header"
        return _plausible(when, flag)
    mf = _MONTH_FIRST_RE.match(value)
    if mf:
        mon, day, year, hour, minute, second, ampm, zone = mf.groups()
        month = _MONTHS.get(mon[:3].lower())
        if month is not None:
            h = int(hour)
            if ampm:
                h = h % 12 + (12 if ampm.upper() == "PM" else 0)
            minutes = _zone_offset(zone) if zone else None
            try:
                when = datetime(int(year), month, int(day), h, int(minute), int(second or 0), tzinfo=UTC)
                when -= _offset(minutes or 0)
            except (ValueError, OverflowError):
                return None, "unparseable Date header"
            return _plausible(when, "" if minutes is not None else "Date has no time zone, assumed UTC")
    a = _ASCTIME_RE.search(value)
    if a:
        stamp = _separator_date(value.encode("latin-1", "replace"))
        if stamp is not None:
            zone = a.group(6) or a.group(8)
            return _plausible(stamp, "" if zone else "Date has no time zone, assumed UTC")
    fixed = re.sub(r"\b24:(\d\d)", r"00:\1", value, count=1)
    if fixed != value:
        moved, flag = _parse_date_full(fixed)
        if moved is not None:
            return moved + timedelta(days=1), flag
    try:
        parts = parsedate_tz(value)
        if parts is not None and parts[0] >= 1000:
            y, mo, d, hh, mi, ss = parts[:6]
            guess = datetime(y, mo, d, hh, mi, min(ss, 59), tzinfo=UTC) - timedelta(seconds=parts[9] or 0)
            return _plausible(guess, "Date in an unusual form")
    except (ValueError, OverflowError, TypeError, IndexError):
        pass
    return None, "unparseable Date header"


def _refresh_clock() -> None:
    global _LATEST
    _LATEST = datetime.now(UTC) + timedelta(days=2)


_LATEST = datetime.now(UTC) + timedelta(days=2)  # a Date after this is implausible


def _plausible(when: datetime, flag: str) -> tuple[datetime | None, str]:
    if when.year < _MIN_YEAR or when > _LATEST:
        return None, f"implausible Date header (year {when.year})"
    return when, flag
