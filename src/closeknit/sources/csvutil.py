"""Shared CSV reading for contact sources: decoding, header detection, broken-quote recovery, dates."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import IO

from closeknit.errors import InputError
from closeknit.records import RecordError
from closeknit.sources import textio

DELIMITERS = (",", ";", "\t", "|")
HEAD_BYTES = 65536  # how much of a file sniff() looks at
# Limits that keep a hostile file (a zip bomb of blank lines or commas) in bounded memory. A real export
# stays far below them: 30,000 LinkedIn connections are about 6 MB, 150,000 lines and 20 columns.
MAX_BYTES = 64 << 20  # a CSV file, or a zip member once unpacked, larger than this is refused
MAX_LINES = 1_000_000  # a file with more lines than this is refused
MAX_LINE = 1 << 20  # a longer physical line is set aside (its first characters kept as the raw text)
MAX_COLUMNS = 2000  # a record with more fields is set aside
RAW_KEPT = 2000  # characters of a set-aside overlong line kept in quarantine

BROKEN_QUOTE = "broken quote: a quoted field is never closed properly; line set aside, next lines re-read"
FRAGMENT = "line inside a broken quoted field does not match the header"
UNREADABLE_LINE = "line could not be read as CSV"
BAD_QUOTES = "misplaced quote: the line does not split into the header's columns"
NUL_BYTE = "NUL byte in the record (a damaged file?)"
OVERLONG = f"line longer than {MAX_LINE:,} characters: set aside (its start kept)"
TOO_WIDE = f"more than {MAX_COLUMNS:,} fields: set aside (its start kept)"


@dataclass(slots=True)
class Row:
    """One CSV record: the 1-based physical line it starts on, its exact text, its fields."""

    line: int
    raw: str
    fields: list[str]


@dataclass(slots=True)
class BadRow:
    """A line the reader had to set aside (broken quote), with why."""

    line: int
    raw: str
    reason: str

    def error(self, file: str) -> RecordError:
        return RecordError(file, self.line, self.reason, self.raw)


@dataclass(slots=True)
class Layout:
    """Where a file's header is and how it is delimited."""

    delimiter: str
    header: list[str]  # header cells as written
    names: list[str]  # header cells normalised by norm()
    header_line: int  # 1-based line of the header
    body: int  # 0-based index of the first line after the header

    def index(self, *names: str) -> int:
        """Column index of the first of `names` present in the header, else -1."""
        for name in names:
            if name in self.names:
                return self.names.index(name)
        return -1

    def column(self, *names: str) -> int:
        """Like index(), but an absent column is the empty slot `padded` adds after the last one."""
        index = self.index(*names)
        return len(self.header) if index < 0 else index


# ---------------------------------------------------------------- reading and decoding


def unreadable(path: Path, exc: OSError) -> InputError:
    """The one-line InputError for a file that cannot be opened or read."""
    return InputError(f"cannot read {one_line(str(path))}: {exc.strerror or type(exc).__name__}")


def read_bytes(path: Path) -> bytes:
    """The whole file; an OSError becomes a one-line InputError naming the file."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise unreadable(path, exc) from exc


def too_large(file: str) -> RecordError:
    return RecordError(file, 0, f"larger than {MAX_BYTES >> 20} MB (unpacked): not read")


def read_capped(stream: IO[bytes], file: str) -> bytes | RecordError:
    """At most MAX_BYTES of a stream, counted as really read (a zip member's declared size is not
    trusted); a longer stream is the one RecordError saying so, having read only MAX_BYTES + 1 bytes."""
    limit = MAX_BYTES
    buffer = io.BytesIO()  # grows in place; getvalue() then hands over its bytes without a copy
    while buffer.tell() <= limit:
        chunk = stream.read(min(1 << 20, limit + 1 - buffer.tell()))
        if not chunk:
            return buffer.getvalue()
        buffer.write(chunk)
    return too_large(file)


def read_file(path: Path, file: str | None = None) -> bytes | RecordError:
    """A whole CSV file within MAX_BYTES, or the RecordError for a larger one; OSError as `read_bytes`."""
    try:
        with path.open("rb") as stream:
            return read_capped(stream, file or str(path))
    except OSError as exc:
        raise unreadable(path, exc) from exc


def read_head(path: Path, size: int = HEAD_BYTES) -> bytes:
    """The first `size` bytes of a file (OSError propagates)."""
    with path.open("rb") as fh:
        return fh.read(size)


def one_line(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ")


def _refused(data: bytes, file: str) -> RecordError | None:
    """Why a file's bytes are not read as CSV at all (binary, too many lines), or None."""
    if textio.looks_binary(data):
        return RecordError(file, 0, "not a CSV file")
    if max(data.count(b"\n"), data.count(b"\r")) > MAX_LINES:
        return RecordError(file, 0, f"more than {MAX_LINES:,} lines: not read")
    return None


