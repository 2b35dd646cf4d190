"""Synthetic mailboxes (mbox, compressed mbox, maildir) with fake people, for tests and benchmarks."""

from __future__ import annotations

import base64
import bz2
import gzip
import lzma
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.header import Header
from pathlib import Path
from typing import BinaryIO

_GIVEN = (
    "Ada",
    "Alan",
    "Alma",
    "Amir",
    "Anna",
    "Arlo",
    "Asha",
    "Ben",
    "Bea",
    "Cleo",
    "Dara",
    "Dev",
    "Eli",
    "Ema",
    "Ezra",
    "Fay",
    "Finn",
    "Gia",
    "Gus",
    "Hana",
    "Ivo",
    "Iris",
    "Jai",
    "Jon",
    "Kai",
    "Kit",
    "Lea",
    "Leo",
    "Lia",
    "Max",
    "Mia",
    "Nia",
    "Noa",
    "Ola",
    "Omar",
    "Pia",
    "Rae",
    "Ravi",
    "Rex",
    "Rio",
    "Sam",
    "Sia",
    "Tao",
    "Tea",
    "Uma",
    "Val",
    "Vik",
    "Wen",
    "Yan",
    "Zed",
    "Zia",
)
_FAMILY = (
    "Abbot",
    "Baxter",
    "Calder",
    "Dunmore",
    "Ellery",
    "Fenwick",
    "Galloway",
    "Hartley",
    "Ingram",
    "Jessop",
    "Kettering",
    "Lowther",
    "Marlow",
    "Nettleton",
    "Oakes",
    "Pemberton",
    "Quarry",
    "Rowntree",
    "Sallow",
    "Thackery",
    "Underhill",
    "Vance",
    "Whitlock",
    "Yardley",
    "Zeller",
    "Ashby",
    "Brampton",
    "Corrigan",
    "Delacourt",
    "Everly",
)
# Names that need RFC 2047 encoding in headers.
_GIVEN_INTL = ("José", "Zoë", "Søren", "Łucja", "Agnès", "Jürgen", "Renée", "Ōta", "Çelik", "Dörte")
_FAMILY_INTL = ("Muñoz", "Brontë", "Ødegård", "Wałęsa", "Dvořák", "Gödel", "Françoise", "Šimek")
_DOMAINS = ("example.com", "example.org", "example.net", "mail.example.com", "corp.example.org")
_WORDS = (
    "project",
    "budget",
    "meeting",
    "review",
    "draft",
    "plan",
    "quarter",
    "update",
    "lunch",
    "notes",
    "deck",
    "figures",
    "launch",
    "call",
    "schedule",
    "contract",
    "report",
    "agenda",
    "offsite",
    "hiring",
    "roadmap",
    "invoice",
    "travel",
    "proposal",
    "feedback",
    "demo",
    "the",
    "a",
    "of",
    "to",
    "and",
    "for",
    "with",
    "on",
    "about",
    "next",
    "this",
    "our",
    "your",
    "we",
    "will",
    "can",
    "please",
    "thanks",
)
_LISTS = (
    ("Weekly Digest", "digest", "lists.example.org"),
    ("Release Notes", "releases", "lists.example.com"),
    ("Community Forum", "forum", "groups.example.net"),
)
_NOREPLY = ("noreply", "no-reply", "notifications", "donotreply", "newsletter")
_ZONES = (-480, -420, -300, -240, 0, 0, 60, 120, 330, 540)
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(slots=True)
class _Person:
    name: str
    address: str

    def header(self) -> str:
        if not self.name:
            return self.address
        if self.name.isascii():
            return f"{self.name} <{self.address}>"
        return f"{Header(self.name, 'utf-8').encode()} <{self.address}>"


def _people(rng: random.Random, n: int) -> list[_Person]:
    out: list[_Person] = []
    for i in range(n):
        if rng.random() < 0.08:
            given, family = rng.choice(_GIVEN_INTL), rng.choice(_FAMILY_INTL)
        else:
            given, family = rng.choice(_GIVEN), rng.choice(_FAMILY)
        local = f"{given}.{family}".lower().encode("ascii", "ignore").decode() or "person"
        address = f"{local}{i}@{rng.choice(_DOMAINS)}"
        name = "" if rng.random() < 0.1 else f"{given} {family}"
        out.append(_Person(name, address))
    return out


def _date_header(when: datetime, offset_minutes: int) -> str:
    local = when + timedelta(minutes=offset_minutes)
    sign = "-" if offset_minutes < 0 else "+"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return (
        f"{_DAYS[local.weekday()]}, {local.day} {_MONTHS[local.month - 1]} {local.year} "
        f"{local.hour:02d}:{local.minute:02d}:{local.second:02d} {sign}{hours:02d}{minutes:02d}"
    )


