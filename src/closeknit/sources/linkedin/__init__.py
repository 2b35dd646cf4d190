"""LinkedIn data exports (folder or zip, or one of their CSV files), read as a bundle of sources.

An export expands into its connections, the address book the owner uploaded, then its messages and
invitations, which are read with the owner recognised as "me" (see `owner`); the other files of the
export are reported as not read, with why (see `members`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from closeknit.records import InteractionRecord
from closeknit.sources import registry
from closeknit.sources.base import Format, Item, Owner, Part, Yields
from closeknit.sources.linkedin import address_book, connections, conversations, members, messages, owner
from closeknit.sources.linkedin.connections import SOURCE, connections_score, sniff
from closeknit.sources.linkedin.conversations import interaction_files
from closeknit.sources.linkedin.conversations import parse as parse_interactions
from closeknit.sources.linkedin.members import READ, unread
from closeknit.sources.linkedin.messages import PROMOTIONAL, SPONSORED, is_placeholder
from closeknit.sources.linkedin.owner import owner_emails, owner_names

__all__ = [
    "ADDRESS_BOOK", "CONNECTIONS", "CONTACTS_SOURCE", "CONVERSATIONS", "EXPORT", "PROMOTIONAL", "READ", "SOURCE",
    "SPONSORED", "connections_score", "interaction_files", "is_placeholder", "owner_emails", "owner_names", "parse",
    "parse_interactions", "sniff", "unread",
]  # fmt: skip

CONTACTS_SOURCE = address_book.SOURCE


@dataclass(frozen=True)
class _Conversations(Format):
    """Messages and invitations: in a whole export, the owner is recognised in them before they are stored."""

    def owner_in(self, path: Path, items: Sequence[Item]) -> Owner | None:
        records = [i for i in items if isinstance(i, InteractionRecord)]
        if not records or not members.is_export(path):  # a file alone does not say whose it is
            return None
        urls, names = owner.in_conversations(records, owner_names(path))
        return Owner(names=tuple(names), profiles=tuple(urls))


CONNECTIONS = Format(SOURCE, Yields.CONTACTS, connections.sniff, connections.parse)
ADDRESS_BOOK = Format(address_book.SOURCE, Yields.CONTACTS, address_book.sniff, address_book.parse)
CONVERSATIONS = _Conversations(messages.SOURCE, Yields.INTERACTIONS, conversations.is_conversations_file,
                               conversations.parse, names_from=SOURCE, needs_me=True)


@dataclass(frozen=True)
class Export:
    """The `linkedin` import kind: a whole export, or one Connections, messages or Invitations file."""

    name: str = SOURCE
    yields: Yields = Yields.CONTACTS
    names_from: str = ""
    needs_me: bool = False

    def sniff(self, path: Path) -> bool:
        return connections.sniff(path) or conversations.is_conversations_file(path)

    def parse(self, path: Path) -> Iterable[Item]:
        return chain.from_iterable(part.source.parse(part.path) for part in self.parts(path))

    def parts(self, path: Path) -> Sequence[Part]:
        if members.is_export(path):
            return [Part(CONNECTIONS, path), Part(ADDRESS_BOOK, path), Part(CONVERSATIONS, path)]
        return [Part(CONNECTIONS if connections.sniff(path) else CONVERSATIONS, path)]

    def not_read(self, path: Path) -> dict[str, str]:
        return unread(path)

    def owner(self, path: Path) -> Owner:
        if not members.is_export(path):
            return Owner()
        return Owner(emails=tuple(owner_emails(path)), names=tuple(owner_names(path)))

    def owner_in(self, path: Path, items: Sequence[Item]) -> Owner | None:
        return None


EXPORT = registry.register(Export())


def parse(path: Path | str) -> Iterable[Item]:
    """The contacts of an export (connections, then the address book), or of one Connections.csv."""
    path = Path(path)
    return chain(connections.parse(path), address_book.parse(path))
