"""LinkedIn data exports (CSV, folder or zip): connections, address book, messages, invitations, the owner."""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import partial
from pathlib import Path

from closeknit.errors import InputError
from closeknit.identity import normalise
from closeknit.mailconv import normal_subject
from closeknit.records import (
    ContactItem,
    ContactRecord,
    InteractionItem,
    InteractionRecord,
    Party,
    RecordError,
    content_hash,
)
from closeknit.sources import csvutil, textio
from closeknit.sources.csvutil import BadRow, Dates, Layout, Row

SOURCE = "linkedin"
CONTACTS_SOURCE = "linkedin_contacts"  # the address book the owner uploaded to LinkedIn
MESSAGES_SOURCE = "linkedin_messages"
INVITATIONS_SOURCE = "linkedin_invitations"
CHANNEL = "linkedin"

CONNECTIONS = "connections.csv"
MESSAGES = "messages.csv"
INVITATIONS = "invitations.csv"
EMAIL_ADDRESSES = "email addresses.csv"
PROFILE = "profile.csv"
ADDRESS_BOOKS = frozenset({"contacts.csv", "imported contacts.csv"})
READ = frozenset({CONNECTIONS, MESSAGES, INVITATIONS, EMAIL_ADDRESSES, PROFILE, *ADDRESS_BOOKS})

# Why the other files of an export are not read (by lower-case name); any other file: _NOT_READ.
_ABOUT_YOU = "about you, not your network"
_NOT_READ_WHY = {
    **dict.fromkeys((
        "positions.csv", "education.csv", "skills.csv", "languages.csv", "certifications.csv", "projects.csv",
        "courses.csv", "honors.csv", "publications.csv", "patents.csv", "volunteering.csv", "causes you care about.csv",
        "phonenumbers.csv", "phone numbers.csv", "registration.csv", "logins.csv", "ad_targeting.csv",
        "inferences_about_you.csv", "learning.csv", "rich_media.csv", "searchqueries.csv", "job applications.csv",
        "saved jobs.csv", "job seeker preferences.csv", "company follows.csv", "member_follows.csv",
        "hashtag_follows.csv", "shares.csv", "comments.csv", "reactions.csv", "votes.csv", "receipts.csv",
        "receipts_v2.csv", "events.csv", "security challenges.csv", "whatsapp phone numbers.csv",
        "verifications.csv", "private_identity_asset.csv", "savedjobalerts.csv", "services marketplace.csv",
        "providers.csv", "instantreposts.csv", "test scores.csv", "organizations.csv", "articles.csv",
    ), _ABOUT_YOU),
    **dict.fromkeys((
        "recommendations_given.csv", "recommendations_received.csv", "endorsement_given_info.csv",
        "endorsement_received_info.csv", "guide_messages.csv", "learning_coach_messages.csv",
        "learning_role_play_messages.csv",
    ), "not read yet: endorsements, recommendations and assistant chats are not interactions Closeknit counts"),
}
_NOT_READ = "not a LinkedIn file Closeknit reads"
# The name LinkedIn writes for a member whose profile is hidden: the same words for unrelated people.
PLACEHOLDER_NAMES = frozenset({"linkedin member"})
PROMOTIONAL = "sent by LinkedIn (promotional)"
SPONSORED = "sponsored message (a sender without a profile)"

WALK_DEPTH = 3  # folder levels searched below an export folder

NO_ZONE = "no time zone in the export, taken as UTC"

_CONNECTION_COLUMNS = (
    "first name",
    "last name",
    "url",
    "profile url",
    "email address",
    "email",
    "company",
    "position",
    "connected on",
)


# ---------------------------------------------------------------- finding export files


def _walk(folder: Path, depth: int = WALK_DEPTH) -> list[Path]:
    """Files under `folder`, at most `depth` levels down, in a stable order."""
    found: list[Path] = []
    base = len(folder.parts)
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        if len(here.parts) - base >= depth:
            dirs[:] = []
        dirs.sort()
        found.extend(here / name for name in sorted(files))
    return found


def _top_connections(folder: Path) -> list[Path]:
    """Connections.csv directly in `folder`, or in its only subfolder (an unzipped export's top folder)."""
    entries = [e for e in folder.iterdir() if not e.name.startswith(".")]
    here = [e for e in entries if e.name.lower() == CONNECTIONS and e.is_file()]
    if here:
        return here
    if len(entries) == 1 and entries[0].is_dir():
        return [e for e in entries[0].iterdir() if e.name.lower() == CONNECTIONS and e.is_file()]
    return []


