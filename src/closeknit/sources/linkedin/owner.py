"""The export's owner: their own addresses and name as the export states them, and their profile in messages."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from closeknit.identity import normalise
from closeknit.records import InteractionRecord, RecordError
from closeknit.sources import csvutil
from closeknit.sources.csvutil import Layout, Row
from closeknit.sources.linkedin import members


def _emails_score(names: list[str]) -> int:
    return 1 if "email address" in names else 0


def _profile_score(names: list[str]) -> int:
    return 1 if "first name" in names and "last name" in names else 0


def _owner_rows(path: Path, name: str, score: Callable[[list[str]], int]) -> Iterator[tuple[Layout, Row]]:
    for item in members.export_files(path, frozenset({name})):
        if isinstance(item, RecordError):
            continue
        lines = item[1]
        layout = csvutil.find_header(lines, score)
        if layout is None:
            continue
        for row in csvutil.iter_rows(lines, layout):
            if isinstance(row, Row):
                yield layout, row


def owner_emails(path: Path | str) -> list[str]:
    """The export owner's own addresses (Email Addresses.csv), primary first, without repeats."""
    primary: list[str] = []
    other: list[str] = []
    for layout, row in _owner_rows(Path(path), members.EMAIL_ADDRESSES, _emails_score):
        ncols = len(layout.header)
        f = csvutil.padded(row.fields, ncols)
        i_email = layout.index("email address")
        i_primary = layout.index("primary")
        address = f[i_email].strip()
        if address and "@" in address:
            is_primary = i_primary >= 0 and f[i_primary].strip().lower() in ("yes", "true")
            (primary if is_primary else other).append(address)
    seen: set[str] = set()
    result: list[str] = []
    for address in primary + other:
        if address.lower() not in seen:
            seen.add(address.lower())
            result.append(address)
    return result


def owner_names(path: Path | str) -> list[str]:
    """The export owner's name(s) as the profile states them (Profile.csv), for telling "me" apart."""
    names: list[str] = []
    for layout, row in _owner_rows(Path(path), members.PROFILE, _profile_score):
        f = csvutil.padded(row.fields, len(layout.header))
        first = f[layout.index("first name")].strip()
        last = f[layout.index("last name")].strip()
        name = f"{first} {last}".strip()
        if name and name not in names:
            names.append(name)
    return names


def in_conversations(records: Sequence[InteractionRecord], names: list[str]) -> tuple[list[str], list[str]]:
    """The owner's profile URLs and names in the messages: the person named `names`, else the person
    in (nearly) every conversation."""
    counts: dict[str, int] = {}
    display: dict[str, str] = {}
    for rec in records:
        for key in {normalise.name_key(p.name) for p in rec.parties if p.name}:
            counts[key] = counts.get(key, 0) + 1
        for p in rec.parties:
            display.setdefault(normalise.name_key(p.name), p.name)
    keys = {normalise.name_key(n) for n in names}
    if not keys and counts:
        top_key, top = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        if top_key and top >= 0.5 * len(records):
            keys, names = {top_key}, [display[top_key]]
    urls = sorted({p.address for r in records for p in r.parties if p.address and normalise.name_key(p.name) in keys})
    return urls, names
