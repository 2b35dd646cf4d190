"""Say why a message is bulk (a mailing list, a no-reply sender, many recipients), or not."""

from __future__ import annotations

import re

from closeknit.sources.mail.cache import _remember
from closeknit.sources.mail.header_block import _unfold

BULK_RECIPIENTS = 25  # more recipients than this makes a message bulk
MAX_RECIPIENTS = 100  # more than this and the recipients are a mailing, not people: only their count is kept
_NOREPLY_LOCAL = re.compile(
    r"(?:^|[-_.+=])(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|no[-_.]?address|mailer[-_.]?daemon|postmaster|"
    r"administrator|newsletters?|notifications?|notify|bounces?)(?:$|[-_.+=])"
)
# The subject an autoresponder gives its reply when it sets no Auto-Submitted header (Exchange's "Out of Office
# AutoReply:", Outlook's "Automatic reply:", and their translations); a person's own "Out of office on Friday" is not.
_AUTO_REPLY_SUBJECT = re.compile(
    r"\s*(?:out of office auto-?reply|automatic reply|auto-?reply|automatische antwort|r[ée]ponse automatique|"
    r"respuesta autom[áa]tica|risposta automatica)\s*:", re.I
)
_BOUNCE_LOCAL = re.compile(r"(?:^|[-_.+=])(?:bounces?|bnc|return|mailer[-_.]?daemon)(?:$|[-_.+=\d])")


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


def _bulk(h: dict[str, str], from_addr: str, size: int) -> str:
    """Why a message with these headers, sender and recipient count is bulk; "" when it is not."""
    bulk = ""
    if "list-id" in h or "list-unsubscribe" in h or "precedence" in h or "auto-submitted" in h:
        bulk = _list_bulk(h)
    if not bulk:
        if from_addr:
            cached = _SENDER_BULK.get(from_addr)
            bulk = cached if cached is not None else _sender_bulk(from_addr)
        if not bulk and "subject" in h and _AUTO_REPLY_SUBJECT.match(h["subject"]):
            bulk = "auto-reply"
        if not bulk and size > BULK_RECIPIENTS:
            bulk = f"{size} recipients" + (", not kept as people" if size > MAX_RECIPIENTS else "")
        if not bulk and "return-path" in h:
            bulk = _return_path_bulk(h["return-path"])
    return bulk
