"""Demo mailboxes: sent, inbox and newsletter mbox files whose traffic follows each hidden tie."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.utils import format_datetime, formataddr
from hashlib import blake2b
from pathlib import Path
from zoneinfo import ZoneInfo

from closeknit.demo import names
from closeknit.demo.mailgen import separator_date
from closeknit.demo.network import ME, Network, Person, Touch


@dataclass(slots=True)
class Addr:
    name: str
    address: str
    tz: str

    def header(self) -> str:
        return formataddr((self.name, self.address)) if self.name else self.address

    @property
    def domain(self) -> str:
        return self.address.rsplit("@", 1)[1]


ME_ADDR = Addr(ME.name, ME.email, ME.tz)


@dataclass(slots=True)
class Mail:
    when: datetime  # UTC
    folder: str  # sent, inbox, lists
    sender: Addr
    to: list[Addr]
    subject: str
    msgid: str
    body: str
    cc: list[Addr] = field(default_factory=list)
    in_reply_to: str = ""
    refs: list[str] = field(default_factory=list)
    extra: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class MailResult:
    paths: dict[str, Path]
    counts: dict[str, int]
    linkedin: list[tuple[Person, list[tuple[datetime, bool, str]]]]  # conversations for messages.csv
    meetings: list[tuple[Person, Touch]]  # 1:1 meetings for the calendar


def address_of(p: Person) -> Addr:
    """How a person's mail client names them in From/To headers."""
    if p.vc_style == "outlook":
        display = f"{p.family}, {p.given}"
    elif p.index % 17 == 3:
        display = ""  # a bare address, no display name
    else:
        display = p.name
    return Addr(display, p.email, p.city.tz)


def _message_id(when: datetime, sender: Addr, *key: object) -> str:
    token = blake2b(":".join(map(str, key)).encode(), digest_size=9).hexdigest()
    return f"<{when:%Y%m%d%H%M%S}.{token}@{sender.domain}>"


def _subject(p: Person, topic: int) -> str:
    return names.TOPICS[topic].format(skill=p.skills[0], company=p.company)


def _body(rng: random.Random, to_given: str, from_given: str, previous: Mail | None) -> str:
    if previous is None:
        return f"Hi {to_given},\n\n{rng.choice(names.LINES)}\n\n{from_given}\n"
    quoted = previous.body.strip().splitlines()
    first = next((line for line in quoted[1:] if line.strip()), quoted[0] if quoted else "")
    stamp = previous.when.strftime("%a, %d %b %Y at %H:%M")
    who = previous.sender.name or previous.sender.address
    return f"{rng.choice(names.REPLIES)}\n\n{from_given}\n\nOn {stamp}, {who} wrote:\n> {first}\n"


def _thread(net: Network, p: Person, them: Addr, touch: Touch, k: int, rng: random.Random) -> list[Mail]:
    subject = _subject(p, touch.topic)
    out: list[Mail] = []
    for j, (when, mine) in enumerate(touch.messages):
        sender, recipient = (ME_ADDR, them) if mine else (them, ME_ADDR)
        previous = out[-1] if out else None
        mail = Mail(
            when=when, folder="sent" if mine else "inbox", sender=sender, to=[recipient],
            subject=subject if previous is None else f"Re: {subject}",
            msgid=_message_id(when, sender, net.seed, p.index, k, j),
            body=_body(rng, p.given if mine else ME.given, ME.given if mine else p.given, previous),
        )
        if previous is not None:
            mail.in_reply_to = previous.msgid
            mail.refs = [*previous.refs, previous.msgid][-10:]
        out.append(mail)
    return out


def _group_mails(net: Network, people: dict[int, Person], k: int) -> list[Mail]:
    group = net.groups[k]
    rng = random.Random(f"groupmail:{net.seed}:{k}")

    def addr(i: int) -> Addr:
        return ME_ADDR if i == -1 else address_of(people[i])

    def given(i: int) -> str:
        return ME.given if i == -1 else people[i].given

    out: list[Mail] = []
    for n, gt in enumerate(net.group_touches(group, k)):
        subject = f"[{group.name}] " + names.TOPICS[gt.topic].format(skill="next steps", company=group.name)
        sender = addr(gt.opener)
        first = Mail(
            when=gt.when, folder="sent" if gt.opener == -1 else "inbox", sender=sender,
            to=[addr(i) for i in gt.to], cc=[addr(i) for i in gt.cc], subject=subject,
            msgid=_message_id(gt.when, sender, net.seed, "group", k, n, 0),
            body=_body(rng, "all", given(gt.opener), None),
        )
        thread = [first]
        everyone = [-1, *group.members]
        for j, (when, who) in enumerate(gt.replies, start=1):
            prev_sender = gt.opener if j == 1 else gt.replies[j - 2][1]
            sender = addr(who)
            thread.append(Mail(
                when=when, folder="sent" if who == -1 else "inbox", sender=sender, to=[addr(prev_sender)],
                cc=[addr(i) for i in everyone if i not in (who, prev_sender)], subject=f"Re: {subject}",
                msgid=_message_id(when, sender, net.seed, "group", k, n, j),
                body=_body(rng, "all", given(who), thread[-1]), in_reply_to=thread[-1].msgid,
                refs=[*thread[-1].refs, thread[-1].msgid][-10:],
            ))
        out += thread
    return out


