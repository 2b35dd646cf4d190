"""Contacts CSV files: Google (old and new), Outlook, Thunderbird and any CSV with name/email columns."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from closeknit.records import ContactItem, ContactRecord, RecordError
from closeknit.sources import csvutil, linkedin, registry, textio
from closeknit.sources.base import Format, Yields
from closeknit.sources.csvutil import BadRow, Dates, Layout, Row

SOURCE = "csv"

NO_HEADER = "no header with name or email columns"
EMPTY_ROW = "row without a name, email, phone or organisation"
OWN_COLUMN = "closeknit id"  # the column of Closeknit's own CSV export holding its id, normalised

_NAME = {
    "name",
    "full name",
    "fullname",
    "display name",
    "displayname",
    "contact name",
    "formatted name",
}
_GIVEN = {"first name", "firstname", "first", "given name", "givenname", "given", "forename", "first names"}
_MIDDLE = {"middle name", "middlename", "middle", "additional name", "middle names"}
_FAMILY = {"last name", "lastname", "last", "family name", "familyname", "family", "surname"}
_NICK = {"nickname", "nick name", "nick", "short name"}
_ORG = re.compile(r"^(?:(?:organi[sz]ation|company)(?: \d+)?(?: name)?|companies|employer|org|work company)$")
_TITLE = re.compile(r"^(?:job title|jobtitle|position|role|designation|(?:organi[sz]ation|company)(?: \d+)? title)$")
_NOTES = {"notes", "note", "comments", "comment", "remarks"}
_TAGS = {"group membership", "groups", "group", "labels", "label", "categories", "category", "tags", "tag", "lists"}
_BIRTHDAY = {"birthday", "birth date", "birthdate", "date of birth", "dob", "bday"}
_CONNECTED = {"connected on", "connected"}
_NOT_VALUE = {"type", "label", "yomi", "phonetic", "display", "routing", "confirmed", "status", "verified"}
_NOT_PHONE = {"fax", "pager", "telex", "isdn", "tty", "tdd", "assistant's", "assistant", "assistants", "callback"}
_PHONE_WORDS = {"phone", "phones", "mobile", "cell", "cellphone", "cellular", "telephone", "tel", "mobilephone"}
_URL_WORDS = {"web", "website", "websites", "url", "urls", "homepage", "webpage", "sites", "site", "profiles", "blog"}
_ADDRESS_FULL = re.compile(r"^(?:(?:postal|mailing|full) address|addresses|address(?: \d+)? formatted)$")
_ADDRESS_PART = re.compile(
    r"^(home|business|work|other|street|address \d+|)\s*"
    r"(street(?: \d)?|address(?: \d)?|extended address|po box|city|state|region|province|"
    r"zip|zipcode|zip code|postal code|postcode|country|country region)$"
)
_LINKEDIN_META = ({"email address", "confirmed", "primary"}, {"first name", "last name", "headline"})


@dataclass(slots=True)
class _Plan:
    """Column indexes for each field of a contact, computed once per file."""

    name: list[int] = field(default_factory=list)
    given: list[int] = field(default_factory=list)
    middle: list[int] = field(default_factory=list)
    family: list[int] = field(default_factory=list)
    nick: list[int] = field(default_factory=list)
    emails: list[int] = field(default_factory=list)
    phones: list[int] = field(default_factory=list)
    urls: list[int] = field(default_factory=list)
    org: list[int] = field(default_factory=list)
    title: list[int] = field(default_factory=list)
    notes: list[int] = field(default_factory=list)
    tags: list[int] = field(default_factory=list)
    birthday: list[int] = field(default_factory=list)
    birth_ymd: list[int] = field(default_factory=lambda: [-1, -1, -1])
    connected: list[int] = field(default_factory=list)
    addresses: list[list[int]] = field(default_factory=list)  # per address: formatted first, then parts
    formatted: list[bool] = field(default_factory=list)

    def naming(self) -> bool:
        return bool(self.name or self.given or self.family or self.nick or self.emails)

    def known(self) -> int:
        return sum(
            len(x) for x in (self.name, self.given, self.middle, self.family, self.nick, self.emails, self.phones)
        ) + sum(len(x) for x in (self.urls, self.org, self.title, self.notes, self.tags, self.birthday))


def _plan(names: list[str]) -> _Plan:
    plan = _Plan()
    have = set(names)
    title_is_prefix = bool(have & {"job title", "suffix", "middle name", "name suffix"})
    groups: dict[str, list[int]] = {}
    formatted: dict[str, int] = {}
    late_title: list[int] = []
    for i, name in enumerate(names):
        words = set(name.split())
        if name in _TAGS:
            plan.tags.append(i)
        elif name in _NAME:
            plan.name.append(i)
        elif not name or words & _NOT_VALUE or len(words) > 4:
            continue  # empty, a type/label column, or prose (a preamble line) rather than a column name
        elif name in _GIVEN:
            plan.given.append(i)
        elif name in _MIDDLE:
            plan.middle.append(i)
        elif name in _FAMILY:
            plan.family.append(i)
        elif name in _NICK:
            plan.nick.append(i)
        elif "email" in words or "emails" in words or name == "mail":
            plan.emails.append(i)
        elif words & _PHONE_WORDS and not words & _NOT_PHONE and "company" not in words:
            plan.phones.append(i)
        elif _ORG.match(name):
            plan.org.append(i)
        elif _TITLE.match(name):
            plan.title.append(i)
        elif name in ("title", "occupation"):
            if name == "occupation" or not title_is_prefix:
                late_title.append(i)
        elif name in _NOTES:
            plan.notes.append(i)
        elif name in _BIRTHDAY:
            plan.birthday.append(i)
        elif name in ("birth year", "birth month", "birth day"):
            plan.birth_ymd[("birth year", "birth month", "birth day").index(name)] = i
        elif name in _CONNECTED:
            plan.connected.append(i)
        elif words & _URL_WORDS or "home page" in name or "web page" in name or "profile url" in name:
            plan.urls.append(i)
        elif _ADDRESS_FULL.match(name):
            formatted.setdefault(name.replace(" formatted", ""), i)
        elif match := _ADDRESS_PART.match(name):
            key = match.group(1) if match.group(1) not in ("", "street") else "address"
            groups.setdefault(key, []).append(i)
    plan.title.extend(late_title)
    for key in sorted(set(groups) | set(formatted), key=lambda k: min(groups.get(k, [formatted.get(k, 0)]))):
        parts = [i for i in groups.get(key, []) if i != formatted.get(key)]
        if key in formatted:
            plan.addresses.append([formatted[key], *parts])
            plan.formatted.append(True)
        else:
            plan.addresses.append(parts)
            plan.formatted.append(False)
    return plan


def _score(names: list[str]) -> int:
    plan = _plan(names)
    return plan.known() if plan.naming() else 0


def _is_contacts(data: bytes) -> bool:
    if not data or textio.looks_binary(data):
        return False
    lines = csvutil.split_lines(textio.decode(data))
    first = next((line.strip().lstrip("\ufeff").upper() for line in lines if line.strip()), "")
    if first.startswith("BEGIN:"):
        return False  # vCard or iCalendar text (a bare VALARM or VTODO too), whatever its lines look like
    layout = csvutil.find_header(lines, _score, max_rows=5)
    if layout is None:
        return False
    plan = _plan(layout.names)
    if plan.known() < 2 and not plan.emails:
        return False  # a lone "Name" column (a price list?) is too weak to call it a contacts file
    have = set(layout.names)
    if any(signature <= have for signature in _LINKEDIN_META):
        return False
    return csvutil.find_header(lines, linkedin.connections_score) is None


def sniff(path: Path | str) -> bool:
    """True for a CSV file whose header has name and/or email columns (not a LinkedIn Connections.csv)."""
    path = Path(path)
    try:
        if not path.is_file():
            return False
        return _is_contacts(csvutil.read_head(path))
    except Exception:
        return False


def parse(path: Path | str) -> Iterator[ContactItem]:
    """Contacts from a CSV file; rows that cannot be used come out as RecordError with their text."""
    path = Path(path)
    file = str(path)
    lines = csvutil.lines_or_error(lambda: csvutil.read_file(path), file)
    if isinstance(lines, RecordError):
        yield lines
        return
    layout = csvutil.find_header(lines, _score)
    if layout is None:
        yield RecordError(file, 0, NO_HEADER)
        return
    yield from _records(file, lines, layout)


def _first(f: list[str], indexes: list[int]) -> str:
    for i in indexes:
        value = f[i]
        if value and (value := value.strip()):
            return value
    return ""


def _values(f: list[str], indexes: list[int], split_lists: bool = False) -> list[str]:
    out: list[str] = []
    for i in indexes:
        value = f[i]
        if not value:
            continue
        if csvutil.MULTI_SEP not in value and not (split_lists and value.count("@") > 1):
            value = value.strip()
            if value and value not in out:
                out.append(value)
            continue
        for part in csvutil.split_multi(value):
            pieces = [part]
            if split_lists and part.count("@") > 1:
                pieces = [p for p in re.split(r"[;,\s]+", part) if p]
            for piece in pieces:
                if piece not in out:
                    out.append(piece)
    return out


def _tags(f: list[str], indexes: list[int], cache: dict[str, list[str]]) -> list[str]:
    out: list[str] = []
    for i in indexes:
        value = f[i]
        if not value:
            continue
        tags = cache.get(value)
        if tags is None:
            tags = []
            for part in csvutil.split_multi(value):
                for tag in part.split(";"):
                    tag = tag.strip()
                    if tag and not tag.startswith("*") and tag not in tags:
                        tags.append(tag)
            if len(cache) < 10000:
                cache[value] = tags
        out.extend(t for t in tags if t not in out)
    return out


def _addresses(f: list[str], plan: _Plan) -> list[str]:
    out: list[str] = []
    for indexes, has_formatted in zip(plan.addresses, plan.formatted, strict=True):
        if not any(f[i] for i in indexes):
            continue
        if has_formatted and f[indexes[0]].strip():
            values = csvutil.split_multi(f[indexes[0]])
        else:
            parts = [f[i].strip() for i in (indexes[1:] if has_formatted else indexes)]
            joined = ", ".join(p for p in parts if p)
            values = [joined] if joined else []
        for value in values:
            value = ", ".join(line.strip() for line in value.splitlines() if line.strip())
            if value and value not in out:
                out.append(value)
    return out


_NO_BIRTHDAY = {"0/0/00", "0/0/0000", "00/00/0000", "0000-00-00", "1/1/0001", "0001-01-01"}


def _birthday(f: list[str], plan: _Plan, dates: Dates) -> str:
    value = _first(f, plan.birthday)
    if value:
        if value in _NO_BIRTHDAY:
            return ""
        return dates.iso_date(value) or value
    y, m, d = (f[i].strip() if i >= 0 else "" for i in plan.birth_ymd)
    if m.isdigit() and d.isdigit() and 1 <= int(m) <= 12 and 1 <= int(d) <= 31:
        if y.isdigit() and len(y) == 4:
            iso = dates.iso_date(f"{y}-{m}-{d}")
            if iso:
                return iso
        return f"--{int(m):02d}-{int(d):02d}"
    return ""


def _picker(indexes: list[int]) -> Callable[[list[str]], list[str]]:
    def pick(fields: list[str]) -> list[str]:
        return [fields[i] for i in indexes if i < len(fields)]

    return pick


def _records(file: str, lines: list[str], layout: Layout) -> Iterator[ContactItem]:
    ncols = len(layout.header)
    plan = _plan(layout.names)
    birthdays, connected = Dates(), Dates()
    tag_cache: dict[str, list[str]] = {}
    rows: Iterator[Row | BadRow] = csvutil.iter_rows(lines, layout)
    for dates, indexes in ((birthdays, plan.birthday), (connected, plan.connected)):
        if indexes:
            rows = csvutil.settle(rows, dates, _picker(indexes))
    own = layout.index(OWN_COLUMN)  # Closeknit's own export (>= 0): read back exactly
    for row in rows:
        if isinstance(row, BadRow):
            yield row.error(file)
            continue
        f = csvutil.padded([csvutil.spreadsheet_value(c) for c in row.fields] if own >= 0 else row.fields, ncols)
        given = _first(f, plan.given)
        middle = _first(f, plan.middle)
        family = _first(f, plan.family)
        name = _first(f, plan.name) or " ".join(p for p in (given, middle, family) if p) or _first(f, plan.nick)
        emails = _values(f, plan.emails, split_lists=True)
        phones = _values(f, plan.phones)
        organization = _first(f, plan.org)
        if own >= 0:  # a person of Closeknit's own export is one even when nothing else is known
            yield _own_record(file, row, f, plan, connected, f[own].strip())
            continue
        if not (name or emails or phones or organization):
            yield RecordError(file, row.line, EMPTY_ROW, row.raw)
            continue
        yield ContactRecord(
            source=SOURCE,
            file=file,
            record=row.line,
            raw=row.raw,
            name=name,
            given=given,
            family=family,
            emails=emails,
            phones=phones,
            urls=_values(f, plan.urls) if plan.urls else [],
            organization=organization,
            title=_first(f, plan.title),
            notes=[n for n in (f[i].strip() for i in plan.notes) if n],
            tags=_tags(f, plan.tags, tag_cache) if plan.tags else [],
            birthday=_birthday(f, plan, birthdays),
            addresses=_addresses(f, plan) if plan.addresses else [],
            connected_on=connected.iso_date(_first(f, plan.connected)) if plan.connected else "",
        )


def _own_record(file: str, row: Row, f: list[str], plan: _Plan, connected: Dates, uid: str) -> ContactRecord:
    """A row of Closeknit's CSV export: its id, and every list split only where the export joined it."""

    def listed(indexes: list[int]) -> list[str]:
        return [v for i in indexes for v in f[i].split(csvutil.MULTI_SEP) if v.strip()]

    return ContactRecord(
        source=SOURCE,
        file=file,
        record=row.line,
        raw=row.raw,
        name=_first(f, plan.name),
        given=_first(f, plan.given),
        family=_first(f, plan.family),
        emails=listed(plan.emails),
        phones=listed(plan.phones),
        urls=listed(plan.urls),
        organization=_first(f, plan.org),
        title=_first(f, plan.title),
        notes=listed(plan.notes),
        tags=listed(plan.tags),
        birthday=_first(f, plan.birthday),
        connected_on=connected.iso_date(_first(f, plan.connected)) if plan.connected else "",
        uid=uid,
    )


FORMAT = registry.register(Format(SOURCE, Yields.CONTACTS, sniff, parse))
