"""The address book the owner uploaded to LinkedIn (Contacts.csv, older Imported Contacts.csv) in an export."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from closeknit.records import ContactItem, ContactRecord, RecordError
from closeknit.sources import csvutil
from closeknit.sources.csvutil import BadRow
from closeknit.sources.linkedin import members

SOURCE = "linkedin_contacts"


def parse(path: Path | str) -> Iterator[ContactItem]:
    """Contacts of the address books in an export folder or zip (a plain file holds none).

    A zip that cannot be read at all is reported by the connections, not a second time here.
    """
    path = Path(path)
    if not (path.is_dir() or members.is_zip(path)):
        return
    for item in members.export_files(path, members.ADDRESS_BOOKS):
        if isinstance(item, RecordError):
            if not (item.file == str(path) and item.reason == members.UNREADABLE_ZIP):
                yield item
        else:
            yield from from_address_book(*item)


def _address_book_score(names: list[str]) -> int:
    have = set(names)
    if not ({"first name", "full name"} & have and {"emails", "email address", "phone numbers"} & have):
        return 0
    return len(have & {"first name", "last name", "full name", "emails", "email address", "phone numbers",
                       "companies", "title", "source"})


def _values(value: str) -> list[str]:
    """The values of a multi-valued address-book cell (comma- or semicolon-separated)."""
    return [v.strip() for v in re.split(r"[,;]", value) if v.strip()]


def from_address_book(file: str, lines: list[str]) -> Iterator[ContactItem]:
    """Contacts of an address book uploaded to LinkedIn (Contacts.csv, older Imported Contacts.csv)."""
    layout = csvutil.find_header(lines, _address_book_score)
    if layout is None:
        yield RecordError(file, 0, "no LinkedIn address-book header (First Name, Emails or Phone Numbers)")
        return
    ncols = len(layout.header)
    col = layout.column
    i_first, i_last, i_full = col("first name"), col("last name"), col("full name")
    i_emails, i_phones = col("emails", "email address"), col("phone numbers")
    i_company, i_title, i_sites = col("companies"), col("title"), col("profiles")
    for row in csvutil.iter_rows(lines, layout):
        if isinstance(row, BadRow):
            yield row.error(file)
            continue
        f = csvutil.padded(row.fields, ncols)
        first, last, full = f[i_first].strip(), f[i_last].strip(), f[i_full].strip()
        emails, phones = _values(f[i_emails]), _values(f[i_phones])
        urls = [u for u in _values(f[i_sites]) if "linkedin.com/" in u.lower()]
        if not (first or last or full or emails or phones):
            yield RecordError(file, row.line, "address-book contact without a name, email or phone", row.raw)
            continue
        companies = _values(f[i_company])
        yield ContactRecord(
            source=SOURCE,
            file=file,
            record=row.line,
            raw=row.raw,
            name=full or f"{first} {last}".strip(),
            given=first,
            family=last,
            emails=emails,
            phones=phones,
            urls=urls,
            organization=companies[0] if companies else "",
            title=f[i_title].strip(),
        )


def sniff(path: Path | str) -> bool:
    """True for an export folder or zip holding an address book."""
    path = Path(path)
    try:
        if path.is_dir():
            return any(p.name.lower() in members.ADDRESS_BOOKS for p in members.walk(path))
        return members.is_zip(path) and bool(members.zip_names(path, members.ADDRESS_BOOKS))
    except Exception:  # a damaged or hostile file holds none
        return False