def _is_zip(path: Path) -> bool:
    if path.suffix.lower() == ".zip":
        return True
    try:
        head = csvutil.read_head(path, 4)
    except OSError:
        return False
    return head.startswith(b"PK") and zipfile.is_zipfile(path)


def _member_base(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1].lower()


def _zip_members(path: Path, wanted: frozenset[str]) -> Iterator[tuple[str, list[str]] | RecordError]:
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise csvutil.unreadable(path, exc) from exc
    with handle:
        try:
            archive = zipfile.ZipFile(handle)
            infos = archive.infolist()
        except Exception:
            yield RecordError(str(path), 0, "not a readable zip file")
            return
        for info in infos:
            name = info.filename
            if info.is_dir() or "__MACOSX" in name or _member_base(name) not in wanted:
                continue
            display = f"{path}!{name}"
            if info.file_size > csvutil.MAX_BYTES:
                yield csvutil.too_large(display)
                continue
            try:
                with archive.open(info) as member:  # the declared size may lie: the bytes read are counted
                    lines = csvutil.lines_or_error(partial(csvutil.read_capped, member, display), display)
            except Exception:
                yield RecordError(display, 0, "zip member unreadable (corrupt, encrypted or unsupported)")
                continue
            yield lines if isinstance(lines, RecordError) else (display, lines)


def _export_files(path: Path, wanted: frozenset[str]) -> Iterator[tuple[str, list[str]] | RecordError]:
    """(file name for records, its lines) of each wanted export file in a folder or zip; a plain file itself.

    A file is read within csvutil's limits; one beyond them, binary or empty is a RecordError instead.
    """
    if path.is_dir():
        try:
            files = [p for p in _walk(path) if p.name.lower() in wanted]
        except OSError as exc:
            raise csvutil.unreadable(path, exc) from exc
        for file in files:
            try:
                item = _read(file)
            except InputError as exc:  # one unreadable file of an export folder: the rest still lands
                item = RecordError(str(file), 0, str(exc))
            yield item
    elif _is_zip(path):
        yield from _zip_members(path, wanted)
    else:
        yield _read(path)


def _read(path: Path) -> tuple[str, list[str]] | RecordError:
    """One file's lines (an OSError is an InputError naming it)."""
    lines = csvutil.lines_or_error(lambda: csvutil.read_file(path), str(path))
    return lines if isinstance(lines, RecordError) else (str(path), lines)


# ---------------------------------------------------------------- header scores


def connections_score(names: list[str]) -> int:
    """Header score of a LinkedIn Connections.csv (0 when the normalised header is not one)."""
    have = set(names)
    if "first name" not in have or "last name" not in have:
        return 0
    if "connected on" in have or ("company" in have and "position" in have and len(names) <= 10):
        return sum(1 for column in _CONNECTION_COLUMNS if column in have)
    return 0


def _messages_score(names: list[str]) -> int:
    have = set(names)
    if "conversation id" in have or {"from", "to", "date"} <= have:
        return len(have & {"conversation id", "from", "to", "date", "subject", "content", "folder"})
    return 0


def _invitations_score(names: list[str]) -> int:
    have = set(names)
    if {"from", "to", "sent at"} <= have or ("direction" in have and "sent at" in have):
        return len(have & {"from", "to", "sent at", "message", "direction"})
    return 0


def _emails_score(names: list[str]) -> int:
    return 1 if "email address" in names else 0


def _profile_score(names: list[str]) -> int:
    return 1 if "first name" in names and "last name" in names else 0


def _is_connections(data: bytes) -> bool:
    if not data or textio.looks_binary(data):
        return False
    lines = csvutil.split_lines(textio.decode(data))
    return csvutil.find_header(lines, connections_score) is not None


# ---------------------------------------------------------------- sniff


def sniff(path: Path | str) -> bool:
    """True for a LinkedIn Connections.csv, a folder holding one, or an export zip holding one."""
    path = Path(path)
    try:
        if path.is_dir():
            return any(_is_connections(csvutil.read_head(p)) for p in _top_connections(path))
        if _is_zip(path):
            with zipfile.ZipFile(path) as archive:
                return any(
                    _member_base(info.filename) == CONNECTIONS and "__MACOSX" not in info.filename
                    for info in archive.infolist()
                )
        return _is_connections(csvutil.read_head(path))
    except Exception:
        return False


# ---------------------------------------------------------------- connections