def _list_mails(net: Network) -> list[Mail]:
    """Newsletters (List-Id, List-Unsubscribe) weekly and no-reply notifications monthly."""
    out: list[Mail] = []
    start = datetime(net.window_start.year, net.window_start.month, net.window_start.day, 13, tzinfo=UTC)
    cutoff = datetime(net.today.year, net.today.month, net.today.day, tzinfo=UTC)
    me = [Addr("", ME.email, ME.tz)]
    for n, (title, list_id, sender_addr, pattern) in enumerate(names.NEWSLETTERS):
        sender = Addr(title, sender_addr, "America/New_York")
        domain = sender.domain
        for week in range(0, 200):
            when = start + timedelta(days=7 * week + n * 2, minutes=17 * n)
            if when >= cutoff:
                break
            out.append(Mail(
                when=when, folder="lists", sender=sender, to=me, subject=pattern.format(n=week + 101),
                msgid=_message_id(when, sender, net.seed, "list", n, week),
                body=f"This week's top stories, in brief.\n\nUnsubscribe: https://{domain}/u/{n}{week}\n",
                extra=[("List-Id", f"{title} <{list_id}>"),
                       ("List-Unsubscribe", f"<mailto:unsubscribe@{domain}?subject=unsubscribe>, "
                                            f"<https://{domain}/unsubscribe/{n}-{week}>"),
                       ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"), ("Precedence", "bulk")],
            ))
    for n, (title, sender_addr, pattern) in enumerate(names.NOTIFIERS):
        sender = Addr(title, sender_addr, "UTC")
        for month in range(0, 30):
            when = start + timedelta(days=30 * month + 11 + n, hours=3)
            if when >= cutoff:
                break
            out.append(Mail(
                when=when, folder="lists", sender=sender, to=me,
                subject=pattern.format(n=4100 + month, what="Weekly team sync"),
                msgid=_message_id(when, sender, net.seed, "notify", n, month),
                body="This is an automated message; replies to this address are not read.\n",
                extra=[("Auto-Submitted", "auto-generated")],
            ))
    return out


def _fold_addresses(name: str, addrs: list[Addr]) -> str:
    line, lines = f"{name}: ", []
    for k, a in enumerate(addrs):
        piece = a.header() + ("," if k < len(addrs) - 1 else "")
        if len(line) + len(piece) > 76 and line.strip() != f"{name}:":
            lines.append(line.rstrip())
            line = " "
        line += piece + " "
    lines.append(line.rstrip())
    return "\n".join(lines)


def render(mail: Mail) -> bytes:
    """The message as it sits in an mbox: separator line, RFC 5322 headers, a short body."""
    w = mail.when
    sep = f"From {mail.sender.address} {separator_date(w)}"
    subject = mail.subject if mail.subject.isascii() else Header(mail.subject, "utf-8").encode()
    head = [sep, _fold_addresses("From", [mail.sender]), _fold_addresses("To", mail.to)]
    if mail.cc:
        head.append(_fold_addresses("Cc", mail.cc))
    head += [f"Subject: {subject}", f"Date: {format_datetime(w.astimezone(ZoneInfo(mail.sender.tz)))}",
             f"Message-ID: {mail.msgid}"]
    if mail.in_reply_to:
        head.append(f"In-Reply-To: {mail.in_reply_to}")
        head.append("References: " + "\n ".join(mail.refs))
    head += [f"{k}: {v}" for k, v in mail.extra]
    head += ["MIME-Version: 1.0", 'Content-Type: text/plain; charset="UTF-8"', "Content-Transfer-Encoding: 8bit"]
    body = "\n".join(">" + line if line.startswith("From ") else line for line in mail.body.split("\n"))
    return ("\n".join(head) + "\n\n" + body.rstrip("\n") + "\n\n").encode()


def write_mail(folder: Path, net: Network, interacting: list[Person]) -> MailResult:
    """Write sent.mbox, inbox.mbox and lists.mbox; hand back LinkedIn conversations and meetings.

    Only interacting people have traffic, so the volume depends on the tie layers, not on how many
    contacts the network has; messages are rendered one at a time while writing.
    """
    folder.mkdir(parents=True, exist_ok=True)
    mails: list[Mail] = []
    conversations: list[tuple[Person, list[tuple[datetime, bool, str]]]] = []
    meetings: list[tuple[Person, Touch]] = []
    people = {p.index: p for p in interacting}
    threads = 0
    for p in interacting:
        rng = random.Random(f"mail:{net.seed}:{p.index}")
        them = address_of(p)
        chat: list[tuple[datetime, bool, str]] = []
        for k, touch in enumerate(net.touches(p)):
            if touch.channel == "email":
                mails += _thread(net, p, them, touch, k, rng)
                threads += 1
            elif touch.channel == "linkedin":
                for j, (when, mine) in enumerate(touch.messages):
                    text = rng.choice(names.LINES) if j == 0 else rng.choice(names.REPLIES)
                    chat.append((when, mine, f"Hi {p.given if mine else ME.given}, {text}" if j == 0 else text))
            else:
                meetings.append((p, touch))
        if chat:
            conversations.append((p, chat))
    group_mails = [m for k in range(len(net.groups)) for m in _group_mails(net, people, k)]
    mails += group_mails
    mails += _list_mails(net)
    mails.sort(key=lambda m: (m.when, m.msgid))
    paths = {name: folder / f"{name}.mbox" for name in ("sent", "inbox", "lists")}
    counts = {"sent": 0, "inbox": 0, "lists": 0}
    handles = {name: path.open("wb") for name, path in paths.items()}
    try:
        for mail in mails:
            handles[mail.folder].write(render(mail))
            counts[mail.folder] += 1
    finally:
        for fh in handles.values():
            fh.close()
    counts["threads"] = threads
    counts["group_messages"] = len(group_mails)
    return MailResult(paths, counts, conversations, meetings)
