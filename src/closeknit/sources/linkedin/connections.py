"""LinkedIn connections (Connections.csv of every era): recognising the file and reading its contacts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from closeknit.records import ContactItem, ContactRecord, RecordError
from closeknit.sources import csvutil, textio
from closeknit.sources.csvutil import BadRow, Dates
from closeknit.sources.linkedin import members
from closeknit.sources.linkedin.rows import dated_rows

SOURCE = "linkedin"

_CONNECTION_COLUMNS = (
    "first name",
    "last name",
    "url",
    "profile url",
    "email address",
    "email",
    "company",
    "position",
    "connected on",
)


def connections_score(names: list[str]) -> int:
    """Header score of a LinkedIn Connections.csv (0 when the normalised header is not one)."""
    have = set(names)
    if "first name" not in have or "last name" not in have:
        return 0
    if "connected on" in have or ("company" in have and "position" in have and len(names) <= 10):
        return sum(1 for column in _CONNECTION_COLUMNS if column in have)
    return 0


def _is_connections(data: bytes) -> bool:
    if not data or textio.looks_binary(data):
        return False
    lines = csvutil.split_lines(textio.decode(data))
    return csvutil.find_header(lines, connections_score) is not None


def sniff(path: Path | str) -> bool:
    """True for a LinkedIn Connections.csv, a folder holding one, or an export zip holding one."""
    path = Path(path)
    try:
        if path.is_dir():
            return any(_is_connections(csvutil.read_head(p)) for p in members.top_connections(path))
        if members.is_zip(path):
            return bool(members.zip_names(path, frozenset({members.CONNECTIONS})))
        return _is_connections(csvutil.read_head(path))
    except Exception:  # a damaged or hostile file is simply not one
        return False


def parse(path: Path | str) -> Iterator[ContactItem]:
    """Contacts from the Connections.csv files of a file, an export folder or an export zip."""
    path = Path(path)
    found = False
    for item in members.export_files(path, frozenset({members.CONNECTIONS})):
        found = True
        if isinstance(item, RecordError):
            yield item
        else:
            yield from _connections(*item)
    if not found:
        yield RecordError(str(path), 0, "no Connections.csv in this LinkedIn export")


def _connections(file: str, lines: list[str]) -> Iterator[ContactItem]:
    layout = csvutil.find_header(lines, connections_score)
    if layout is None:
        yield RecordError(file, 0, "no LinkedIn Connections header (First Name, Last Name, Connected On)")
        return
    ncols = len(layout.header)
    col = layout.column

    i_first, i_last = col("first name"), col("last name")
    i_url, i_email = col("url", "profile url", "linkedin url"), col("email address", "email")
    i_company, i_position, i_on = col("company"), col("position", "title"), col("connected on")
    dates = Dates()
    for row in dated_rows(lines, layout, dates, i_on):
        if isinstance(row, BadRow):
            yield row.error(file)
            continue
        f = csvutil.padded(row.fields, ncols)
        first, last = f[i_first].strip(), f[i_last].strip()
        email, url = f[i_email].strip(), f[i_url].strip()
        if not (first or last or email or url):
            yield RecordError(file, row.line, "connection without a name, email or profile URL", row.raw)
            continue
        yield ContactRecord(
            source=SOURCE,
            file=file,
            record=row.line,
            raw=row.raw,
            name=f"{first} {last}".strip(),
            given=first,
            family=last,
            emails=[email] if email else [],
            urls=[url] if url else [],
            organization=f[i_company].strip(),
            title=f[i_position].strip(),
            connected_on=dates.iso_date(f[i_on].strip()),
        )
