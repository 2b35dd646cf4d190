"""Find what to import under a path: each file's or folder's source, from the registry's sniffers."""

from __future__ import annotations

from pathlib import Path

from closeknit import sources
from closeknit.errors import InputError
from closeknit.sources import registry, walk
from closeknit.sources.base import Yields

OTHER_SUFFIXES = (".vcf", ".vcard", ".ics", ".csv", ".zip")  # files that make a folder more than a mail tree


def sniff_file(path: Path) -> str | None:
    """The kind of one file, or None when no source recognises it."""
    source = sources.sniff(path)
    return source.name if source else None


def detect(path: Path, unread: list[Path] | None = None) -> list[tuple[str, Path]]:
    """(kind, path) pairs to import for a file or a folder (walked in sorted order, each real file once);
    the files of a folder in no format a source reads are added to `unread`.

    A folder holding entries that cannot be read (or whose name is not UTF-8) comes first, as kind
    "skipped": importing it quarantines one line naming each of them. Then contacts before
    interactions, so messages find the people they are about.
    """
    if walk.has_bad_name(path):
        raise InputError(f"{walk.shown(path)}: {walk.BAD_NAME}")
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    why = walk.problem(path)
    if why:
        raise InputError(f"{path}: {why}")
    if path.is_file():
        kind = sniff_file(path)
        if kind is None:
            raise InputError(f"{path}: not a format Closeknit reads (LinkedIn export, vCard, contacts CSV, mail, .ics)")
        return [(kind, path)]
    tree = walk.Walk()
    tree.first_visit(path)
    found = _detect_dir(path, tree, [] if unread is None else unread)
    if not any(k != walk.SOURCE for k, _ in found):
        raise InputError(f"{path}: no file in a format Closeknit reads")
    return sorted(found, key=lambda kp: registry.import_order(sources.get(kp[0])))


def _detect_dir(folder: Path, tree: walk.Walk, unread: list[Path]) -> list[tuple[str, Path]]:
    """Targets in a folder: one a source reads whole (an export, a mail tree), else file by file.

    A folder of interactions (a mail tree) is taken file by file when other formats' files sit in it.
    """
    whole = sources.sniff(folder)
    if whole is not None and whole.yields != Yields.INTERACTIONS:
        return [(whole.name, folder)]
    files, folders, aside = tree.entries(folder)
    found = [(walk.SOURCE, folder)] if aside else []
    if whole is not None and not any(f.suffix.lower() in OTHER_SUFFIXES for f in files):
        return [*found, (whole.name, folder)]
    for f in files:
        kind = sniff_file(f)
        if kind:
            found.append((kind, f))
        else:
            unread.append(f)
    for sub in folders:
        found += _detect_dir(sub, tree, unread)
    return found
