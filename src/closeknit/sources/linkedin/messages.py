"""LinkedIn messages (messages.csv): one interaction per message, replies linked within each conversation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

from closeknit.identity import normalise
from closeknit.mailconv import normal_subject
from closeknit.records import InteractionItem, InteractionRecord, Party, RecordError, content_hash
from closeknit.sources import csvutil
from closeknit.sources.csvutil import BadRow, Dates, Layout
from closeknit.sources.linkedin.rows import CHANNEL, NO_ZONE, dated_rows, direction, stamp

SOURCE = "linkedin_messages"
# The name LinkedIn writes for a member whose profile is hidden: the same words for unrelated people.
PLACEHOLDER_NAMES = frozenset({"linkedin member"})
PROMOTIONAL = "sent by LinkedIn (promotional)"
SPONSORED = "sponsored message (a sender without a profile)"


def messages_score(names: list[str]) -> int:
    have = set(names)
    if "conversation id" in have or {"from", "to", "date"} <= have:
        return len(have & {"conversation id", "from", "to", "date", "subject", "content", "folder"})
    return 0


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


# What follows a comma inside one member's name ("Jane Doe, CFA", "Li Wei, Ph.D."): a credential or a suffix.
_SUFFIXES = frozenset({"phd", "jr", "sr", "ii", "iii", "iv", "md", "esq", "mba", "cfa", "cpa", "pmp", "msc", "bsc",
                       "ma", "ba", "peng", "pe", "rn", "dds", "llm", "jd"})


def split_names(text: str) -> list[str]:
    """The members a group message went to: LinkedIn writes their names joined by commas (without profile
    URLs in some exports); a part that is a credential or a suffix stays with the name before it."""
    out: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        bare = part.replace(".", "").replace("-", "")
        if out and " " not in part and bare and (bare.isupper() or bare.lower() in _SUFFIXES):
            out[-1] = f"{out[-1]}, {part}"
        elif part:
            out.append(part)
    return out


def _recipients(names: str, urls: list[str]) -> list[Party]:
    if not urls:
        return [p for n in split_names(names) if (p := _party("", n, "to"))]
    if len(urls) == 1:
        return [p for p in (_party(urls[0], names, "to"),) if p]
    split = split_names(names)
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


def messages(file: str, lines: list[str], layout: Layout) -> Iterator[InteractionItem]:
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
    for row in dated_rows(lines, layout, dates, i_date):
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
            source=SOURCE,
            channel=CHANNEL,
            file=file,
            record=row.line,
            raw=row.raw,
            key=f"{conversation or '-'}/{stamp(when)}/{digest}",
            when=when,
            parties=parties,
            subject=f[i_subject].strip(),
            when_flagged="" if zoned else NO_ZONE,
            bulk=_bulk(sender, sender_url, urls_given, folder, f[i_title]),
            folder=folder,
            size=len(recipients),
            direction=direction(f[i_direction]),
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