def parse(path: Path | str) -> Iterator[ContactItem]:
    """Contacts from Connections.csv files in a file, an export folder or an export zip, then the
    export's address book (Contacts.csv, Imported Contacts.csv: contacts the owner uploaded)."""
    path = Path(path)
    found = read = False
    for item in _export_files(path, frozenset({CONNECTIONS})):
        found = True
        if isinstance(item, RecordError):
            yield item
        else:
            read = True
            yield from _connections(*item)
    if not found:
        yield RecordError(str(path), 0, "no Connections.csv in this LinkedIn export")
    if read and (path.is_dir() or _is_zip(path)):
        for item in _export_files(path, ADDRESS_BOOKS):
            if isinstance(item, RecordError):
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
            source=CONTACTS_SOURCE,
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


def unread(path: Path | str) -> dict[str, str]:
    """The files of an export folder or zip that are not read, each with why (file name as records carry it)."""
    path = Path(path)
    try:
        if path.is_dir():
            names = {str(p): p.name for p in _walk(path)}
        elif _is_zip(path):
            with zipfile.ZipFile(path) as archive:
                names = {f"{path}!{i.filename}": i.filename for i in archive.infolist()
                         if not i.is_dir() and "__MACOSX" not in i.filename}
        else:
            return {}
    except (OSError, zipfile.BadZipFile):
        return {}
    out: dict[str, str] = {}
    for shown, name in names.items():
        base = _member_base(name)
        if base not in READ and not base.startswith("."):
            out[shown] = _NOT_READ_WHY.get(base, _NOT_READ)
    return out


def _connections(file: str, lines: list[str]) -> Iterator[ContactItem]:
    layout = csvutil.find_header(lines, connections_score)
    if layout is None:
        yield RecordError(file, 0, "no LinkedIn Connections header (First Name, Last Name, Connected On)")
        return
    ncols = len(layout.header)
    col = layout.column

    i_first, i_last = col("first name"), col("last name")
    i_url, i_email = col("url", "profile url", "linkedin url"), col("email address", "email")
    i_company, i_position, i_on = col("company"), col("position", "title"), col("connected on")
    dates = Dates()
    for row in _dated_rows(lines, layout, dates, i_on):
        if isinstance(row, BadRow):
            yield row.error(file)
            continue
        f = csvutil.padded(row.fields, ncols)
        first, last = f[i_first].strip(), f[i_last].strip()
        email, url = f[i_email].strip(), f[i_url].strip()
        if not (first or last or email or url):
            yield RecordError(file, row.line, "connection without a name, email or profile URL", row.raw)
            continue
        yield ContactRecord(
            source=SOURCE,
            file=file,
            record=row.line,
            raw=row.raw,
            name=f"{first} {last}".strip(),
            given=first,
            family=last,
            emails=[email] if email else [],
            urls=[url] if url else [],
            organization=f[i_company].strip(),
            title=f[i_position].strip(),
            connected_on=dates.iso_date(f[i_on].strip()),
        )


# ---------------------------------------------------------------- messages and invitations


def interaction_files(path: Path | str) -> list[str]:
    """Names (as records will carry them) of the messages and invitations files in an export."""
    path = Path(path)
    wanted = frozenset({MESSAGES, INVITATIONS})
    try:
        if path.is_dir():
            return [str(p) for p in _walk(path) if p.name.lower() in wanted]
        if _is_zip(path):
            with zipfile.ZipFile(path) as archive:
                return [
                    f"{path}!{info.filename}"
                    for info in archive.infolist()
                    if _member_base(info.filename) in wanted and "__MACOSX" not in info.filename
                ]
        data = csvutil.read_head(path)
    except Exception:
        return []
    if textio.looks_binary(data):
        return []
    lines = csvutil.split_lines(textio.decode(data))
    if csvutil.find_header(lines, _invitations_score) or csvutil.find_header(lines, _messages_score):
        return [str(path)]
    return []


def parse_interactions(path: Path | str) -> Iterator[InteractionItem]:
    """Messages and invitations from a messages/Invitations CSV, an export folder or an export zip.

    A party named without a profile URL takes the URL the export gives that name elsewhere, when it
    gives exactly one (older layouts name recipients only; invitations name both sides only).
    """
    path = Path(path)
    items: list[InteractionItem] = []
    for item in _export_files(path, frozenset({MESSAGES, INVITATIONS})):
        if isinstance(item, RecordError):
            items.append(item)
            continue
        file, lines = item
        layout = csvutil.find_header(lines, _invitations_score)
        if layout is not None:
            items.extend(_invitations(file, lines, layout))
            continue
        layout = csvutil.find_header(lines, _messages_score)
        if layout is not None:
            items.extend(_messages(file, lines, layout))
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


