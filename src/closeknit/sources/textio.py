"""Decode text files as real exporters write them: UTF-8 (BOM or not), UTF-16, cp1252."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from pathlib import Path

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _sniff(data: bytes) -> tuple[str, int] | None:
    """(encoding, bytes of BOM to skip) when a BOM or the NUL pattern of UTF-16 tells; else None."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return enc, len(bom)
    head = data[:4000]
    # UTF-16 without BOM: every other byte is NUL for ASCII text.
    if len(head) >= 4 and head.count(0) > len(head) // 3:
        even_nuls = head[0::2].count(0)
        odd_nuls = head[1::2].count(0)
        return ("utf-16-be" if even_nuls > odd_nuls else "utf-16-le"), 0
    return None


def decode_with_codec(data: bytes) -> tuple[str, str]:
    """(text, encoding used); undecodable bytes never raise. The file is decoded once."""
    sniffed = _sniff(data)
    if sniffed:
        enc, skip = sniffed
        return data[skip:].decode(enc, errors="replace"), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        # A file cut in the middle of a multi-byte character is still UTF-8.
        if _cut_short(exc, data):
            return data.decode("utf-8", errors="replace"), "utf-8"
    # cp1252 leaves five bytes undefined; latin-1 maps every byte.
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def decode_lines(data: bytes, split: Callable[[str], list[str]], piece: int = 1 << 20) -> list[str]:
    """`split(decode(data))`, decoded a piece of about `piece` bytes at a time (cut after a line feed).

    Each line then takes the width its own characters need, rather than that of the widest
    character in the file (one emoji makes a whole decoded text 4 bytes per character).
    """
    sniffed = _sniff(data)
    skip = 0
    if sniffed:
        enc, skip = sniffed
        if enc != "utf-8":  # UTF-16 and UTF-32: a line feed byte may sit inside a character
            return split(data[skip:].decode(enc, errors="replace"))
    for enc in ("utf-8", "cp1252"):  # cp1252 leaves five bytes undefined; latin-1 maps every byte
        try:
            return _piecewise(data, skip, enc, split, piece)
        except UnicodeDecodeError:
            continue
    return _piecewise(data, skip, "latin-1", split, piece)


def _piecewise(data: bytes, start: int, enc: str, split: Callable[[str], list[str]], piece: int) -> list[str]:
    lines: list[str] = []
    with memoryview(data) as view:  # pieces decoded in place, not copied out first
        while start < len(data):
            cut = data.find(b"\n", start + piece)
            end = len(data) if cut < 0 else cut + 1
            chunk = view[start:end]
            try:
                lines += split(str(chunk, enc))
            except UnicodeDecodeError as exc:
                # A file cut in the middle of a multi-byte character is still UTF-8.
                if enc != "utf-8" or end < len(data) or not _cut_short(exc, chunk):
                    raise
                lines += split(str(chunk, enc, errors="replace"))
            start = end
    return lines


def _cut_short(exc: UnicodeDecodeError, data: bytes | memoryview) -> bool:
    return exc.start >= len(data) - 3 and exc.reason == "unexpected end of data"


def decode(data: bytes) -> str:
    """Decode bytes with the detected encoding; undecodable bytes never raise."""
    return decode_with_codec(data)[0]


def read_text(path: str | Path) -> str:
    """Read a whole text file with encoding detection."""
    return decode(Path(path).read_bytes())


STRAY_CONTROLS = 3  # so many control bytes (a stray NUL) still leave a short text file text


def looks_binary(data: bytes) -> bool:
    """True when bytes are not text in any encoding we accept (NULs outside UTF-16, control bytes)."""
    head = data[:4000]
    if not head:
        return False
    if _sniff(head) and not head.startswith(codecs.BOM_UTF8):  # UTF-16 or UTF-32
        return False
    controls = sum(1 for b in head if b < 9 or (13 < b < 32 and b != 27))
    return controls > max(len(head) // 50, STRAY_CONTROLS)
