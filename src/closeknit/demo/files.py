"""Write the demo network as real export files: LinkedIn export, vCards, Google Contacts CSV, mail, calendar."""

from __future__ import annotations

import base64
import csv
import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from hashlib import blake2b
from pathlib import Path
from typing import IO, Any

from closeknit.demo import names
from closeknit.demo.network import EXTRA_BASE, ME, Move, Network, Person

CONTACT_FORMATS = ("linkedin", "vcard", "google")
MANIFEST = ".demo.json"  # hidden, so folder imports and sniffers pass it by
EARLIER_LINKEDIN = "linkedin-earlier"  # an export from three months before, where one person had another job
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_RECENT_INVITES = 45  # connections this many days old or newer still show in Invitations.csv
_MAX_INVITES = 200

LINKEDIN_NOTES = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses are missing. '
    "You will only see email addresses for connections who have allowed their connections to see or download "
    "their email address using this setting https://www.linkedin.com/psettings/privacy/email. You can learn "
    'more here https://www.linkedin.com/help/linkedin/answer/261"\n'
    "\n"
)
CONNECTIONS_HEADER = ("First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On")
MESSAGES_HEADER = ("CONVERSATION ID", "CONVERSATION TITLE", "FROM", "SENDER PROFILE URL", "TO",
                   "RECIPIENT PROFILE URLS", "DATE", "SUBJECT", "CONTENT", "FOLDER")
INVITATIONS_HEADER = ("From", "To", "Sent At", "Message", "Direction", "inviterProfileUrl", "inviteeProfileUrl")
PROFILE_HEADER = ("First Name", "Last Name", "Maiden Name", "Address", "Birth Date", "Headline", "Summary",
                  "Industry", "Zip Code", "Geo Location", "Twitter Handles", "Websites", "Instant Messengers")
EMAILS_HEADER = ("Email Address", "Confirmed", "Primary", "Updated On")
GOOGLE_HEADER = (
    "First Name", "Middle Name", "Last Name", "Phonetic First Name", "Phonetic Middle Name",
    "Phonetic Last Name", "Name Prefix", "Name Suffix", "Nickname", "File As", "Organization Name",
    "Organization Title", "Organization Department", "Birthday", "Notes", "Photo", "Labels",
    "E-mail 1 - Label", "E-mail 1 - Value", "E-mail 2 - Label", "E-mail 2 - Value",
    "Phone 1 - Label", "Phone 1 - Value", "Phone 2 - Label", "Phone 2 - Value",
    "Address 1 - Label", "Address 1 - Formatted", "Address 1 - Street", "Address 1 - City",
    "Address 1 - PO Box", "Address 1 - Region", "Address 1 - Postal Code", "Address 1 - Country",
    "Address 1 - Extended Address", "Website 1 - Label", "Website 1 - Value",
)
_COUNTRY_CODES = {
    "United States": "us", "Canada": "ca", "United Kingdom": "gb", "Germany": "de", "France": "fr",
    "Spain": "es", "Italy": "it", "Netherlands": "nl", "Sweden": "se", "Denmark": "dk", "Poland": "pl",
    "India": "in", "China": "cn", "Japan": "jp", "Singapore": "sg", "United Arab Emirates": "ae",
    "Nigeria": "ng", "Kenya": "ke", "Brazil": "br", "Mexico": "mx",
}


def linkedin_date(d: date) -> str:
    """LinkedIn's 2025 "Connected On" spelling: 26 Dec 2025."""
    return f"{d.day:02d} {_MONTHS[d.month - 1]} {d.year}"


def invitation_time(when: datetime) -> str:
    """Invitations.csv's "Sent At" spelling: 7/18/22, 1:42 AM."""
    hour = when.hour % 12 or 12
    return f"{when.month}/{when.day}/{when.year % 100:02d}, {hour}:{when.minute:02d} {'AM' if when.hour < 12 else 'PM'}"


def _token(*parts: object, size: int = 8) -> str:
    return blake2b(":".join(map(str, parts)).encode(), digest_size=size).hexdigest()


