"""Tolerant vCard 2.1 / 3.0 / 4.0 reader: one ContactRecord per card, a RecordError per unusable card."""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from closeknit.errors import InputError
from closeknit.records import OWN_ID, ContactItem, ContactRecord, RecordError
from closeknit.sources import registry, textio
from closeknit.sources.base import Format, Yields

CONNECTED_ON = "X-CLOSEKNIT-CONNECTED-ON"  # when the user connected (LinkedIn), in Closeknit's own export

SOURCE = "vcard"

_SNIFF_BYTES = 8192
_RAW_PREVIEW = 500  # characters of a card-less file kept as the error's raw text

# Properties whose values feed a ContactRecord; everything else (PHOTO, LOGO, SOUND, KEY,
# X-MS-OL-DESIGN, ...) is skipped without decoding its value.
_WANTED = frozenset(
    {
        "FN",
        "N",
        "EMAIL",
        "TEL",
        "ADR",
        "LABEL",
        "ORG",
        "TITLE",
        "ROLE",
        "NOTE",
        "URL",
        "BDAY",
        "CATEGORIES",
        "UID",
        "X-SOCIALPROFILE",
        "X-LINKEDIN",
        CONNECTED_ON,
    }
)

# Line separators that str.splitlines() honours but vCard does not.
_ODD_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_LINE_SPLIT = re.compile(r"(\r\n|\r|\n)")
_BLANKS = (" ", "\t")
_NEEDS_PARAMS = re.compile(r"ENCODING|QUOTED-PRINTABLE|BASE64|CHARSET|(?:^|;)\s*B\s*(?:;|$)", re.I)
_UNESCAPES = {"n": "\n", "N": "\n", ",": ",", ";": ";", "\\": "\\", ":": ":"}
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
# One component up to an unescaped separator or the end. The loop can only stop at the separator
# or the end, so the match never fails and never backtracks.
_SPLITTERS = {sep: re.compile(rf"((?:[^\\{sep}]+|\\[\s\S]?)*)({sep}|\Z)") for sep in ";,"}

_Props = dict[str, list[str]]  # property name -> decoded values, escapes still in place


# --------------------------------------------------------------------------- sniffing


def sniff(path: Path) -> bool:
    """True when the file starts (after a BOM and blank space) with a BEGIN:VCARD line.

    Reads only the first few KB; an unreadable file is simply not recognised.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(_SNIFF_BYTES)
    except OSError:
        return False
    if not head:
        return False
    for line in textio.decode(head).lstrip("\ufeff \t\r\n").splitlines()[:1]:
        return _is_marker(line, "BEGIN")
    return False


def _is_marker(line: str, word: str) -> bool:
    """True for `BEGIN:VCARD` / `END:VCARD` (any case, surrounding blanks, optional group prefix)."""
    s = line.strip()
    colon = s.find(":")
    if colon < 0 or s[colon + 1 :].strip().upper() != "VCARD":
        return False
    name = s[:colon]
    dot = name.rfind(".")
    return name[dot + 1 :].strip().upper() == word


def _is_begin_or_end(line: str) -> bool:
    s = line.rstrip().upper()
    return s.endswith("VCARD") and (_is_marker(line, "BEGIN") or _is_marker(line, "END"))


# --------------------------------------------------------------------------- reading


def _read(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise InputError(f"cannot read vCard file {path}: {why}") from None


class _Lines:
    """A file's physical lines without their ends, and the exact text of a range of them."""

    def __init__(self, text: str) -> None:
        crlf, cr, lf = text.count("\r\n"), text.count("\r"), text.count("\n")
        odd = bool(_ODD_BREAKS.search(text))
        # One kind of line end throughout (the usual case): keep one list and re-join with it.
        self.newline = "\r\n" if crlf == cr == lf else "\n" if not cr else "\r" if not lf else ""
        self.ended: list[str] = []
        if not odd:
            self.bare = text.splitlines()
            if not self.newline:
                self.ended = text.splitlines(keepends=True)
            return
        parts = _LINE_SPLIT.split(text)
        self.bare = parts[0::2]
        if not parts[-1]:
            self.bare.pop()
        if not self.newline:
            self.ended = [parts[i] + parts[i + 1] for i in range(0, len(parts) - 1, 2)]
            if parts[-1]:
                self.ended.append(parts[-1])

    def raw(self, first: int, last: int) -> str:
        """Lines first..last as written, without the final line end."""
        if self.newline:
            return self.newline.join(self.bare[first : last + 1]).rstrip("\r\n")
        return "".join(self.ended[first : last + 1]).rstrip("\r\n")