def lines_or_error(read: Callable[[], bytes | RecordError], file: str) -> list[str] | RecordError:
    """The lines of the CSV bytes `read()` gives, or the one RecordError for an empty, binary or
    oversized file. The bytes are decoded a piece at a time and dropped once split."""
    data = read()
    if isinstance(data, RecordError):
        return data
    error = _refused(data, file)
    if error is not None:
        return error
    lines = textio.decode_lines(data, split_lines)
    del data
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    if all(line.isspace() or not line for line in lines):
        return RecordError(file, 0, "empty file")
    return lines


# Characters str.splitlines() also ends a line at, which the csv module does not.
_OTHER_BREAKS = re.compile("[\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_LINE_END = re.compile(r"(?<=\n)|(?<=\r)(?!\n)")


def split_lines(text: str) -> list[str]:
    """Physical lines with their terminators (\\r\\n, \\n or \\r), as the csv module wants them.

    (Not io.StringIO(text).readlines(): that holds a 4-byte-per-character copy of the whole text.)
    """
    if _OTHER_BREAKS.search(text) is None:
        return text.splitlines(keepends=True)
    lines = _LINE_END.split(text)
    if lines and not lines[-1]:
        lines.pop()
    return lines


def strip_eol(line: str) -> str:
    return line.rstrip("\r\n")


# ---------------------------------------------------------------- header detection

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_NON_WORD = re.compile(r"[^a-z0-9']+")
_E_MAIL = re.compile(r"\be mail\b")


def norm(name: str) -> str:
    """Normalise a header cell: 'E-mail 1 - Value' -> 'email 1 value', 'firstName' -> 'first name'."""
    text = _CAMEL.sub(" ", name.replace("\ufeff", "").strip()).lower()
    text = _NON_WORD.sub(" ", text.replace("e-mail", "email")).strip()
    return _E_MAIL.sub("email", text)


class _Lines:
    """An iterator over a list of lines whose position can be moved back."""

    __slots__ = ("lines", "pos", "stop")

    def __init__(self, lines: list[str], pos: int = 0, stop: int | None = None) -> None:
        self.lines = lines
        self.pos = pos
        self.stop = len(lines) if stop is None else min(stop, len(lines))

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        pos = self.pos
        if pos >= self.stop:
            raise StopIteration
        line = self.lines[pos]
        if len(line) > MAX_LINE:
            raise _Overlong(pos)
        self.pos = pos + 1
        return line


class _Overlong(Exception):
    """Raised through the csv reader when it reaches a line longer than MAX_LINE (at index `pos`)."""

    def __init__(self, pos: int) -> None:
        super().__init__(pos)
        self.pos = pos


def find_header(
    lines: list[str],
    score: Callable[[list[str]], int],
    delimiters: Iterable[str] = DELIMITERS,
    max_rows: int = 25,
    max_lines: int = 400,
) -> Layout | None:
    """The header: per delimiter the first record that scores, the best of those; None if none scores."""
    best: tuple[int, Layout] | None = None
    for delimiter in delimiters:
        src = _Lines(lines, 0, max_lines)
        reader = csv.reader(src, delimiter=delimiter)
        seen = 0
        while seen < max_rows:
            begin = src.pos
            try:
                fields = next(reader)
            except StopIteration:
                break
            except (csv.Error, _Overlong):
                break
            if not fields or not any(f.strip() for f in fields):
                continue
            seen += 1
            if len(fields) > MAX_COLUMNS:
                continue
            names = [norm(f) for f in fields]
            value = score(names)
            if value > 0 and (best is None or value > best[0]):
                best = (value, Layout(delimiter, fields, names, begin + 1, src.pos))
                break
    return None if best is None else best[1]


# ---------------------------------------------------------------- rows with broken-quote recovery


def _lenient(line: str, delimiter: str) -> list[str] | None:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return None


def iter_rows(lines: list[str], layout: Layout) -> Iterator[Row | BadRow]:
    """Records after the header; a broken quote costs only its own line, never the rest of the file.

    Reading is strict, so an unterminated quote shows up as an error (or as a multi-line
    record whose field count is wrong) instead of silently swallowing the lines after it.
    Then the first line is set aside as a BadRow and reading resumes on the next line; in the
    stretch the broken record had swallowed, records that do not match the header's field
    count are set aside too. Blank rows (all fields empty) are skipped.
    """
    delimiter = layout.delimiter
    ncols = len(layout.header)
    blank = delimiter + ' \t\r\n"'
    src = _Lines(lines, layout.body)
    reader = csv.reader(src, delimiter=delimiter, strict=True)
    suspect_until = -1
    while True:
        begin = src.pos
        try:
            fields = next(reader)
        except StopIteration:
            return
        except _Overlong as exc:
            # The line itself, or a record that runs into it: set aside its first line, read on after it.
            line = lines[begin]
            if exc.pos == begin:
                yield BadRow(begin + 1, line[:RAW_KEPT], OVERLONG)
            else:
                yield BadRow(begin + 1, strip_eol(line[:RAW_KEPT]), BROKEN_QUOTE)
            src.pos = begin + 1
            reader = csv.reader(src, delimiter=delimiter, strict=True)
            continue
        except csv.Error:
            end = max(src.pos, begin + 1)
            if end - begin == 1:
                lenient = _lenient(lines[begin], delimiter)
                src.pos = begin + 1
                if lenient is None:
                    yield BadRow(begin + 1, strip_eol(lines[begin]), UNREADABLE_LINE)
                elif len(lenient) != ncols and ncols > 1:
                    yield BadRow(begin + 1, strip_eol(lines[begin]), BAD_QUOTES)
                elif any(f.strip() for f in lenient):
                    yield Row(begin + 1, strip_eol(lines[begin]), lenient)
                continue
            yield BadRow(begin + 1, strip_eol(lines[begin]), BROKEN_QUOTE)
            src.pos = begin + 1
            suspect_until = max(suspect_until, end)
            continue
        end = src.pos
        if len(fields) > MAX_COLUMNS:
            yield BadRow(begin + 1, strip_eol(lines[begin][:RAW_KEPT]), TOO_WIDE)
            continue
        if end - begin == 1:
            line = lines[begin]
            if not line.strip(blank):
                continue
            raw = line.rstrip("\r\n")
        else:
            if not any(f.strip() for f in fields):
                continue
            if len(fields) != ncols:
                yield BadRow(begin + 1, strip_eol(lines[begin]), BROKEN_QUOTE)
                src.pos = begin + 1
                suspect_until = max(suspect_until, end)
                continue
            raw = "".join(lines[begin:end]).rstrip("\r\n")
        if begin < suspect_until and ncols >= 3 and len(fields) != ncols:
            yield BadRow(begin + 1, raw, FRAGMENT)
            continue
        if "\x00" in raw:
            yield BadRow(begin + 1, raw, NUL_BYTE)
            continue
        yield Row(begin + 1, raw, fields)


def padded(fields: list[str], ncols: int) -> list[str]:
    """Fields cut or padded to `ncols`, plus one trailing "" that absent columns (index ncols) read."""
    if len(fields) != ncols:
        fields = (fields + [""] * ncols)[:ncols]
    fields.append("")
    return fields


MULTI_SEP = " ::: "

# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula, or with a quote, gets a quote in front.

    Quoting the quotes too makes `spreadsheet_value` its exact inverse.
    """
    return "'" + value if value.startswith(FORMULA_STARTS) or value.startswith("'") else value


def spreadsheet_value(cell: str) -> str:
    """The value `spreadsheet_safe` was given (Closeknit's own CSV export read back)."""
    return cell[1:] if cell.startswith("'") else cell



def split_multi(value: str) -> list[str]:
    """Google's ' ::: '-joined multi-values, stripped, empties dropped."""
    if MULTI_SEP in value:
        return [v for v in (p.strip() for p in value.split(MULTI_SEP)) if v]
    value = value.strip()
    return [value] if value else []


# ---------------------------------------------------------------- dates

_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_TIME = (
    r"(?:[T\s,]+(?:at\s+)?(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(?:\s*([ap])\.?\s?m\.?)?)?"
    r"(?:\s*(utc|gmt|z|[+-]\d{2}:?\d{2}))?\s*$"
)
_WEEKDAY = r"(?:[a-z]{3,9}\.?,?\s+)?"
_ISO = re.compile(r"\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME, re.I)
_NUM = re.compile(r"\s*(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})" + _TIME, re.I)
_DMY_TEXT = re.compile(
    r"\s*" + _WEEKDAY + r"(\d{1,2})(?:st|nd|rd|th)?[-\s.]+([a-z]{3,9})\.?[-\s.,]+(\d{4}|\d{2})" + _TIME, re.I
)
_MDY_TEXT = re.compile(
    r"\s*" + _WEEKDAY + r"([a-z]{3,9})\.?[-\s]+(\d{1,2})(?:st|nd|rd|th)?,?[-\s]+(\d{4})" + _TIME, re.I
)


def settle(
    rows: Iterable[Row | BadRow], dates: Dates, pick: Callable[[list[str]], Iterable[str]]
) -> Iterator[Row | BadRow]:
    """Rows in order, holding back those whose dates need the day/month order until the file tells it.

    `pick` gives a row's date values. Rows are held only from the first ambiguous date (like
    05/06/2025) until a date with a part above 12 settles the order, or until the end.
    """
    held: list[Row | BadRow] = []
    rows = iter(rows)
    for row in rows:
        if dates.day_first is not None:
            yield from held
            yield row
            yield from rows
            return
        if dates.day_first is None:
            if isinstance(row, Row):
                needs = False
                for value in pick(row.fields):
                    needs = dates.observe(value) or needs
                if dates.day_first is None and (needs or held):
                    held.append(row)
                    continue
            elif held:
                held.append(row)
                continue
        if held:
            yield from held
            held = []
        yield row
    yield from held


# (year, month, day, hour, minute, second, utc offset in minutes or None when not stated)
Parsed = tuple[int, int, int, int, int, int, int | None]


def _month(name: str) -> int:
    low = name.lower()
    if len(low) < 3:
        return 0
    for number, full in enumerate(_MONTH_NAMES, 1):
        if full.startswith(low) or (low == "sept" and number == 9):
            return number
    return 0


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _offset(tz: str | None) -> int | None:
    if tz is None:
        return None
    low = tz.lower()
    if low in ("utc", "gmt", "z"):
        return 0
    digits = low[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:])
    return -minutes if low[0] == "-" else minutes


class Dates:
    """Dates of one file: many styles, cached per value, day/month order decided once per file.

    Numeric dates like 05/06/2025 are read day-first or month-first by what the file proves:
    the first value with a part above 12 decides (see settle()). With no such value, '.'
    means day-first and '/' or '-' month-first (LinkedIn's own US style).
    """

    def __init__(self) -> None:
        self._cache: dict[str, Parsed | None] = {}
        self._iso: dict[str, str] = {}
        self._seen: dict[str, bool] = {}
        self.day_first: bool | None = None

    def observe(self, value: str) -> bool:
        """Learn the order from a value; True when the value needs an order that is still unknown."""
        if self.day_first is not None:
            return False
        known = self._seen.get(value)
        if known is not None:
            return known
        match = _NUM.match(value)
        ambiguous = False
        if match:
            a, b = int(match.group(1)), int(match.group(3))
            if a > 12 >= b:
                self.day_first = True
            elif b > 12 >= a:
                self.day_first = False
            else:
                ambiguous = a != b and a <= 12 and b <= 12
        if self.day_first is not None:
            self._cache.clear()
            self._iso.clear()
            self._seen.clear()
            return False
        self._seen[value] = ambiguous
        return ambiguous

    def parse(self, value: str) -> Parsed | None:
        """Fields of a date/time as written, or None when the value is not a date we know."""
        try:
            return self._cache[value]
        except KeyError:
            pass
        result = self._parse(value) if len(value) < 80 else None
        self._cache[value] = result
        return result

    def _parse(self, value: str) -> Parsed | None:
        match = _ISO.match(value)
        if match:
            year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
            rest = 4
        elif match := _NUM.match(value):
            a, sep, b = int(match.group(1)), match.group(2), int(match.group(3))
            year = _year(match.group(4))
            if a > 12:
                day_first = True
            elif b > 12:
                day_first = False
            elif self.day_first is not None:
                day_first = self.day_first
            else:
                day_first = sep == "."
            day, month = (a, b) if day_first else (b, a)
            rest = 5
        elif match := _DMY_TEXT.match(value):
            day, month, year = int(match.group(1)), _month(match.group(2)), _year(match.group(3))
            rest = 4
        elif match := _MDY_TEXT.match(value):
            month, day, year = _month(match.group(1)), int(match.group(2)), int(match.group(3))
            rest = 4
        else:
            return None
        hour_s, minute_s, second_s, ampm, tz = match.group(rest, rest + 1, rest + 2, rest + 3, rest + 4)
        hour = int(hour_s) if hour_s else 0
        minute = int(minute_s) if minute_s else 0
        second = int(second_s) if second_s else 0
        if ampm:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if ampm.lower() == "p" else 0)
        try:
            datetime(year, month, day, hour, minute, second)
        except ValueError:
            return None
        return (year, month, day, hour, minute, second, _offset(tz))

    def iso_date(self, value: str) -> str:
        """YYYY-MM-DD as written (no time-zone shift), or "" when not a date."""
        iso = self._iso.get(value)
        if iso is None:
            parsed = self.parse(value)
            iso = "" if parsed is None else f"{parsed[0]:04d}-{parsed[1]:02d}-{parsed[2]:02d}"
            self._iso[value] = iso
        return iso

    def instant(self, value: str) -> tuple[datetime | None, bool]:
        """(aware UTC datetime, whether the value stated its zone); zone-less values are taken as UTC."""
        parsed = self.parse(value)
        if parsed is None:
            return None, False
        year, month, day, hour, minute, second, offset = parsed
        try:
            zone = UTC if offset is None else timezone(timedelta(minutes=offset))
            when = datetime(year, month, day, hour, minute, second, tzinfo=zone).astimezone(UTC)
        except (ValueError, OverflowError):
            return None, False
        return when, offset is not None
