"""Import files: read each target's sources in order, feed the store's writer, summarise."""

from __future__ import annotations

import gc
from collections.abc import Callable, Container, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import Any, TypeVar

import phonenumbers

from closeknit import sources
from closeknit.errors import InputError
from closeknit.identity import normalise
from closeknit.pipeline.detect import detect
from closeknit.pipeline.prefetch import prefetch
from closeknit.pipeline.progress import Meter, Progress, target_size
from closeknit.records import ContactRecord, RecordError
from closeknit.sources.base import Item, Part, Yields
from closeknit.store import Store, imports, pending
from closeknit.store.base import Base, now_iso
from closeknit.store.writer import (
    NAMES_NO_ONE,
    PreparedContact,
    PreparedInteraction,
    Writer,
    default_region,
    file_region,
    names_no_one,
    prepare_file,
    renormalise_phones,
)

MAX_ERRORS_LISTED = 1000
UNREAD = "in no format Closeknit reads"  # why a file of a folder imported was not read
INFER_SAMPLE = 5000  # contact records of a file read before its phone region is decided
PREFETCH_BYTES = 1 << 18  # a smaller file is parsed before a second process would have started

Prepared = Item | PreparedContact | PreparedInteraction
Known = Container[tuple[str, str]]  # (source, hash) of records stored already
T = TypeVar("T")


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
    merged: int = 0  # people found to be one with another (the same name, addresses of it at one domain)
    files: dict[str, str] = field(default_factory=dict)
    not_read: dict[str, str] = field(default_factory=dict)  # files of an export or a folder left unread, with why
    regions: dict[str, str] = field(default_factory=dict)  # file: the phone region inferred from its numbers
    me: list[str] = field(default_factory=list)
    me_inferred: bool = False
    resumed: bool = False  # derivation an interrupted import left was finished too

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
        if self.merged:
            line += (f" · {self.merged:,} merged with another of the same name (addresses of that name at one domain;"
                     " closeknit split undoes one)")
        if self.review:
            line += f" · {self.review:,} possible duplicates to review (closeknit review)"
        if self.not_read:
            why = _by_value(self.not_read)
            line += " · not read: " + "; ".join(f"{_listed(f)} ({r})" for r, f in why.items())
        if self.regions:
            line += " · " + "; ".join(_region_line(r, files) for r, files in _by_value(self.regions).items())
        if self.resumed:
            line += " · finished what an interrupted import left (me, directions, threads, review)"
        return line


def _parsed(make: Callable[[], Iterable[T]], path: Path, on_read: Callable[[int], None]) -> Iterable[T]:
    """Items of `make()`; for a large file or a folder, parsed in a second process while this one stores
    (`on_read` is told the bytes that process has read)."""
    if path.is_dir() or path.stat().st_size >= PREFETCH_BYTES:
        return prefetch(make, on_read)
    return make()


def _listed(files: list[str], most: int = 3) -> str:
    """Up to `most` file names, then how many more: a folder of many files makes one short line."""
    shown = ", ".join(files[:most])
    return shown if len(files) <= most else f"{shown} and {len(files) - most:,} more files"


def _by_value(files: dict[str, str]) -> dict[str, list[str]]:
    """{value: sorted names of the files with it}, values sorted (a zip member named by its own name)."""
    out: dict[str, list[str]] = {}
    for file, value in files.items():
        out.setdefault(value, []).append(Path(file.replace("!", "/")).name)
    return {v: sorted(out[v]) for v in sorted(out)}


def _region_line(region: str, files: list[str]) -> str:
    code = phonenumbers.country_code_for_region(region)
    return f"phones in {_listed(files)} read as {region} (inferred from +{code} numbers)"


@dataclass(frozen=True)
class RegionRead:
    """The phone region a file's numbers without a country code were read in, inferred from its other numbers."""

    file: str
    region: str