def _is_qp_property(first: str) -> bool:
    colon = first.find(":")
    head = first if colon < 0 else first[:colon]
    return "QUOTED-PRINTABLE" in head.upper()


def _continues(line: str) -> bool:
    """True when a physical line starting with a blank folds onto the previous one."""
    return bool(line) and (line[0] == " " or line[0] == "\t") and not _is_begin_or_end(line)


def _unfold(lines: list[str], first: int) -> tuple[str, int]:
    """The logical line starting at lines[first] and the index of the next one.

    Joins space/tab folded lines and vCard 2.1 quoted-printable soft line breaks (`=` at the end
    of a line). A folded-looking BEGIN:VCARD / END:VCARD line still starts a new line.
    """
    parts = [lines[first]]
    if _is_begin_or_end(parts[0]):
        return parts[0], first + 1  # nothing folds onto BEGIN:VCARD / END:VCARD
    qp = _is_qp_property(parts[0])
    i = first + 1
    n = len(lines)
    while i < n:
        line = lines[i]
        last = parts[-1]
        if qp and last and last[-1] == "=" and not _is_begin_or_end(line):
            parts[-1] = last[:-1]
            parts.append(line)
        elif _continues(line):
            parts.append(line[1:])
        else:
            break
        i += 1
    return "".join(parts), i


def _colon_outside_quotes(text: str) -> int:
    quoted = False
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif ch == ":" and not quoted:
            return i
    return text.find(":")


def _split_head(head: str) -> tuple[str, str, bool]:
    """Property name (upper case, group dropped), parameter text, and whether the parameters
    change how the value decodes (ENCODING, CHARSET, ...), for a head `group.NAME;params`."""
    semi = head.find(";")
    name = head if semi < 0 else head[:semi]
    dot = name.rfind(".")
    if dot >= 0:
        name = name[dot + 1 :]
    name = name.strip().upper()
    params = "" if semi < 0 else head[semi + 1 :]
    return name, params, name == "X-SOCIALPROFILE" or (bool(params) and bool(_NEEDS_PARAMS.search(params)))


# --------------------------------------------------------------------------- parsing


def parse(path: Path) -> Iterator[ContactItem]:
    """Yield a ContactRecord (or a RecordError) for every card in a vCard file.

    Bad content never raises: it becomes RecordError values. Only an unreadable file raises
    InputError.
    """
    data = _read(path)
    file = str(path)
    text, enc = textio.decode_with_codec(data)
    codec = enc if enc in ("cp1252", "latin-1") else ""  # an 8-bit file: QP parts decode the same way
    # Keep only what a card-less file's error needs; the lines hold the rest.
    start, preview, blank = data[:4000], text[:_RAW_PREVIEW], not text or text.isspace()
    del data
    lines = _Lines(text)
    bare = lines.bare
    del text

    heads: dict[str, tuple[str, str, bool]] = {}  # property head -> _split_head(head): heads repeat
    card_no = 0
    in_card = False
    depth = 0  # nesting level of AGENT cards inside the current card
    card_start = 0
    after_agent = False  # the previous property was an AGENT with an empty value
    props: _Props = {}
    broken = ""  # why decoding a value of the current card failed (never expected)

    n = len(bare)
    i = 0
    while i < n:
        first = i
        line = bare[i]
        i += 1
        if not line:
            continue
        if i < n and (line[-1] == "=" or bare[i][:1] in _BLANKS):
            line, i = _unfold(bare, first)
        colon = line.find(":")
        if colon < 0:
            continue  # not a property (stray base64, garbage): skipped
        head = line[:colon]
        if '"' in head:
            colon = _colon_outside_quotes(line)
            head = line[:colon]
        split = heads.get(head)
        if split is None:
            split = _split_head(head)
            if len(heads) < 4096:
                heads[head] = split
        name = split[0]

        if (name == "BEGIN" or name == "END") and line[colon + 1 :].strip().upper() == "VCARD":
            if name == "BEGIN":
                if not in_card:
                    in_card, card_start, props, broken = True, first, {}, ""
                    card_no += 1
                elif depth or after_agent:
                    depth += 1  # a vCard 2.1 AGENT card inside this one: ignored
                else:
                    # A new card begins before the previous one ended.
                    yield _finish(file, card_no, lines.raw(card_start, first - 1), props, False, broken)
                    card_start, props, broken = first, {}, ""
                    card_no += 1
            elif depth:
                depth -= 1
            elif in_card:
                yield _finish(file, card_no, lines.raw(card_start, i - 1), props, True, broken)
                in_card = False
            after_agent = False
            continue
        if not in_card or depth:
            continue
        if name in _WANTED:
            value = line[colon + 1 :]
            if split[2] or codec:
                try:
                    value = _value(split[1], value, codec)
                    if name == "X-SOCIALPROFILE":  # needs its parameters: made a URL here
                        value = _social(split[1], value)
                except Exception as exc:  # a safety net, as in _finish
                    broken = broken or type(exc).__name__
            bucket = props.get(name)
            if bucket is None:
                props[name] = [value]
            else:
                bucket.append(value)
            after_agent = False
        elif name == "AGENT":
            agent = line[colon + 1 :].strip().upper()
            after_agent = not agent  # vCard 2.1: the agent's card follows on the next lines
            if agent == "BEGIN:VCARD":
                depth += 1
        else:
            after_agent = False

    if in_card:
        yield _finish(file, card_no, lines.raw(card_start, n - 1), props, False, broken)
    elif card_no == 0:
        if blank:
            reason = "empty file: no vCard found"
        elif textio.looks_binary(start):
            reason = "binary content: no vCard found"
        else:
            reason = "no vCard found (no BEGIN:VCARD line)"
        yield RecordError(file, 0, reason, preview)