def separator_date(when: datetime) -> str:
    """The date on an mbox "From " line ("Mon Jan  5 09:03:00 2026")."""
    return (
        f"{_DAYS[when.weekday()]} {_MONTHS[when.month - 1]} {when.day:2d} "
        f"{when.hour:02d}:{when.minute:02d}:{when.second:02d} {when.year}"
    )


def _text(rng: random.Random, n_words: int) -> str:
    words = rng.choices(_WORDS, k=n_words)
    lines = [" ".join(words[i : i + 12]) for i in range(0, len(words), 12)]
    return "\n".join(lines)


_STYLES = ("modern", "plain")


def _attachment(rng: random.Random, size: int) -> str:
    """About `size` bytes of base64 lines (random-looking, cheap: slices of one cached block)."""
    global _B64_BLOCK
    if not _B64_BLOCK:
        _B64_BLOCK = base64.encodebytes(random.Random(12345).randbytes(3 * 1024 * 1024)).decode("ascii")
    out: list[str] = []
    left = size
    while left > 0:
        start = rng.randrange(0, 1024) * 77  # whole 76-character lines
        piece = _B64_BLOCK[start : start + min(left, len(_B64_BLOCK) - start)]
        piece = piece[: piece.rfind("\n") + 1] or piece
        out.append(piece)
        left -= len(piece)
    return "".join(out)


_B64_BLOCK = ""


def _html(text: str) -> str:
    paragraphs = "".join(f'<p style="margin:0 0 8px 0">{line}</p>\n' for line in text.split("\n"))
    return (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        "<style>body{font-family:Arial,sans-serif;font-size:14px;color:#222}</style></head>\n"
        f'<body><div dir="ltr">\n{paragraphs}</div></body></html>\n'
    )


def _attachment_size(rng: random.Random) -> int:
    """Attachment sizes: mostly tens of kilobytes, a long tail up to a few megabytes."""
    return int(min(6_000_000, max(2_000, rng.lognormvariate(10.8, 1.2))))


