"""LinkedIn invitations (Invitations.csv): one interaction per invitation sent or received."""

from __future__ import annotations

from collections.abc import Iterator

from closeknit.records import InteractionItem, InteractionRecord, Party, RecordError, content_hash
from closeknit.sources import csvutil
from closeknit.sources.csvutil import BadRow, Dates, Layout
from closeknit.sources.linkedin.rows import CHANNEL, NO_ZONE, dated_rows, direction, stamp

SOURCE = "linkedin_invitations"


def invitations_score(names: list[str]) -> int:
    have = set(names)
    if {"from", "to", "sent at"} <= have or ("direction" in have and "sent at" in have):
        return len(have & {"from", "to", "sent at", "message", "direction"})
    return 0


def invitations(file: str, lines: list[str], layout: Layout) -> Iterator[InteractionItem]:
    ncols = len(layout.header)
    col = layout.column

    i_from, i_to, i_date, i_direction = col("from"), col("to"), col("sent at", "date"), col("direction")
    i_furl = col("inviter profile url", "from profile url", "sender profile url")
    i_turl = col("invitee profile url", "to profile url", "recipient profile url")
    dates = Dates()
    for row in dated_rows(lines, layout, dates, i_date):
        if isinstance(row, BadRow):
            yield row.error(file)
            continue
        f = csvutil.padded(row.fields, ncols)
        when, zoned = dates.instant(f[i_date].strip())
        inviter, inviter_url = f[i_from].strip(), f[i_furl].strip()
        invitee, invitee_url = f[i_to].strip(), f[i_turl].strip()
        way = direction(f[i_direction])
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
        who = f"{inviter_url or inviter}\x1f{invitee_url or invitee}\x1f{way}"
        yield InteractionRecord(
            source=SOURCE,
            channel=CHANNEL,
            file=file,
            record=row.line,
            raw=row.raw,
            key=f"invitation/{stamp(when)}/{content_hash(who)}",
            when=when,
            parties=parties,
            when_flagged="" if zoned else NO_ZONE,
            size=1 if invitee or invitee_url else 0,
            direction=way,
        )