def _finish(file: str, card_no: int, raw: str, props: _Props, terminated: bool, broken: str) -> ContactItem:
    """The card's ContactRecord, or a RecordError saying why it cannot be used."""
    if not broken:
        try:
            rec = _build(file, card_no, raw, props)
        except Exception as exc:  # a safety net: one odd card must not stop an import
            broken = type(exc).__name__
    if broken:
        return RecordError(file, card_no, f"internal parser error on this card ({broken})", raw)
    if not terminated:
        if rec.name or rec.emails:
            return rec
        return RecordError(file, card_no, "card not terminated (no END:VCARD) and has no name or email", raw)
    if rec.name or rec.emails or rec.phones or rec.organization or rec.uid.startswith(OWN_ID):
        return rec  # (a person of Closeknit's own export is one even when nothing else is known)
    return RecordError(file, card_no, "no name, email, phone or organisation", raw)


# --------------------------------------------------------------------------- values


def _params(params: str) -> tuple[str, str, dict[str, str]]:
    """(encoding: "qp" | "b64" | "", charset, other params upper-cased name -> value)."""
    encoding = ""
    charset = ""
    other: dict[str, str] = {}
    for part in params.split(";"):
        eq = part.find("=")
        if eq < 0:
            word = part.strip().upper()
            if word == "QUOTED-PRINTABLE":
                encoding = "qp"
            elif word in ("BASE64", "B"):
                encoding = "b64"
            elif word:
                other["TYPE"] = f"{other['TYPE']},{word}" if "TYPE" in other else word
            continue
        key = part[:eq].strip().upper()
        val = part[eq + 1 :].strip().strip('"')
        if key == "ENCODING":
            v = val.upper()
            if v == "QUOTED-PRINTABLE":
                encoding = "qp"
            elif v in ("B", "BASE64"):
                encoding = "b64"
        elif key == "CHARSET":
            charset = val
        elif key in other:
            other[key] = f"{other[key]},{val}"
        else:
            other[key] = val
    return encoding, charset, other


# Codecs that read escape sequences or encode names, not a character set: text in them is not decoded by them.
_NOT_CHARSETS = frozenset({"unicode-escape", "raw-unicode-escape", "punycode", "idna", "undefined"})


def _charset(name: str) -> str:
    """The CHARSET parameter when it names a character set Python knows, else ''."""
    try:
        codec = codecs.lookup(name)
    except (LookupError, ValueError):
        return ""
    return "" if codec.name in _NOT_CHARSETS or not getattr(codec, "_is_text_encoding", True) else name


