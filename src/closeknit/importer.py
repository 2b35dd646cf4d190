"""Import files: detect each file's format, run its parser, feed the store's writer, summarise."""

from __future__ import annotations

import importlib
import json
import os
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from closeknit.errors import InputError
from closeknit.records import ContactRecord, InteractionRecord, RecordError
from closeknit.store import Store, derive, review
from closeknit.store.base import now_iso
from closeknit.store.writer import Writer

CONTACT_KINDS = ("linkedin", "vcard", "csv")
INTERACTION_KINDS = ("mail", "ics")
KINDS = CONTACT_KINDS + INTERACTION_KINDS
MAX_ERRORS_LISTED = 1000

Progress = Callable[[int], None]


@dataclass
class ImportResult:
    """What an import did; `errors` lists the records that went to quarantine."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    messages: int = 0  # mail messages read (accepted), duplicates included
    duplicates: int = 0  # the same Message-ID (or event occurrence) met again within this import
    interactions: int = 0  # interactions added (also counted in `added`)
    people: int = 0  # people created, including those only collected from mail or calendars
    review: int = 0
    files: dict[str, str] = field(default_factory=dict)
    me: list[str] = field(default_factory=list)
    me_inferred: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        parts = [f"{self.people:,} people added", f"{self.updated:,} updated"]
        if self.interactions or self.messages or self.duplicates:
            parts.append(f"{self.interactions:,} interactions added")
        parts.append(f"{self.unchanged:,} unchanged")
        if self.duplicates:
            parts.append(f"{self.duplicates:,} duplicates")
        line = ", ".join(parts)
        if self.skipped:
            line += f" · {self.skipped:,} skipped (see closeknit doctor)"
        if self.review:
            line += f" · {self.review:,} possible duplicates to review (closeknit review)"
        return line


_MODULES = {"linkedin": "linkedin", "vcard": "vcard", "csv": "contacts_csv", "mail": "mail", "ics": "ics"}


def _parser(kind: str) -> Any:
    return importlib.import_module(f"closeknit.sources.{_MODULES[kind]}")


def sniff_file(path: Path) -> str | None:
    """The kind of one file, or None when no parser recognises it."""
    if path.suffix.lower() == ".zip":
        return "linkedin" if _parser("linkedin").sniff(path) else None
    for kind in ("linkedin", "vcard", "ics", "mail", "csv"):
        try:
            if _parser(kind).sniff(path):
                return kind
        except OSError:
            return None
    return None


def detect(path: Path) -> list[tuple[str, Path]]:
    """(kind, path) pairs to import for a file or a folder (walked in sorted order)."""
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if path.is_file():
        kind = sniff_file(path)
        if kind is None:
            raise InputError(f"{path}: not a format Closeknit reads (LinkedIn export, vCard, contacts CSV, mail, .ics)")
        return [(kind, path)]
    if _parser("linkedin").sniff(path):
        return [("linkedin", path)]
    if _parser("mail").sniff(path) and not any(p.suffix.lower() in (".vcf", ".ics", ".csv") for p in path.iterdir()):
        return [("mail", path)]
    found: list[tuple[str, Path]] = []
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            if name.startswith("."):
                continue
            f = Path(root, name)
            kind = sniff_file(f)
            if kind:
                found.append((kind, f))
    if not found:
        raise InputError(f"{path}: no file in a format Closeknit reads")
    return found


def _linkedin_items(path: Path) -> Iterator[ContactRecord | InteractionRecord | RecordError]:
    li = _parser("linkedin")
    yield from li.parse(path)
    if path.is_dir() or zipfile.is_zipfile(path):
        yield from li.parse_interactions(path)


def _items(kind: str, path: Path) -> Iterable[ContactRecord | InteractionRecord | RecordError]:
    if kind == "linkedin":
        return _linkedin_items(path)
    items: Iterable[ContactRecord | InteractionRecord | RecordError] = _parser(kind).parse(path)
    return items


def run_import(
    db: Store,
    path: Path | str,
    kind: str | None = None,
    me: list[str] | None = None,
    region: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a file or folder (auto-detected unless `kind` is given) and return the summary."""
    path = Path(path)
    if kind is not None and kind not in KINDS:
        raise InputError(f"unknown import kind {kind!r}: use one of {', '.join(KINDS)}")
    path = path.resolve() if path.exists() else path
    targets = [(kind, path)] if kind else detect(path)
    if kind and not path.exists():
        raise InputError(f"{path}: no such file or folder")
    region = region or db.get_setting("region", "US")
    result = ImportResult()
    started = now_iso()
    me_given = [a for a in (me or []) if a]
    if any(k == "linkedin" for k, _ in targets) and not me_given and not db.get_setting("me_addresses"):
        for _, p in targets:
            if p.is_dir() or zipfile.is_zipfile(p):
                me_given += _parser("linkedin").owner_emails(p)
    if me_given:
        derive.set_me(db, me_given, region)
    writer = Writer(db, region=region)
    seen = 0
    for k, p in targets:
        result.files[str(p)] = k
        for item in _items(k, p):
            seen += 1
            if progress and seen % 500 == 0:
                progress(seen)
            if isinstance(item, RecordError):
                result.skipped += 1
                writer.add_error(item, k)
                if len(result.errors) < MAX_ERRORS_LISTED:
                    result.errors.append({"file": item.file, "record": item.record, "reason": item.reason})
            elif isinstance(item, ContactRecord):
                outcome = writer.add_contact(item)
                setattr(result, outcome, getattr(result, outcome) + 1)
            else:
                if item.channel == "email":
                    result.messages += 1
                outcome = writer.add_interaction(item)
                if outcome == "added":
                    result.interactions += 1
                elif outcome == "duplicate":
                    result.duplicates += 1
                else:
                    result.unchanged += 1
    writer.flush()
    result.people = writer.people_created
    result.added += result.interactions
    if progress:
        progress(seen)
    if result.interactions:
        if not db.get_setting("me_addresses"):
            inferred = derive.infer_me(db)
            if inferred:
                derive.set_me(db, inferred, region)
                result.me_inferred = True
        derive.derive_threads(db)
    result.me = db.get_setting("me_addresses", [])
    result.review = review.find_candidates(db, writer.touched) if writer.touched else 0
    db.execute(
        "INSERT INTO imports(kind, path, started_at, finished_at, summary) VALUES (:k, :p, :s, :f, :j)",
        {
            "k": ",".join(sorted({k for k, _ in targets})), "p": str(path), "s": started, "f": now_iso(),
            "j": json.dumps({x: getattr(result, x) for x in ("added", "updated", "unchanged", "skipped",
                                                             "interactions", "duplicates")}),
        },
    )
    return result