def _direction(value: str) -> str:
    value = value.strip().upper()
    return "in" if value == "INCOMING" else "out" if value == "OUTGOING" else ""


def _urls(value: str) -> list[str]:
    return [u for u in value.replace(",", " ").replace(";", " ").split() if u]


def is_placeholder(name: str) -> bool:
    """Whether `name` is LinkedIn's stand-in for a hidden member (never one person)."""
    return normalise.name_key(name) in PLACEHOLDER_NAMES


def _party(address: str, name: str, role: str) -> Party | None:
    """A participant; a placeholder name is no name, and no address and no name is no participant."""
    if is_placeholder(name):
        name = ""
    return Party(address, name, role) if address or name else None


def _recipients(names: str, urls: list[str]) -> list[Party]:
    if not urls:
        split = [n.strip() for n in names.split(",")] if any(is_placeholder(n) for n in names.split(",")) else [names]
        return [p for n in split if (p := _party("", n, "to"))]
    if len(urls) == 1:
        return [p for p in (_party(urls[0], names, "to"),) if p]
    split = [n.strip() for n in names.split(",")]
    if len(split) == len(urls):
        return [p for u, n in zip(urls, split, strict=True) if (p := _party(u, n, "to"))]
    return [Party(u, "", "to") for u in urls]


_LINKEDIN_SENDER = re.compile(r"^linkedin\b|\s(?:from|@)\s+linkedin\b|\sfrom$", re.IGNORECASE)


def _bulk(sender: str, sender_url: str, urls_given: bool, folder: str, title: str) -> str:
    """Why a message is promotional: LinkedIn itself ("… from LinkedIn Premium"; older exports cut the
    name after "from") or a sponsored message (its sender has no profile where the export gives profiles).
    A hidden member is not one: their message has no counterpart anyway."""
    if is_placeholder(sender):
        return ""
    if _LINKEDIN_SENDER.search(sender.strip()):
        return PROMOTIONAL
    if "sponsor" in folder.lower() or "sponsored" in title.lower():
        return SPONSORED
    if urls_given and sender.strip() and not sender_url:
        return SPONSORED
    return ""


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _dated_rows(lines: list[str], layout: Layout, dates: Dates, i_date: int) -> Iterator[Row | BadRow]:
    def pick(fields: list[str]) -> tuple[str, ...]:
        return (fields[i_date],) if i_date < len(fields) else ()

    return csvutil.settle(csvutil.iter_rows(lines, layout), dates, pick)


def _messages(file: str, lines: list[str], layout: Layout) -> Iterator[InteractionItem]:
    """The messages of one file, each linked to what it answers (see `_link_conversation`)."""
    ncols = len(layout.header)
    col = layout.column

    i_conv, i_from, i_surl = col("conversation id"), col("from"), col("sender profile url")
    i_to, i_rurls, i_date = col("to"), col("recipient profile urls", "recipient profile url"), col("date")
    i_subject, i_content, i_folder = col("subject"), col("content"), col("folder")
    i_direction, i_draft, i_title = col("direction"), col("is message draft"), col("conversation title")
    urls_given = i_surl < ncols
    dates = Dates()
    conversations: dict[str, list[tuple[InteractionRecord, str]]] = {}
    out: list[InteractionItem] = []  # in file order, once every conversation is linked
    for row in _dated_rows(lines, layout, dates, i_date):
        if isinstance(row, BadRow):
            out.append(row.error(file))
            continue
        f = csvutil.padded(row.fields, ncols)
        when, zoned = dates.instant(f[i_date].strip())
        sender, sender_url = f[i_from].strip(), f[i_surl].strip()
        recipients = _recipients(f[i_to].strip(), _urls(f[i_rurls]))
        if f[i_draft].strip().lower() in ("yes", "true"):
            out.append(RecordError(file, row.line, "draft message, never sent", row.raw))
            continue
        if when is None:
            out.append(RecordError(file, row.line, "message without a recognisable date", row.raw))
            continue
        if not (sender or sender_url or recipients):
            out.append(RecordError(file, row.line, "message without sender or recipients", row.raw))
            continue
        conversation = f[i_conv].strip()
        who = sender_url or sender
        if conversation:
            digest = content_hash(f"{who}\x1f{f[i_content]}")
        else:
            digest = content_hash(f"{who}\x1f{f[i_to].strip()}\x1f{f[i_subject].strip()}\x1f{f[i_content]}")
        sent_by = _party(sender_url, sender, "from")
        parties = [sent_by] if sent_by else []
        parties.extend(recipients)
        folder = f[i_folder].strip()
        record = InteractionRecord(
            source=MESSAGES_SOURCE,
            channel=CHANNEL,
            file=file,
            record=row.line,
            raw=row.raw,
            key=f"{conversation or '-'}/{_stamp(when)}/{digest}",
            when=when,
            parties=parties,
            subject=f[i_subject].strip(),
            when_flagged="" if zoned else NO_ZONE,
            bulk=_bulk(sender, sender_url, urls_given, folder, f[i_title]),
            folder=folder,
            size=len(recipients),
            direction=_direction(f[i_direction]),
        )
        if not conversation:  # older exports: the same people under the same subject are one conversation
            names = sorted(normalise.name_key(n) for n in [sender, *f[i_to].split(",")] if n.strip())
            conversation = "\x1f".join([*names, normal_subject(record.subject)])
        conversations.setdefault(conversation, []).append((record, who.lower()))
        out.append(record)
    for messages in conversations.values():
        _link_conversation(messages)
    yield from out


