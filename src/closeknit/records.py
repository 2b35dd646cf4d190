"""Plain records that parsers yield and the store consumes: contacts, interactions, errors."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from typing import TypeVar

R = TypeVar("R")
# How Closeknit's own exports name a person (closeknit:<database id>:<person id>), as a record's uid.
OWN_ID = "closeknit:"


def _pickle_as_call(cls: type[R]) -> type[R]:
    """Pickle a slotted dataclass as a constructor call: several times cheaper than the default."""
    fields = attrgetter(*cls.__slots__)  # type: ignore[attr-defined]
    cls.__reduce__ = lambda self: (cls, fields(self))  # type: ignore[method-assign]
    return cls


def content_hash(text: str) -> str:
    """A stable id for a piece of raw text (first 20 hex digits of its SHA-256)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:20]


@_pickle_as_call
@dataclass(slots=True)
class ContactRecord:
    """One contact as a source file states it; identifiers are raw (not yet normalised)."""

    source: str  # "linkedin", "vcard", "csv"
    file: str  # path of the file the record came from
    record: int  # 1-based card number or CSV line number
    raw: str  # the record's exact text
    name: str = ""  # display name as written
    given: str = ""
    family: str = ""
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    organization: str = ""
    title: str = ""
    notes: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    birthday: str = ""  # ISO date when known, else as written
    addresses: list[str] = field(default_factory=list)
    connected_on: str = ""  # ISO date: when the user connected (LinkedIn)
    uid: str = ""  # a natural key from the source (vCard UID), when present


@_pickle_as_call
@dataclass(slots=True)
class Party:
    """A participant in an interaction: an address and/or a display name, with a role."""

    address: str  # email address, LinkedIn profile URL, or "" when only a name is known
    name: str = ""
    role: str = "to"  # from, to, cc, bcc, organizer, attendee
    status: str = ""  # calendar PARTSTAT (ACCEPTED, DECLINED, ...), "" for mail


@_pickle_as_call
@dataclass(slots=True)
class InteractionRecord:
    """One interaction (a message, a meeting occurrence, a logged call) from a source."""

    source: str  # "mail", "ics", "linkedin_messages", "linkedin_invitations", "manual"
    channel: str  # email, meeting, linkedin, call, coffee, message, other
    file: str
    record: int
    raw: str  # header block / event text / CSV row
    key: str  # natural key: Message-ID, UID+occurrence, ... (unique per channel)
    when: datetime | None  # timezone-aware UTC
    parties: list[Party] = field(default_factory=list)
    subject: str = ""
    when_flagged: str = ""  # why `when` is approximate ("no Date header, used mbox separator")
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    bulk: str = ""  # why this is bulk/automated ("List-Id", "no-reply sender", ...) or ""
    folder: str = ""  # mail folder / calendar name
    size: int = 0  # meeting size or recipient count
    duration_minutes: int = 0
    cancelled: bool = False
    direction: str = ""  # out, in, both: only when the source states it (manual log)
    note: str = ""


@_pickle_as_call
@dataclass(slots=True)
class RecordError:
    """A record a parser could not use; kept in quarantine with its raw text."""

    file: str
    record: int
    reason: str
    raw: str = ""

    def line(self) -> str:
        return f"{self.file} record {self.record}: {self.reason}"


ContactItem = ContactRecord | RecordError
InteractionItem = InteractionRecord | RecordError