def iter_messages(
    n_messages: int,
    n_people: int,
    me: str = "me@example.com",
    seed: int = 0,
    start: datetime | None = None,
    style: str = "modern",
    large_every: int = 0,
    large_bytes: int = 200_000,
) -> Iterator[tuple[str, datetime, str]]:
    """Yield (envelope sender, UTC time, message text with LF endings) for a synthetic mailbox.

    About 30% of messages are sent by `me`, 40% replies in threads, 10% list mail, 4% automated
    no-reply mail, 2% with 30-120 recipients, 3% with RFC 2047 subjects, 8% of people with
    non-ASCII names. Style "modern" writes what today's mail looks like: Received chains,
    DKIM signatures, multipart/alternative text+HTML bodies, quoted replies, HTML newsletters
    and attachments on about 6% of messages (tens of KB, a tail to a few MB); style "plain"
    writes short text-only messages (like the Enron corpus). With `large_every`, every such
    message also carries a `large_bytes` attachment. Memory stays bounded whatever
    `n_messages` is.
    """
    if style not in _STYLES:
        raise ValueError(f"unknown style {style!r} (use {' or '.join(_STYLES)})")
    modern = style == "modern"
    rng = random.Random(seed)
    people = _people(rng, max(1, n_people))
    me_person = _Person("Me Myself", me)
    when = start or datetime(2022, 1, 1, tzinfo=UTC)
    step = max(1.0, 2 * 365 * 86400 / max(1, n_messages))  # spread over two years
    # Open threads: (subject, message ids so far, participants, last body); a bounded pool.
    threads: list[tuple[str, list[str], list[_Person], list[str]]] = []
    for seq in range(1, n_messages + 1):
        when = when + timedelta(seconds=rng.uniform(0.2, 1.8) * step)
        offset = rng.choice(_ZONES)
        headers: list[str] = []
        roll = rng.random()
        msgid_domain = rng.choice(_DOMAINS)
        msgid = f"<{seq}.{rng.getrandbits(40):010x}@{msgid_domain}>"
        body = _text(rng, rng.randint(20, 400))
        in_reply: list[str] = []
        quoted = ""
        newsletter = False
        subject = ""
        to: list[_Person] = []
        cc: list[_Person] = []
        sender: _Person
        if roll < 0.10:
            title, local, domain = _LISTS[seq % len(_LISTS)]
            sender = _Person(title, f"{local}@{domain}")
            to = [me_person]
            subject = f"[{title}] {_text(rng, rng.randint(3, 8))}"
            headers += [
                f"List-Id: {title} <{local}.{domain}>",
                f"List-Unsubscribe: <mailto:{local}-unsubscribe@{domain}>",
                "Precedence: list",
            ]
            newsletter = True
        elif roll < 0.14:
            domain = rng.choice(_DOMAINS)
            sender = _Person("Service", f"{rng.choice(_NOREPLY)}@{domain}")
            to = [me_person]
            subject = f"Your {rng.choice(_WORDS)} notification"
            if rng.random() < 0.5:
                headers.append("Auto-Submitted: auto-generated")
        elif roll < 0.16:
            sender = rng.choice(people)
            to = rng.sample(people, min(len(people), rng.randint(30, 120)))
            cc = [me_person]
            subject = f"All hands: {_text(rng, rng.randint(2, 6))}"
        elif roll < 0.56 and threads:
            topic, ids, members, last = threads[rng.randrange(len(threads))]
            subject = f"Re: {topic}"
            in_reply = ids[-8:]
            ids.append(msgid)
            quoted = last[0]
            last[0] = body[:3000]
            if rng.random() < 0.4:
                sender = me_person
                to = [p for p in members if p is not me_person][:3] or [rng.choice(people)]
            else:
                sender = rng.choice(members)
                to = [me_person]
                cc = [p for p in members if p is not sender and p is not me_person][:2]
        else:
            topic = _text(rng, rng.randint(2, 7))
            if rng.random() < 0.3:
                sender = me_person
                to = rng.sample(people, min(len(people), rng.randint(1, 3)))
            else:
                sender = rng.choice(people)
                to = [me_person]
                if rng.random() < 0.3:
                    to.append(rng.choice(people))
            if rng.random() < 0.2:
                cc = rng.sample(people, min(len(people), rng.randint(1, 4)))
            subject = topic
            threads.append((topic, [msgid], [sender, *to, *cc], [body[:3000]]))
            if len(threads) > 300:
                del threads[rng.randrange(len(threads))]
        if rng.random() < 0.03:
            subject = Header(subject + " — résumé", "utf-8").encode()
        lines = [f"Return-Path: <{sender.address}>"]
        sender_domain = sender.address.rpartition("@")[2]
        if modern:
            lines += [
                f"Delivered-To: {me}",
                f"Received: by 2002:a05:6000:{seq % 65536:x} with SMTP id x{seq};\n        {_date_header(when, 0)}",
                f"Received: from mail-{seq % 97}.{sender_domain} (mail-{seq % 97}.{sender_domain} "
                f"[192.0.2.{seq % 250}])\n        by mx.example.net with ESMTPS id {rng.getrandbits(48):012x}\n"
                f"        for <{me}>; {_date_header(when, 0)}",
                f"ARC-Authentication-Results: i=1; mx.example.net;\n       dkim=pass header.i=@{sender_domain}",
                f"Authentication-Results: mx.example.net;\n       dkim=pass header.i=@{sender_domain};\n"
                f"       spf=pass smtp.mailfrom={sender.address}",
            ]
            if rng.random() < 0.6:
                signature = base64.b64encode(rng.randbytes(192)).decode("ascii")
                lines.append(
                    f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={sender_domain}; s=s1;\n"
                    "        h=to:subject:message-id:date:from:mime-version;\n"
                    f"        bh={signature[:44]};\n        b={signature[44:120]}\n         {signature[120:]}"
                )
        else:
            lines.append(f"Received: from mx.example.net by mail.example.com; {_date_header(when, 0)}")
        lines += [f"Message-ID: {msgid}", f"Date: {_date_header(when, offset)}", f"From: {sender.header()}"]
        lines.append(_folded("To", [p.header() for p in to]))
        if cc:
            lines.append(_folded("Cc", [p.header() for p in cc]))
        lines.append(f"Subject: {subject}")
        if in_reply:
            lines.append(f"In-Reply-To: {in_reply[-1]}")
            lines.append(_folded("References", in_reply, sep=" "))
        lines += headers
        if modern and rng.random() < 0.5:
            lines.append(f"X-Mailer: {rng.choice(('Example Mail 16.0', 'ExampleClient/5.2', 'Webmail 3.1'))}")
        lines.append("MIME-Version: 1.0")
        if quoted:
            body += "\n\nOn an earlier day, someone wrote:\n" + "\n".join("> " + q for q in quoted.split("\n"))
        if rng.random() < 0.05:
            body += "\n\n>From the archive: an escaped From line\n"
        attach = 0
        if large_every and seq % large_every == 0:
            attach = large_bytes
        elif modern and not newsletter and rng.random() < 0.06:
            attach = _attachment_size(rng)
        if newsletter and modern:
            body = body * 4
        boundary = f"b{seq:08d}{rng.getrandbits(32):08x}"
        if modern and (newsletter or rng.random() < 0.7):
            alt = (
                f"--{boundary}a\nContent-Type: text/plain; charset=utf-8\n\n{body}\n"
                f"--{boundary}a\nContent-Type: text/html; charset=utf-8\n\n{_html(body)}--{boundary}a--\n"
            )
            alt_type = f'multipart/alternative; boundary="{boundary}a"'
        else:
            alt, alt_type = body + "\n", "text/plain; charset=utf-8"
        if attach:
            lines.append(f'Content-Type: multipart/mixed; boundary="{boundary}"')
            text = (
                f"--{boundary}\nContent-Type: {alt_type}\n\n{alt}"
                f"--{boundary}\nContent-Type: application/octet-stream\n"
                f'Content-Disposition: attachment; filename="file{seq}.bin"\n'
                f"Content-Transfer-Encoding: base64\n\n{_attachment(rng, attach)}--{boundary}--\n"
            )
        else:
            lines.append(f"Content-Type: {alt_type}")
            text = alt
        yield sender.address, when, "\n".join(lines) + "\n\n" + text