def _decode_bytes(data: bytes, charset: str) -> str:
    charset = _charset(charset) if charset else ""
    if charset:
        try:
            return _valid(data.decode(charset, errors="replace"))
        except Exception:  # unknown or non-text codec names: fall through to guessing
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _value(params: str, value: str, codec: str) -> str:
    """A property value with transfer encoding and charset applied (escapes still in place)."""
    if params:
        encoding, charset, _ = _params(params)
        if encoding == "qp":
            raw = value.encode(codec or "utf-8", errors="replace")
            return _decode_bytes(binascii.a2b_qp(raw), charset)
        if encoding == "b64":
            try:
                decoded = base64.b64decode("".join(value.split()), validate=False)
            except (binascii.Error, ValueError):
                return ""
            return _decode_bytes(decoded, charset)
        if codec and not value.isascii():
            return _redecode(value, codec, charset)
        return value
    if codec and not value.isascii():
        return _redecode(value, codec, "")
    return value


def _redecode(value: str, codec: str, charset: str) -> str:
    """Re-read 8-bit text that the file-level fallback decoded as cp1252/latin-1."""
    try:
        data = value.encode(codec)
    except UnicodeEncodeError:
        return value
    if charset and _charset(charset):
        try:
            return _valid(data.decode(charset))
        except Exception:  # bytes not in that charset
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return value