def _prepared(part: Part, region: str, known: Known, infer: bool) -> Iterator[Prepared | RegionRead]:
    """The items of one part, prepared; with `infer`, numbers without a country code are read in the
    region most of the file's numbers that carry one are from (see `file_region`), else in `region`."""
    stream: Iterator[Item] = iter(part.source.parse(part.path))
    if infer:
        head = list(islice(stream, INFER_SAMPLE))
        found = file_region(p for i in head if isinstance(i, ContactRecord) for p in i.phones)
        if found:
            yield RegionRead(str(part.path), found)
        region = found or region
        stream = chain(head, stream)
    yield from prepare_file(stream, region, known)


def _items(part: Part, region: str, known: Known, infer: bool,
           on_read: Callable[[int], None]) -> Iterable[Prepared | RegionRead]:
    """The parsed items of one part; contacts come prepared, in the parser process when there is one.

    Records in `known` are only hashed, so a file imported again costs little more than its parse.
    Phone numbers are read in the file's own region when `infer` (see `_prepared`), else in `region`.
    """
    return _parsed(lambda: _prepared(part, region, known, infer), part.path, on_read)


class _Writer(Writer):
    """The import's writer: each batch commits with the note of what it leaves to derive (store.pending)."""

    def __init__(self, db: Base, region: str) -> None:
        super().__init__(db, region=region)
        self._added = 0  # interactions added by the batches noted so far

    def flush(self) -> None:
        with self.db.unchecked_references(), self.db.transaction():
            super().flush()
            touched = self.touched
            added = self.outcomes["added"]
            pending.record(self.db, touched, derive=added > self._added)
        # Noted: the people merged away later in this import are simply no longer there to compare.
        self.touched = set()
        self._added = added