def _folded(name: str, items: list[str], sep: str = ", ") -> str:
    """One header with its items folded onto continuation lines of about 78 characters."""
    out: list[str] = []
    line = f"{name}: "
    for i, item in enumerate(items):
        piece = item + (sep.rstrip() if i < len(items) - 1 else "")
        if len(line) + len(piece) > 78 and line.strip() != f"{name}:":
            out.append(line.rstrip())
            line = "\t"
        line += piece + " "
    out.append(line.rstrip())
    return "\n".join(out)


def _open_out(path: Path, compress: str | None) -> BinaryIO:
    if compress in (None, ""):
        return open(path, "wb", buffering=1 << 20)
    if compress in ("gz", "gzip"):
        return gzip.open(path, "wb", compresslevel=1)  # type: ignore[return-value]
    if compress in ("bz2", "bzip2"):
        return bz2.open(path, "wb", compresslevel=1)  # type: ignore[return-value]
    if compress in ("xz", "lzma"):
        return lzma.open(path, "wb", preset=0)  # type: ignore[return-value]
    raise ValueError(f"unknown compression {compress!r} (use gz, bz2 or xz)")


def write_mbox(
    path: str | Path,
    n_messages: int,
    n_people: int,
    me: str = "me@example.com",
    seed: int = 0,
    compress: str | None = None,
    crlf: bool = False,
    style: str = "modern",
    large_every: int = 0,
    large_bytes: int = 200_000,
) -> Path:
    """Write a synthetic mbox (optionally gz/bz2/xz compressed, CRLF endings) streaming; returns the path.

    See `iter_messages` for what the messages hold.
    """
    path = Path(path)
    out = _open_out(path, compress)
    eol = "\r\n" if crlf else "\n"
    pending: list[str] = []
    size = 0
    try:
        for sender, when, text in iter_messages(
            n_messages, n_people, me, seed, style=style, large_every=large_every, large_bytes=large_bytes
        ):
            chunk = f"From {sender} {separator_date(when)}\n{text}\n"
            if crlf:
                chunk = chunk.replace("\n", eol)
            pending.append(chunk)
            size += len(chunk)
            if size > 1 << 20:
                out.write("".join(pending).encode("utf-8"))
                pending.clear()
                size = 0
        out.write("".join(pending).encode("utf-8"))
    finally:
        out.close()
    return path


def write_maildir(
    path: str | Path,
    n_messages: int,
    n_people: int,
    me: str = "me@example.com",
    seed: int = 0,
    style: str = "plain",
) -> Path:
    """Write a synthetic Maildir++ (cur/, new/, tmp/ and a .Sent subfolder); returns its root."""
    root = Path(path)
    for folder in (root, root / ".Sent"):
        for sub in ("cur", "new", "tmp"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
    for i, (sender, when, text) in enumerate(iter_messages(n_messages, n_people, me, seed, style=style), start=1):
        stamp = int(when.timestamp())
        folder = root / ".Sent" if sender == me else root
        sub, suffix = ("new", "") if i % 5 == 0 else ("cur", ":2,S")
        target = folder / sub / f"{stamp}.M{i}P1.host{suffix}"
        target.write_bytes(text.encode("utf-8"))
    return root
