"""Address lists and display names: RFC 2047 words, Enron's X-From/X-To names."""

from __future__ import annotations

import re
from email.header import decode_header, make_header
from email.utils import getaddresses
from operator import itemgetter

from closeknit.identity.normalise import mail_display_name
from closeknit.records import Party
from closeknit.sources.mail.cache import _CACHED_VALUE_MAX, _remember
from closeknit.sources.mail.header_block import _unfold

_SECOND = itemgetter(1)
_COMPLEX_ADDR = re.compile(r'["()\\;:]')
# One address in a simple list: `Name <a@b>` or `a@b`, no quotes, comments or groups.
_ADDR_PART = r'[^\s,<>"()\\;:@]+'
_SIMPLE_ITEM = rf'\s*(?:([^,<>"()\\;:]*?)\s*<({_ADDR_PART}@{_ADDR_PART})>|({_ADDR_PART}@{_ADDR_PART}))\s*'
_SIMPLE_LIST = re.compile(rf"(?:(?>{_SIMPLE_ITEM}),)*+(?>{_SIMPLE_ITEM}),?\s*")  # atomic: no backtracking
_SIMPLE_ITEMS = re.compile(rf"{_SIMPLE_ITEM}(?:,|$)")
_XNAME_SPLIT = re.compile(r'(?:"[^"]*"|<[^>]*>|[^,])+')
_XNAME_JUNK = re.compile(r"<[^>]*>|\s@\s*\w+\s*$|^\s*@\s*\w+\s*$")
_ADDR_CACHE: dict[str, tuple[tuple[str, str], ...]] = {}
_WORD_CACHE: dict[str, str] = {}


def _add_parties(parties: list[Party], pairs: tuple[tuple[str, str], ...], role: str, xvalue: str | None) -> None:
    """Append one Party per address; Enron's X-From/X-To/... fill missing display names."""
    if xvalue and not all(map(_SECOND, pairs)):
        names = _xnames(xvalue, len(pairs))
        if names is not None:
            parties.extend([Party(a, n or x, role) for (a, n), x in zip(pairs, names, strict=True)])
            return
    parties.extend([Party(a, n, role) for a, n in pairs])


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
            name = mail_display_name(" ".join(name.split()))
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
        name = mail_display_name(_XNAME_JUNK.sub("", part).strip())
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