def _link_conversation(messages: list[tuple[InteractionRecord, str]]) -> None:
    """Link one conversation's messages, (record, sender) pairs: in time order, each answers the latest
    earlier message of another sender, else follows its sender's own previous one; the first starts it.

    The link is by key (`in_reply_to`), with the conversation's first message in `references`; the store
    turns them into parent and thread (store.derive).
    """
    ordered = sorted(messages, key=lambda m: (m[0].when or datetime.min, m[0].record))
    root = ordered[0][0].key
    latest: dict[str, tuple[int, str]] = {}  # sender -> (place, key) of their latest message so far
    previous = ""
    for place, (record, sender) in enumerate(ordered):
        others = [pk for s, pk in latest.items() if s != sender]
        answered = max(others)[1] if others else previous
        if answered:
            record.in_reply_to = answered
            record.references = [root]
        latest[sender] = (place, record.key)
        previous = record.key


def _invitations(file: str, lines: list[str], layout: Layout) -> Iterator[InteractionItem]:
    ncols = len(layout.header)
    col = layout.column

    i_from, i_to, i_date, i_direction = col("from"), col("to"), col("sent at", "date"), col("direction")
    i_furl = col("inviter profile url", "from profile url", "sender profile url")
    i_turl = col("invitee profile url", "to profile url", "recipient profile url")
    dates = Dates()
    for row in _dated_rows(lines, layout, dates, i_date):
        if isinstance(row, BadRow):
            yield row.error(file)
            continue
        f = csvutil.padded(row.fields, ncols)
        when, zoned = dates.instant(f[i_date].strip())
        inviter, inviter_url = f[i_from].strip(), f[i_furl].strip()
        invitee, invitee_url = f[i_to].strip(), f[i_turl].strip()
        direction = _direction(f[i_direction])
        if when is None:
            yield RecordError(file, row.line, "invitation without a recognisable date", row.raw)
            continue
        parties: list[Party] = []
        if inviter or inviter_url:
            parties.append(Party(inviter_url, inviter, "from"))
        if invitee or invitee_url:
            parties.append(Party(invitee_url, invitee, "to"))
        if not parties:
            yield RecordError(file, row.line, "invitation without sender or recipient", row.raw)
            continue
        who = f"{inviter_url or inviter}\x1f{invitee_url or invitee}\x1f{direction}"
        yield InteractionRecord(
            source=INVITATIONS_SOURCE,
            channel=CHANNEL,
            file=file,
            record=row.line,
            raw=row.raw,
            key=f"invitation/{_stamp(when)}/{content_hash(who)}",
            when=when,
            parties=parties,
            when_flagged="" if zoned else NO_ZONE,
            size=1 if invitee or invitee_url else 0,
            direction=direction,
        )


# ---------------------------------------------------------------- the owner


def _owner_rows(path: Path, name: str, score: Callable[[list[str]], int]) -> Iterator[tuple[Layout, Row]]:
    for item in _export_files(path, frozenset({name})):
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
    for layout, row in _owner_rows(Path(path), EMAIL_ADDRESSES, _emails_score):
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
    for layout, row in _owner_rows(Path(path), PROFILE, _profile_score):
        f = csvutil.padded(row.fields, len(layout.header))
        first = f[layout.index("first name")].strip()
        last = f[layout.index("last name")].strip()
        name = f"{first} {last}".strip()
        if name and name not in names:
            names.append(name)
    return names