def _notes(p: Person) -> str:
    lines = [p.met]
    if p.offer:
        lines.append(f"Offers: {p.offer}")
    if p.need:
        lines.append(f"Needs: {p.need}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------- vCard


@lru_cache(maxsize=16384)
def escape(text: str) -> str:
    """vCard 3.0 / iCalendar text escaping (names, companies and titles repeat, hence the cache)."""
    return text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")


def content_lines(lines: list[str]) -> str:
    """Content lines joined with CRLF, each folded when longer than 75 octets."""
    return "".join([x + "\r\n" if len(x) <= 75 and (x.isascii() or len(x.encode()) <= 75) else _fold(x)
                    for x in lines])


def _fold(line: str) -> str:
    """Fold a content line at 75 octets (continuation lines start with a space), never inside a character."""
    data = line.encode()
    if len(data) <= 75:
        return line + "\r\n"
    out, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1
        out.append(data[start:end].decode())
        start, limit = end, 74
    return "\r\n ".join(out) + "\r\n"


def _qp(text: str, name: str) -> str:
    """An Android-style quoted-printable property: every byte as =XX, soft breaks before 76 columns."""
    components = text.split(";")
    value = ";".join("".join(f"={b:02X}" for b in c.encode()) for c in components)
    line = f"{name};CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{value}"
    out = []
    while len(line) > 75:
        cut = 74
        while line[cut - 1] == "=" or line[cut - 2] == "=":  # never split an =XX triplet
            cut -= 1
        out.append(line[:cut] + "=")
        line = line[cut:]
    out.append(line)
    return "\r\n".join(out) + "\r\n"


def vcard(p: Person, today: date) -> str:
    """The person's card as their phone or mail app would export it."""
    given, family = p.spelled(p.vc_name if p.vc_name != "lastfirst" else "exact")
    if p.vc_style == "android":
        return _android_card(p, given, family)
    lines = ["BEGIN:VCARD", "VERSION:3.0"]
    if p.vc_style == "iphone":
        lines.append("PRODID:-//Apple Inc.//iPhone OS 17.5.1//EN")
    fn = f"{family}, {given}" if p.vc_name == "lastfirst" else f"{given} {family}"
    lines += [f"N:{escape(family)};{escape(given)};;;", f"FN:{escape(fn)}", f"ORG:{escape(p.company)};",
              f"TITLE:{escape(p.title)}"]
    item = 0
    if p.vc_style == "iphone":
        if p.vc_work:
            lines.append(f"EMAIL;type=INTERNET;type=WORK;type=pref:{p.work_email}")
        if p.vc_personal:
            item += 1
            label = "_$!<Other>!$_" if p.index % 3 else "personal"
            lines += [f"item{item}.EMAIL;type=INTERNET:{p.personal_email}", f"item{item}.X-ABLabel:{label}"]
        if p.vc_phone:
            lines.append(f"TEL;type=CELL;type=VOICE;type=pref:{p.phone_local}")
        if p.vc_url:
            if p.index % 2:
                item += 1
                lines += [f"item{item}.URL;type=pref:{p.url}", f"item{item}.X-ABLabel:LinkedIn"]
            else:
                lines.append(f"X-SOCIALPROFILE;type=linkedin;x-user={p.slug}:{p.url}")
        item += 1
        region = escape(p.city.region)
        lines += [f"item{item}.ADR;type=WORK;type=pref:;;;{escape(p.city.name)};{region};;{escape(p.city.country)}",
                  f"item{item}.X-ABADR:{_COUNTRY_CODES.get(p.city.country, '')}"]
        if p.birthday:
            lines.append(f"BDAY;value=date:{p.birthday.isoformat()}")
    else:  # an Outlook-style card: "Last, First", typed parameters in one list
        if p.vc_work:
            lines.append(f"EMAIL;TYPE=PREF,INTERNET:{p.work_email}")
        if p.vc_personal:
            lines.append(f"EMAIL;TYPE=INTERNET,HOME:{p.personal_email}")
        if p.vc_phone:
            lines.append(f"TEL;TYPE=WORK,VOICE:{p.phone}")
        if p.vc_url:
            lines.append(f"URL;TYPE=WORK:{p.url}")
        lines.append(f"REV:{today:%Y%m%d}T000000Z")
    lines.append(f"NOTE:{escape(_notes(p))}")
    lines.append("CATEGORIES:" + ",".join(escape(s) for s in p.skills))
    lines.append("END:VCARD")
    return content_lines(lines)


def _android_card(p: Person, given: str, family: str) -> str:
    out = ["BEGIN:VCARD\r\n", "VERSION:2.1\r\n"]
    n, fn = f"{family};{given};;;", f"{given} {family}"
    if n.isascii():
        out += [f"N:{n}\r\n", f"FN:{fn}\r\n"]
    else:
        out += [_qp(n, "N"), _qp(fn, "FN")]
    if p.vc_phone:
        out.append(f"TEL;CELL:{p.phone}\r\n")
    if p.vc_work:
        out.append(f"EMAIL;WORK:{p.work_email}\r\n")
    if p.vc_personal:
        out.append(f"EMAIL;HOME:{p.personal_email}\r\n")
    org = f"{p.company}"
    out.append(f"ORG:{org}\r\n" if org.isascii() else _qp(org, "ORG"))
    out.append(f"TITLE:{p.title}\r\n")
    if p.vc_url:
        out.append(f"URL:{p.url}\r\n")
    note = _notes(p)
    out.append(_qp(note, "NOTE") if (not note.isascii() or "\n" in note) else f"NOTE:{note}\r\n")
    out.append("END:VCARD\r\n")
    return "".join(out)


# ---------------------------------------------------------------------------------------- CSV rows


def connection_row(p: Person, move: Move | None = None) -> tuple[str, ...]:
    """One Connections.csv row; with `move`, the job the person held before it."""
    given, family = p.spelled("exact")
    if p.index % 37 == 5:  # some people put credentials into their LinkedIn surname
        family += ", PhD" if p.index % 2 else ", MBA"
    company, title = (move.old_company, move.old_title) if move else (p.company, p.title)
    return (given, family, p.url, p.work_email if p.li_email else "", company, title,
            linkedin_date(p.connected_on))


def google_phone(intl: str) -> str:
    """Google's spelling of a North American number, "+1 415-555-0123"; others as given."""
    if not intl.startswith("+1 "):
        return intl
    _, area, rest = intl.split(" ", 2)
    digits = rest.replace(" ", "")
    return f"+1 {area}-{digits[:3]}-{digits[3:]}"


def google_row(p: Person, style: str, bare: bool = False) -> list[str]:
    """One Google Contacts row; `bare` leaves out every identifier (a near-duplicate typed by hand)."""
    given, family = p.spelled(style)
    middle = ""
    if " " in given and given.endswith("."):
        given, middle = given.rsplit(" ", 1)
    row = [""] * len(GOOGLE_HEADER)
    row[0], row[1], row[2] = given, middle, family
    if style == "exact" and p.given in names.NICKNAMES and p.index % 4 == 0:
        row[8] = names.NICKNAMES[p.given]
    row[10], row[11] = p.company, p.title
    row[13] = p.birthday.isoformat() if p.birthday and not bare else ""
    row[14] = p.met if bare else _notes(p)
    row[16] = "* myContacts" if bare else f"{p.industry.title()} ::: * myContacts"
    emails: list[tuple[str, str]] = []
    if not bare:
        if p.gc_work:
            emails.append(("* Work", p.work_email))
        if p.gc_personal:
            emails.append(("Home" if emails else "* Home", p.personal_email))
    for k, (label, value) in enumerate(emails):
        row[17 + 2 * k], row[18 + 2 * k] = label, value
    if p.gc_phone and not bare:
        row[21], row[22] = "Mobile", google_phone(p.phone)
    if not bare:
        row[25], row[26] = "Work", f"{p.city.name}, {p.city.country}"
        row[28], row[30], row[32] = p.city.name, p.city.region, p.city.country
    if p.gc_url and not bare:
        row[34], row[35] = "Profile", p.url
    return row


# ---------------------------------------------------------------------------------------- writers


class ContactWriter:
    """Streams people into the contact files; holds nothing per person except a few invitations."""

    def __init__(self, folder: Path, net: Network, formats: Iterable[str] = CONTACT_FORMATS,
                 every_format: bool = False, earlier_export: bool = False) -> None:
        self.folder = folder
        self.net = net
        self.formats = set(formats)
        unknown = self.formats - set(CONTACT_FORMATS)
        if unknown:
            raise ValueError(f"unknown contact format(s): {', '.join(sorted(unknown))}")
        self.every = every_format
        self.paths: dict[str, str] = {}
        self.counts = {"linkedin": 0, "vcard": 0, "google": 0, "near_duplicates": 0, "all_three": 0,
                       "two_or_more": 0, "google_only": 0, "earlier_linkedin": 0}
        self.invitations: list[Person] = []
        self._files: list[IO[str]] = []
        self._li: Any = None
        self._vc: IO[str] | None = None
        self._gc: Any = None
        if "linkedin" in self.formats:
            (folder / "linkedin").mkdir(parents=True, exist_ok=True)
            fh = self._open(folder / "linkedin" / "Connections.csv", "connections", "\n")
            fh.write(LINKEDIN_NOTES)
            self._li = csv.writer(fh, lineterminator="\n")
            self._li.writerow(CONNECTIONS_HEADER)
            write_linkedin_profile(folder / "linkedin")
        self._earlier: Any = None
        if "linkedin" in self.formats and earlier_export and net.move is not None:
            (folder / EARLIER_LINKEDIN).mkdir(parents=True, exist_ok=True)
            fh = self._open(folder / EARLIER_LINKEDIN / "Connections.csv", "earlier_connections", "\n")
            fh.write(LINKEDIN_NOTES)
            self._earlier = csv.writer(fh, lineterminator="\n")
            self._earlier.writerow(CONNECTIONS_HEADER)
            write_linkedin_profile(folder / EARLIER_LINKEDIN)
            self.paths["earlier_linkedin"] = str(folder / EARLIER_LINKEDIN)
        if "vcard" in self.formats:
            self._vc = self._open(folder / "contacts.vcf", "vcard", "")
        if "google" in self.formats:
            self._gc = csv.writer(self._open(folder / "google_contacts.csv", "google", ""))
            self._gc.writerow(GOOGLE_HEADER)

    def _open(self, path: Path, key: str, newline: str) -> IO[str]:
        path.parent.mkdir(parents=True, exist_ok=True)
        fh = path.open("w", encoding="utf-8", newline=newline)
        self._files.append(fh)
        self.paths[key] = str(path)
        return fh

    def add(self, p: Person) -> None:
        if self.every:
            p.in_linkedin = p.in_vcard = p.in_google = True
        where = 0
        if p.in_linkedin and self._li is not None:
            self._li.writerow(connection_row(p))
            self.counts["linkedin"] += 1
            move = self.net.move
            if self._earlier is not None and move is not None and p.connected_on <= move.exported:
                self._earlier.writerow(connection_row(p, move if p.index == move.index else None))
                self.counts["earlier_linkedin"] += 1
            where += 1
            if (self.net.today - p.connected_on).days <= _RECENT_INVITES and len(self.invitations) < _MAX_INVITES:
                self.invitations.append(p)
        if p.in_vcard and self._vc is not None:
            self._vc.write(vcard(p, self.net.today))
            self.counts["vcard"] += 1
            where += 1
        if self._gc is not None:
            if p.in_google:
                self._gc.writerow(google_row(p, p.gc_name))
                self.counts["google"] += 1
                where += 1
                if where == 1:
                    self.counts["google_only"] += 1
            if p.near_duplicate:
                self._gc.writerow(google_row(p, "variant", bare=True))
                self.counts["near_duplicates"] += 1
        if where >= 2:
            self.counts["two_or_more"] += 1
        if where == 3:
            self.counts["all_three"] += 1

    def close(self) -> None:
        for fh in self._files:
            fh.close()


def write_linkedin_profile(folder: Path) -> None:
    """The export owner's Profile.csv and Email Addresses.csv (how LinkedIn says whose export it is)."""
    with (folder / "Profile.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(PROFILE_HEADER)
        w.writerow((ME.given, ME.family, "", "", "", f"{ME.title} at {ME.company}",
                    "Helping robotics and fintech teams go to market.", "Business Consulting and Services",
                    "94105", "San Francisco Bay Area", "", f"[COMPANY:https://{ME.domain}]", ""))
    with (folder / "Email Addresses.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(EMAILS_HEADER)
        w.writerow((ME.email, "Yes", "Yes", "3/14/19, 9:12 AM"))


def write_invitations(folder: Path, net: Network, people: list[Person]) -> int:
    """Invitations.csv: recent connections (both directions) and a few invitations still pending."""
    pending = [net.person(EXTRA_BASE + 500 + k) for k in range(3)]
    rows = []
    for k, p in enumerate([*people, *pending]):
        outgoing = int(_token(net.seed, "invite", p.index, size=1), 16) % 2 == 0
        sent = datetime(p.connected_on.year, p.connected_on.month, p.connected_on.day, tzinfo=UTC)
        if k >= len(people):
            sent = datetime.combine(net.today - timedelta(days=3 + 5 * (k - len(people))), datetime.min.time(), UTC)
        sent = sent - timedelta(hours=(p.index * 7) % 30, minutes=(p.index * 13) % 60)
        message = f"Hi {p.given}, great meeting you — let's stay in touch!" if outgoing and p.index % 2 else ""
        if not outgoing and p.index % 3 == 0:
            message = f"Hi {ME.given}, I'd love to connect — {p.title} at {p.company} here."
        mine, theirs = (ME.name, ME.url), (p.name, p.url)
        src, dst = (mine, theirs) if outgoing else (theirs, mine)
        rows.append((sent, (src[0], dst[0], invitation_time(sent), message, "OUTGOING" if outgoing else "INCOMING",
                            src[1], dst[1])))
    rows.sort(key=lambda r: r[0], reverse=True)
    with (folder / "linkedin" / "Invitations.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(INVITATIONS_HEADER)
        w.writerows(r for _, r in rows)
    return len(rows)


def conversation_id(seed: int, index: int) -> str:
    raw = blake2b(f"conversation:{seed}:{index}".encode(), digest_size=16).digest()
    return "2-" + base64.b64encode(raw).decode()


def write_messages(folder: Path, conversations: list[tuple[Person, list[tuple[datetime, bool, str]]]],
                   seed: int) -> int:
    """linkedin/messages.csv: one conversation per person, newest message first (as LinkedIn writes it)."""
    count = 0
    with (folder / "linkedin" / "messages.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(MESSAGES_HEADER)
        for p, messages in conversations:
            cid = conversation_id(seed, p.index)
            for when, mine, text in sorted(messages, key=lambda m: m[0], reverse=True):
                mine_, theirs = (ME.name, ME.url), (p.name, p.url)
                sender, recipient = (mine_, theirs) if mine else (theirs, mine_)
                w.writerow((cid, "", sender[0], sender[1], recipient[0], recipient[1],
                            when.strftime("%Y-%m-%d %H:%M:%S UTC"), "", text, "INBOX"))
                count += 1
    return count


# ---------------------------------------------------------------------------------------- entry points


def write_contacts(folder: Path | str, n: int, seed: int = 7, formats: Iterable[str] = CONTACT_FORMATS,
                   today: date | None = None, every_format: bool = False) -> dict[str, Any]:
    """Write only the contact files for `n` people, fast (for benchmarks); `every_format` puts
    every person in every file instead of the realistic overlap."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    net = Network(n, seed, today)
    writer = ContactWriter(folder, net, formats, every_format)
    try:
        for p in net:
            writer.add(p)
    finally:
        writer.close()
    return {"paths": writer.paths, "counts": writer.counts}


def write_demo(folder: Path | str, people: int = 300, seed: int = 7, today: date | None = None) -> dict[str, Any]:
    """Write every demo file into `folder`; returns the paths and a summary of the hidden truth."""
    from closeknit.demo import ics, mbox

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    net = Network(people, seed, today)
    writer = ContactWriter(folder, net, earlier_export=True)
    try:
        for p in net:
            writer.add(p)
    finally:
        writer.close()
    paths = dict(writer.paths)
    invitations = write_invitations(folder, net, writer.invitations)
    paths["invitations"] = str(folder / "linkedin" / "Invitations.csv")
    paths["linkedin"] = str(folder / "linkedin")
    interacting = net.interacting()
    mail = mbox.write_mail(folder / "mail", net, interacting)
    paths.update({"mail": str(folder / "mail"), **{k: str(v) for k, v in mail.paths.items()}})
    messages = write_messages(folder, mail.linkedin, seed)
    paths["messages"] = str(folder / "linkedin" / "messages.csv")
    calendar = ics.write_calendar(folder / "calendar.ics", net, mail.meetings)
    paths["calendar"] = str(folder / "calendar.ics")
    truth = net.summary()
    truth["sources"] = writer.counts
    truth["linkedin"] = {"connections": writer.counts["linkedin"], "messages": messages, "invitations": invitations}
    truth["mail"] = mail.counts
    truth["calendar"] = calendar
    truth["interacting"] = len(interacting)
    manifest = {"seed": seed, "people": people, "today": net.today.isoformat(), "truth": truth}
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return {"folder": str(folder), "paths": paths, "truth": truth}


def read_manifest(folder: Path | str) -> dict[str, Any] | None:
    """What a previous write_demo left in `folder` (seed, people, reference date), if anything."""
    path = Path(folder) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
