"""Turn one header block into an InteractionRecord, or a RecordError saying why not."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from closeknit.records import InteractionItem, InteractionRecord, Party, RecordError, content_hash
from closeknit.sources.mail.addresses import _add_parties, _addresses, _decode_words
from closeknit.sources.mail.bulk import MAX_RECIPIENTS, _bulk
from closeknit.sources.mail.dates import _parse_date
from closeknit.sources.mail.folders import FileClock, _delivery_time, _modified
from closeknit.sources.mail.header_block import (
    _FIRST_LINE_RE,
    HEADER_CUT,
    MAX_HEADER,
    _decode_block,
    _headers,
    _unfold,
)

if TYPE_CHECKING:
    from closeknit.sources.mail.framing import _MboxReader

SOURCE = "mail"
CHANNEL = "email"
RAW_LIMIT = 64 * 1024  # characters of header text kept in `raw`
_RECEIVED_RE = re.compile(r"\nreceived:([^\n]*(?:\n[ \t][^\n]*)*)", re.I)  # read only when Date fails
_ID_RE = re.compile(r"<([^<>]*)>")
_GMAIL_LABEL = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|([^,]*))\s*(?:,|$)')
_NEEDS_SEPARATOR = "needs the mbox separator date"  # a placeholder flag, compared by identity
_NEEDS_FILE_TIME = "needs the file's modification time"  # the same, until the file clock is decided


def file_date(path: Path, problem: str, trusted: bool) -> tuple[datetime | None, str]:
    """A message's time from its file's modification time when file times are `trusted`, and the flag that says
    so after `problem` (why the Date would not do)."""
    modified = _modified(path) if trusted else None
    if modified is None:
        return None, f"{problem}, file modification times untrusted"
    return modified, f"{problem}, used file modification time"


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
    clock: FileClock | None = None,
) -> InteractionItem:
    """Turn one header block into a record, or a RecordError saying why not.

    `fallback` is the single-message file whose name (maildir) or mtime dates a message that
    has no usable Date header; `clock` says whether the mtimes of its folder tree can (None: they can).
    """
    text = _decode_block(header)
    if not text or text.isspace():
        return _error(file, number, "no header lines" if complete else "message cut before its headers", "", stats)
    if "\x00" in text:
        return _error(file, number, "binary data (NUL bytes) in the header block", text, stats)
    if not _FIRST_LINE_RE.match(text):
        return _error(file, number, "does not start with a header line", text, stats)
    try:
        record = _record(file, number, text, folder, complete, mbox, fallback, stats, clock)
    except Exception as exc:  # one odd message must not stop an import
        return _error(file, number, f"cannot read headers: {_why(exc)}", text, stats)
    if not complete and len(header) >= MAX_HEADER and isinstance(record, InteractionRecord):
        # What was read is kept, and says it was cut: a header block that long is never a personal message.
        _count(stats, "flag:" + HEADER_CUT)
        record.bulk = f"{HEADER_CUT}; {record.bulk}" if record.bulk else HEADER_CUT
    return record


def _record(
    file: str,
    number: int,
    text: str,
    folder: str,
    complete: bool,
    mbox: _MboxReader | None,
    fallback: Path | None,
    stats: dict[str, int],
    clock: FileClock | None = None,
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
    # A Sender: other than the From: sent the message on the From's behalf (an assistant, a delegate).
    sender = _addresses(h.get("sender") or "") if from_addr else ()
    if sender and sender[0][0] and sender[0][0].lower() != from_addr.lower():
        parties.append(Party(sender[0][0], sender[0][1], "sender"))
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
        elif fallback is not None:
            if (delivered := _delivery_time(fallback)) is not None:
                when, flag = delivered, f"{problem}, used maildir delivery time"
            elif clock is not None and not clock.decided:
                flag, note = _NEEDS_FILE_TIME, problem
            else:
                when, flag = file_date(fallback, problem, clock is None or clock.trusted)
    elif mbox is not None and mbox.agree + mbox.disagree < 20:
        mbox.compare(when)
    elif fallback is not None and clock is not None:
        clock.compare(fallback, when)
    if flag and flag is not _NEEDS_SEPARATOR and flag is not _NEEDS_FILE_TIME:
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

    bulk = _bulk(h, from_addr, size)

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
