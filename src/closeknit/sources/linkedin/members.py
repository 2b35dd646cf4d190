"""The files of a LinkedIn export (folder or zip): finding the ones read, and saying why the others are not."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path

from closeknit.errors import InputError
from closeknit.records import RecordError
from closeknit.sources import csvutil

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
UNREADABLE_ZIP = "not a readable zip file"

WALK_DEPTH = 3  # folder levels searched below an export folder


def walk(folder: Path, depth: int = WALK_DEPTH) -> list[Path]:
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


def top_connections(folder: Path) -> list[Path]:
    """Connections.csv directly in `folder`, or in its only subfolder (an unzipped export's top folder)."""
    entries = [e for e in folder.iterdir() if not e.name.startswith(".")]
    here = [e for e in entries if e.name.lower() == CONNECTIONS and e.is_file()]
    if here:
        return here
    if len(entries) == 1 and entries[0].is_dir():
        return [e for e in entries[0].iterdir() if e.name.lower() == CONNECTIONS and e.is_file()]
    return []


def is_zip(path: Path) -> bool:
    if path.suffix.lower() == ".zip":
        return True
    try:
        head = csvutil.read_head(path, 4)
    except OSError:
        return False
    return head.startswith(b"PK") and zipfile.is_zipfile(path)


def is_export(path: Path) -> bool:
    """Whether `path` is a whole export (a folder or a zip), not one of its files."""
    return path.is_dir() or zipfile.is_zipfile(path)


def member_base(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1].lower()


def _is_file(info: zipfile.ZipInfo) -> bool:
    """A member holding a file: not a folder, and named (a damaged archive may hold a member with no name,
    on which `ZipInfo.is_dir` fails)."""
    return bool(info.filename) and not info.filename.endswith("/")


def zip_names(path: Path, wanted: frozenset[str] | None = None) -> dict[str, str]:
    """{name as records carry it: member name} of the files of an export zip (only `wanted` base names)."""
    with zipfile.ZipFile(path) as archive:
        return {f"{path}!{i.filename}": i.filename for i in archive.infolist()
                if _is_file(i) and "__MACOSX" not in i.filename
                and (wanted is None or member_base(i.filename) in wanted)}


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
            yield RecordError(str(path), 0, UNREADABLE_ZIP)
            return
        for info in infos:
            name = info.filename
            if not _is_file(info) or "__MACOSX" in name or member_base(name) not in wanted:
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


def export_files(path: Path, wanted: frozenset[str]) -> Iterator[tuple[str, list[str]] | RecordError]:
    """(file name for records, its lines) of each wanted export file in a folder or zip; a plain file itself.

    A file is read within csvutil's limits; one beyond them, binary or empty is a RecordError instead.
    """
    if path.is_dir():
        try:
            files = [p for p in walk(path) if p.name.lower() in wanted]
        except OSError as exc:
            raise csvutil.unreadable(path, exc) from exc
        for file in files:
            try:
                item = _read(file)
            except InputError as exc:  # one unreadable file of an export folder: the rest still lands
                item = RecordError(str(file), 0, str(exc))
            yield item
    elif is_zip(path):
        yield from _zip_members(path, wanted)
    else:
        yield _read(path)


def _read(path: Path) -> tuple[str, list[str]] | RecordError:
    """One file's lines (an OSError is an InputError naming it)."""
    lines = csvutil.lines_or_error(lambda: csvutil.read_file(path), str(path))
    return lines if isinstance(lines, RecordError) else (str(path), lines)


def unread(path: Path | str) -> dict[str, str]:
    """The files of an export folder or zip that are not read, each with why (file name as records carry it)."""
    path = Path(path)
    try:
        if path.is_dir():
            names = {str(p): p.name for p in walk(path)}
        elif is_zip(path):
            names = zip_names(path)
        else:
            return {}
    except (OSError, zipfile.BadZipFile):
        return {}
    out: dict[str, str] = {}
    for shown, name in names.items():
        base = member_base(name)
        if base not in READ and not base.startswith("."):
            out[shown] = _NOT_READ_WHY.get(base, _NOT_READ)
    return out
