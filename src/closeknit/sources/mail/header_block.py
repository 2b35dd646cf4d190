"""One message's header block: bytes to text, and the wanted headers by name."""

from __future__ import annotations

import codecs
import re

MAX_HEADER = 1 << 20  # a header block longer than this is cut here
HEADER_CUT = f"header block longer than {MAX_HEADER >> 20} MB: read up to there"

# Header names read; everything else in the block is skipped by the regex engine.
_WANTED = (
    "from|sender|to|cc|bcc|date|message-id|in-reply-to|references|subject|list-id|list-unsubscribe|"
    "precedence|auto-submitted|x-from|x-to|x-cc|x-bcc|x-gmail-labels|return-path"
)
_HEADER_RE = re.compile(rf"\n({_WANTED}):([^\n]*(?:\n[ \t][^\n]*)*)", re.I)
_HEADER_LOW_RE = re.compile(rf"\n({_WANTED}):([^\n]*(?:\n[ \t][^\n]*)*)")  # on lowercased text: faster
_FIRST_LINE_RE = re.compile(r"[!-9;-~]+[ \t]*:")
_LIST_HEADERS = frozenset(("to", "cc", "bcc", "x-to", "x-cc", "x-bcc"))


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


def _decode_block(header: bytes) -> str:
    """Header bytes as text: UTF-8, else cp1252, else latin-1; CRLF made LF."""
    try:
        text = header.decode("utf-8")
    except UnicodeDecodeError:  # line by line: one header in Latin-1 must not garble the UTF-8 ones
        text = "\n".join(map(_decode_line, header.split(b"\n")))
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text


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
