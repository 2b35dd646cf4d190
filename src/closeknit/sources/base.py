"""The typed Source protocol every format satisfies, what sources yield, and the owner hints they give."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Protocol, runtime_checkable

from closeknit.records import ContactRecord, InteractionRecord, RecordError

Item = ContactRecord | InteractionRecord | RecordError


class Yields(IntEnum):
    """What a source's records are; an import stores them in this order, so messages find their people."""

    SET_ASIDE = 0  # only errors, naming entries of a folder that no parser may read
    CONTACTS = 1
    INTERACTIONS = 2


@dataclass(frozen=True)
class Owner:
    """Who the owner of a file is, as far as the file tells: hints for recognising "me"."""

    emails: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    profiles: tuple[str, ...] = ()  # profile URLs


@dataclass(frozen=True)
class Part:
    """One source read at one path: what an import target expands into."""

    source: Source
    path: Path


@runtime_checkable
class Source(Protocol):
    """A format Closeknit reads. `name` is its import kind (and the `source` of the records it yields)."""

    @property
    def name(self) -> str: ...

    @property
    def yields(self) -> Yields: ...

    @property
    def needs_me(self) -> bool:
        """Whether "me" must be known before these records are stored: they are read whole, then `owner_in`."""

    @property
    def names_from(self) -> str:
        """A source whose people a name alone in these records stands for (when exactly one has it), or ""."""

    def sniff(self, path: Path) -> bool:
        """Whether `path` is in this format (never raises on bad content)."""

    def parse(self, path: Path) -> Iterable[Item]:
        """The records of `path`; bad content comes as RecordError values."""

    def parts(self, path: Path) -> Sequence[Part]:
        """What importing `path` reads, in order: the source itself, or the several sources of a bundle."""

    def not_read(self, path: Path) -> dict[str, str]:
        """Files of a bundle at `path` that are not read, each with why."""

    def owner(self, path: Path) -> Owner:
        """What `path` states about its owner (e.g. an export's own addresses), read before anything is stored."""

    def owner_in(self, path: Path, items: Sequence[Item]) -> Owner | None:
        """Who "me" is among the records of a source that `needs_me`; None when they do not tell.

        "Me" is set from the answer, and names resolved against `names_from`, before the records are stored.
        """


@dataclass(frozen=True)
class Format:
    """A plain source: one format read by a module's `sniff` and `parse` functions, no bundle, no owner."""

    name: str
    yields: Yields
    sniff_path: Callable[[Path], bool]
    parse_path: Callable[[Path], Iterable[Item]]
    names_from: str = ""
    needs_me: bool = False

    def sniff(self, path: Path) -> bool:
        return self.sniff_path(path)

    def parse(self, path: Path) -> Iterable[Item]:
        return self.parse_path(path)

    def parts(self, path: Path) -> Sequence[Part]:
        return [Part(self, path)]

    def not_read(self, path: Path) -> dict[str, str]:
        return {}

    def owner(self, path: Path) -> Owner:
        return Owner()

    def owner_in(self, path: Path, items: Sequence[Item]) -> Owner | None:
        return None
