"""The registry of sources: which formats exist, the order they are sniffed in, the import kinds."""

from __future__ import annotations

from pathlib import Path

from closeknit.sources.base import Source, Yields

_SOURCES: list[Source] = []  # in detection order: the specific formats before the catch-alls


def register(source: Source, before: str | None = None) -> Source:
    """Add `source`, sniffed after those registered so far, or just ahead of the source named `before`."""
    if any(s.name == source.name for s in _SOURCES):
        raise ValueError(f"a source named {source.name!r} is registered already")
    at = next((i for i, s in enumerate(_SOURCES) if s.name == before), len(_SOURCES))
    _SOURCES.insert(at, source)
    return source


def unregister(name: str) -> None:
    """Remove the source named `name` (nothing happens when there is none)."""
    _SOURCES[:] = [s for s in _SOURCES if s.name != name]


def sources() -> list[Source]:
    """Every registered source, in detection order."""
    return list(_SOURCES)


def get(name: str) -> Source:
    """The source named `name` (KeyError when none is)."""
    for source in _SOURCES:
        if source.name == name:
            return source
    raise KeyError(name)


def kinds() -> list[str]:
    """The import kinds a user can name: every source that reads a format."""
    return [s.name for s in _SOURCES if s.yields != Yields.SET_ASIDE]


def sniff(path: Path) -> Source | None:
    """The first source, in detection order, that recognises the file or folder `path`, or None."""
    for source in _SOURCES:
        try:
            if source.sniff(path):
                return source
        except OSError:
            return None
    return None


def import_order(source: Source) -> int:
    """Sort key of import targets: set-aside entries, then contacts, then interactions, each in detection order."""
    return source.yields * len(_SOURCES) + _SOURCES.index(source)
