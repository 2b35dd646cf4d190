"""Tell an mbox from a single message (or neither) by a file's first bytes."""

from __future__ import annotations

from pathlib import Path

from closeknit.sources.mail.compression import _peek
from closeknit.sources.mail.header_block import _FIRST_LINE_RE

_MAIL_HEADER_NAMES = frozenset(
    (
        "message-id", "from", "received", "return-path", "date", "to", "subject", "delivered-to",
        "mime-version", "sender", "x-mailer", "reply-to", "cc", "content-type", "x-gmail-labels",
        "in-reply-to", "references", "x-from", "x-to",
    )
)  # fmt: skip


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