def _valid(text: str) -> str:
    """Text without lone surrogates (odd codecs such as UTF-7 can produce them)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", errors="replace").decode("utf-8")
    return text


def _unescape_one(match: re.Match[str]) -> str:
    return _UNESCAPES.get(match[1], match[0])


def _unescape(s: str) -> str:
    """Undo vCard text escapes (backslash before n, N, comma, semicolon, colon, backslash).

    Other backslashes are kept as written.
    """
    if "\\" not in s:
        return s
    return _ESCAPE.sub(_unescape_one, s)


def _split(s: str, sep: str) -> list[str]:
    """Split on `sep` (";" or ",") where it is not backslash-escaped; escapes stay for _unescape."""
    if "\\" not in s:
        return s.split(sep)
    out: list[str] = []
    for match in _SPLITTERS[sep].finditer(s):
        out.append(match[1])
        if not match[2]:
            break
    return out


def _component(s: str) -> str:
    """One structured-value component: its comma-separated values joined with spaces."""
    if "," not in s:
        return _text(s)
    return " ".join(p for p in (_unescape(x).strip() for x in _split(s, ",")) if p)


def _iso_date(s: str) -> str:
    """BDAY as ISO 8601 (YYYY-MM-DD, or --MM-DD without a year) when it parses; else as written."""
    v = s.strip()
    t = v.find("T")
    d = v[:t] if t >= 0 else v
    try:
        if d.startswith("--"):
            md = d[2:].replace("-", "")
            if len(md) == 4 and md.isdigit():
                date(2000, int(md[:2]), int(md[2:]))
                return f"--{md[:2]}-{md[2:]}"
            return v
        digits = d.replace("-", "")
        if len(digits) == 8 and digits.isdigit() and (d == digits or (d[4:5] == "-" and d[7:8] == "-")):
            return date(int(digits[:4]), int(digits[4:6]), int(digits[6:])).isoformat()
    except ValueError:
        return v
    return v


def _strip_scheme(v: str, scheme: str) -> str:
    if ":" in v and v[: len(scheme)].lower() == scheme:
        return v[len(scheme) :].strip()
    return v


def _looks_like_url(v: str) -> bool:
    low = v.lower()
    return "://" in low or low.startswith("www.")


def _add(into: list[str], value: str) -> None:
    if value:
        into.append(value)


def _dedupe(items: list[str]) -> None:
    if len(items) > 1:
        items[:] = dict.fromkeys(items)


def _text(v: str) -> str:
    """A single text value: unescaped, line breaks normalised to LF, outer blanks removed."""
    if "\\" not in v and "\r" not in v:
        return v.strip()
    t = _unescape(v)
    if "\r" in t:
        t = t.replace("\r\n", "\n").replace("\r", "\n")
    return t.strip()


def _first(values: list[str]) -> str:
    for v in values:
        t = _text(v)
        if t:
            return t
    return ""


def _build(file: str, card_no: int, raw: str, props: _Props) -> ContactRecord:
    rec = ContactRecord(source=SOURCE, file=file, record=card_no, raw=raw)
    for name, values in props.items():
        if name == "FN":
            rec.name = " ".join(_first(values).split())
        elif name == "EMAIL":
            for v in values:
                _add(rec.emails, _strip_scheme(_text(v), "mailto:"))
        elif name == "TEL":
            for v in values:
                _add(rec.phones, _phone(v))
        elif name == "ORG":
            for v in values:
                rec.organization = _first(_split(v, ";"))
                if rec.organization:
                    break
        elif name == "TITLE":
            rec.title = _first(values)
        elif name == "ADR":
            for v in values:
                _add(rec.addresses, _address(v))
        elif name == "URL":
            for v in values:
                _add(rec.urls, _text(v))
        elif name == "NOTE":
            for v in values:
                _add(rec.notes, _text(v))
        elif name == "CATEGORIES":
            for v in values:
                for tag in _split(v, ","):
                    _add(rec.tags, _text(tag))
        elif name == "BDAY":
            bday = _first(values)
            rec.birthday = _iso_date(bday) if bday else ""
        elif name == "UID":
            rec.uid = _first(values)
        elif name == "X-SOCIALPROFILE":
            for v in values:
                _add(rec.urls, v)
        elif name == "X-LINKEDIN":
            for v in values:
                _add(rec.urls, _linkedin(v))
        elif name == CONNECTED_ON:  # Closeknit's own export
            rec.connected_on = _iso_date(_first(values))
    # Fallbacks that depend on what the card holds: N for a name, ROLE for a title, LABEL for ADR.
    names = props.get("N")
    if names:
        for v in names:
            parts = _split(v, ";")
            family = _component(parts[0])
            given = _component(parts[1]) if len(parts) > 1 else ""
            if family or given:
                rec.family, rec.given = family, given
                if not rec.name:
                    middle = _component(parts[2]) if len(parts) > 2 else ""
                    rec.name = " ".join(x for x in (given, middle, family) if x)
                break
    if not rec.title and "ROLE" in props:
        rec.title = _first(props["ROLE"])
    if not rec.addresses and "LABEL" in props:
        for v in props["LABEL"]:
            _add(rec.addresses, _label(v))
    own = rec.uid.startswith(OWN_ID)  # a card of Closeknit's own export: a note said twice was said twice
    if own:  # and the name is as it was written, spaces and all
        rec.name = _first(props.get("FN", []))
    for items in (rec.emails, rec.phones, rec.urls, rec.tags, rec.addresses, *(() if own else (rec.notes,))):
        _dedupe(items)
    return rec


def _phone(v: str) -> str:
    p = _strip_scheme(_unescape(v).strip(), "tel:")
    ext = p.lower().find(";ext=")
    if ext >= 0:
        p = f"{p[:ext]} ext. {p[ext + 5 :]}"
    return p


def _address(v: str) -> str:
    comps = (_unescape(c) for c in _split(v, ";"))
    pieces = (line.strip() for c in comps for line in c.replace("\r", "\n").split("\n"))
    return ", ".join(p for p in pieces if p)


def _label(v: str) -> str:
    text = _unescape(v).replace("\r", "\n")
    return ", ".join(p for p in (line.strip() for line in text.split("\n")) if p)


def _social(params: str, v: str) -> str:
    """An X-SOCIALPROFILE as a URL: its value when it is one, else built from x-user for LinkedIn."""
    url = _unescape(v).strip()
    if _looks_like_url(url):
        return url
    _, _, other = _params(params)
    user = other.get("X-USER", "").strip()
    if user and "linkedin" in other.get("TYPE", "").lower():
        return f"https://www.linkedin.com/in/{user}"
    return ""


def _linkedin(v: str) -> str:
    """An X-LINKEDIN value as a profile URL (it may hold a URL, a URL without scheme, or a name)."""
    s = _unescape(v).strip()
    if _looks_like_url(s):
        return s
    if "linkedin.com/" in s.lower():
        return f"https://{s}"
    if s and " " not in s and "/" not in s:
        return f"https://www.linkedin.com/in/{s}"
    return ""


FORMAT = registry.register(Format(SOURCE, Yields.CONTACTS, sniff, parse))
