"""Open mail files, decompressing gzip, bzip2 and xz by their magic bytes."""

from __future__ import annotations

import bz2
import contextlib
import gzip
import lzma
import zlib
from pathlib import Path
from typing import BinaryIO

from closeknit.errors import InputError

_HEAD_PEEK = 8192
_GZ_MAGIC = b"\x1f\x8b"
_BZ2_MAGIC = b"BZh"
_XZ_MAGIC = b"\xfd7zXZ\x00"
_COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz", ".lzma")
_READ_ERRORS = (OSError, EOFError, lzma.LZMAError, zlib.error, ValueError)


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
    # Closing a truncated or corrupt compressed stream may raise what reading it does: that must not fail
    # an import whose readable messages are already parsed.
    with contextlib.suppress(*_READ_ERRORS):
        handle.close()
        if inner is not None and hasattr(inner, "close"):
            inner.close()


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