class _Run:
    """One import: feeds parsed items to a writer and keeps the tally."""

    def __init__(self, db: Store, region: str, meter: Meter, infer: bool = True) -> None:
        self.db, self.region, self.meter, self.infer = db, region, meter, infer
        self.result = ImportResult()
        self.contact_files: set[str] = set()  # files contact records came from
        self._writer: Writer | None = None

    @property
    def writer(self) -> Writer:
        if self._writer is None:
            self._writer = _Writer(self.db, region=self.region)
        return self._writer

    def finish_writer(self) -> None:
        """Flush and drop the writer (its in-memory index goes stale when "me" changes)."""
        if self._writer is not None:
            self._writer.flush()
            self.result.people += self._writer.people_created
            outcomes = self._writer.outcomes
            self.result.interactions += outcomes["added"]
            self.result.duplicates += outcomes["duplicate"]
            self.result.unchanged += outcomes["unchanged"]
            self._writer = None

    def feed(self, kind: str, items: Iterable[Prepared | RegionRead]) -> None:
        result, writer, meter = self.result, self.writer, self.meter
        for item in items:
            if isinstance(item, RegionRead):
                result.regions[item.file] = item.region
                continue
            meter.record(0 if isinstance(item, PreparedInteraction) else len(item.raw))
            if isinstance(item, PreparedContact) and names_no_one(item):
                item = RecordError(item.file, item.record, NAMES_NO_ONE, item.raw)
            if isinstance(item, RecordError):
                result.skipped += 1
                writer.add_error(item, kind)
                if len(result.errors) < MAX_ERRORS_LISTED:
                    result.errors.append({"file": item.file, "record": item.record, "reason": item.reason})
            elif isinstance(item, ContactRecord | PreparedContact):
                outcome = writer.add_contact(item)
                self.contact_files.add(item.file)
                setattr(result, outcome, getattr(result, outcome) + 1)
            else:
                if item.channel == "email":
                    result.messages += 1
                writer.add_interaction(item)

    def read(self, kind: str, path: Path, size: int) -> None:
        """Import one target of `size` bytes: each part of its source in order (a bundle has several; the
        files of it not read are listed). A part that needs "me" is read whole, and "me" set from it, first."""
        source = sources.get(kind)
        self.result.files[str(path)] = kind
        self.result.not_read.update(source.not_read(path))
        self.meter.target(size)
        for part in source.parts(path):
            if part.source.needs_me:
                self.feed(kind, self._with_me(part))
            else:
                contacts = part.source.yields == Yields.CONTACTS
                known = self.writer.known_hashes(part.source.name) if contacts else ()
                self.feed(kind, _items(part, self.region, known, self.infer, self.meter.read))
            self.meter.part_done()
        self.meter.target_done()

    def _with_me(self, part: Part) -> list[Item]:
        """The records of `part`, with "me" set from the owner they show and names of `names_from` hinted."""
        items = list(part.source.parse(part.path))
        owner = part.source.owner_in(part.path, items)
        if owner is not None:
            if owner.emails or owner.profiles or owner.names:
                self.finish_writer()
                pending.set_me(self.db, list(owner.emails), self.region, profiles=list(owner.profiles),
                               names=list(owner.names))
            if part.source.names_from:
                self.writer.name_hints = self.writer.names_of(part.source.names_from)
        return items


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the cycle collector after 100,000 new objects instead of 700 (the parser process too).

    An import keeps hundreds of thousands of objects alive until it ends (the identity index, the
    batches); with the default threshold the collector scanned them over and over: 1.4 s of a
    100,000-contact import. Cycles are still collected, only less often.
    """
    before = gc.get_threshold()
    gc.set_threshold(100_000, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def run_import(
    db: Store,
    path: Path | str,
    kind: str | None = None,
    me: list[str] | None = None,
    region: str | None = None,
    progress: Progress | None = None,
    on_wait: Callable[[], None] | None = None,
) -> ImportResult:
    """Import a file or folder (auto-detected unless `kind` is given) and return the summary.

    One import writes to a database at a time: `on_wait` is called when this one has to wait its turn.
    """
    path = Path(path)
    if kind is not None and kind not in sources.kinds():
        raise InputError(f"unknown import kind {kind!r}: use one of {', '.join(sources.kinds())}")
    path = path.resolve() if path.exists() else path
    unread: list[Path] = []
    targets = [(kind, path)] if kind else detect(path, unread)
    if kind and not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if region is not None and not normalise.is_region(region):
        raise InputError(f"unknown phone region {region!r}: use a two-letter country code such as US, GB, IN")
    with db.exclusive(on_wait), db.fewer_checkpoints():
        result = _import(db, path, targets, [a for a in (me or []) if a], region, progress)
    result.not_read.update((str(f), UNREAD) for f in unread)
    return result


@_fewer_collections()
def _import(db: Store, path: Path, targets: list[tuple[str, Path]], me_given: list[str], region: str | None,
            progress: Progress | None = None) -> ImportResult:
    region_given = region is not None  # named for this import: read every number in it, stored ones too
    region = region or default_region(db)
    started = now_iso()
    resumed = bool(pending.left(db))
    # Derivation owed by rows all stored comes first, as it would have without the interruption; that of
    # a cut import waits for its rows (this may be the same import again, storing the rest).
    earlier = pending.finish(db, region) if pending.complete(db) else pending.Finished()
    if not me_given and not db.get_setting("me_addresses"):  # an export may say whose it is
        for k, p in targets:
            me_given += sources.get(k).owner(p).emails
    if me_given:
        pending.set_me(db, me_given, region)
    sizes = [target_size(sources.get(k), p) if progress else 0 for k, p in targets]  # only to show progress
    run = _Run(db, region, Meter(progress, sizes), infer=not region_given)
    result = run.result
    for (k, p), size in zip(targets, sizes, strict=True):
        run.read(k, p, size)
    run.finish_writer()
    if region_given:
        result.updated += renormalise_phones(db, run.contact_files, region)
    result.added += result.interactions
    pending.stored(db)
    done = pending.finish(db, region)
    result.me_inferred = earlier.me_inferred or done.me_inferred
    result.review = earlier.review + done.review
    result.merged = earlier.merged + done.merged
    result.resumed = resumed
    result.me = db.get_setting("me_addresses", [])
    imports.record(db, (k for k, _ in targets), str(path), started,
                   {x: getattr(result, x) for x in ("added", "updated", "unchanged", "skipped", "interactions",
                                                    "duplicates")})
    return result
