"""Messages and invitations of an export read together: one file alone, or all of a folder or zip."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from closeknit.identity import normalise
from closeknit.records import InteractionItem, InteractionRecord, RecordError
from closeknit.sources import csvutil, textio
from closeknit.sources.linkedin import members
from closeknit.sources.linkedin.invitations import invitations, invitations_score
from closeknit.sources.linkedin.messages import messages, messages_score

_WANTED = frozenset({members.MESSAGES, members.INVITATIONS})


def interaction_files(path: Path | str) -> list[str]:
    """Names (as records will carry them) of the messages and invitations files in an export."""
    path = Path(path)
    try:
        if path.is_dir():
            return [str(p) for p in members.walk(path) if p.name.lower() in _WANTED]
        if members.is_zip(path):
            return list(members.zip_names(path, _WANTED))
        data = csvutil.read_head(path)
    except Exception:  # a damaged or hostile file holds none
        return []
    if textio.looks_binary(data):
        return []
    lines = csvutil.split_lines(textio.decode(data))
    if csvutil.find_header(lines, invitations_score) or csvutil.find_header(lines, messages_score):
        return [str(path)]
    return []


def is_conversations_file(path: Path) -> bool:
    """True for one messages or invitations file on its own (not a folder, not a zip)."""
    return path.is_file() and not members.is_zip(path) and bool(interaction_files(path))


def parse(path: Path | str) -> Iterator[InteractionItem]:
    """Messages and invitations from a messages/Invitations CSV, an export folder or an export zip.

    A party named without a profile URL takes the URL the export gives that name elsewhere, when it
    gives exactly one (older layouts name recipients only; invitations name both sides only).
    """
    path = Path(path)
    items: list[InteractionItem] = []
    for item in members.export_files(path, _WANTED):
        if isinstance(item, RecordError):
            items.append(item)
            continue
        file, lines = item
        layout = csvutil.find_header(lines, invitations_score)
        if layout is not None:
            items.extend(invitations(file, lines, layout))
            continue
        layout = csvutil.find_header(lines, messages_score)
        if layout is not None:
            items.extend(messages(file, lines, layout))
            continue
        items.append(RecordError(file, 0, "not a LinkedIn messages or invitations file"))
    _fill_profiles([i for i in items if isinstance(i, InteractionRecord)])
    yield from items


def _fill_profiles(records: list[InteractionRecord]) -> None:
    """Give each party known by name only the one profile URL its name has elsewhere in the records."""
    urls: dict[str, set[str]] = {}
    for rec in records:
        for p in rec.parties:
            if p.address and p.name:
                urls.setdefault(normalise.name_key(p.name), set()).add(p.address)
    for rec in records:
        for p in rec.parties:
            if not p.address and p.name:
                found = urls.get(normalise.name_key(p.name), ())
                if len(found) == 1:
                    p.address = next(iter(found))
