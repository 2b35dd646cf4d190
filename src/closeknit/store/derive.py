"""Derived interaction facts: who "me" is, each message's direction, threads and replies."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from closeknit.errors import InputError
from closeknit.identity import normalise
from closeknit.mailconv import SENT_FOLDER, SUBJECT_PREFIX, normal_subject
from closeknit.store.base import Base
from closeknit.store.people import merge_into


def set_me(
    db: Base, addresses: Sequence[str], region: str = "US", profiles: Sequence[str] = (), names: Sequence[str] = ()
) -> list[str]:
    """Record the user's own addresses (and profile URLs or names), make them one person flagged as me."""
    from closeknit.store.writer import Writer

    clean = []
    for a in addresses:
        e = normalise.email(a)
        if not e:
            raise InputError(f"--me {a!r} is not an email address")
        clean.append(e)
    known = list(db.get_setting("me_addresses", []))
    merged = sorted(set(known) | set(clean))
    writer = Writer(db, region=region)
    found = [writer.person_for(e, "", "me", "settings", 0) for e in merged]
    found += [writer.person_for(u, "", "me", "linkedin export", 0) for u in profiles]
    found += [writer.person_for("", n, "me", "linkedin export", 0) for n in names]
    pids = sorted({p for p in found if p is not None})
    writer.flush()
    if not pids:
        return merged
    pids = sorted(set(pids) | {p for (p,) in db.rows("SELECT id FROM people WHERE is_me = 1")})
    for other in pids[1:]:
        merge_into(db, pids[0], other, "both are me")
    db.execute("UPDATE people SET is_me = 1 WHERE id = :p", {"p": pids[0]})
    db.set_setting("me_addresses", merged)
    derive_directions(db)
    return merged


def infer_me(db: Base) -> list[str]:
    """Guess the user's addresses: the usual sender in sent folders, else the ever-present address."""
    senders = db.rows(
        "SELECT ip.address, i.folder, count(*) FROM interaction_parties ip JOIN interactions i"
        " ON i.id = ip.interaction_id WHERE i.channel = 'email' AND ip.role = 'from' AND ip.address != ''"
        " GROUP BY ip.address, i.folder"
    )
    counts: dict[str, int] = {}
    for addr, folder, n in senders:
        if SENT_FOLDER.search(folder or ""):
            counts[addr.lower()] = counts.get(addr.lower(), 0) + n
    if counts:
        top = max(counts.values())
        return sorted(a for a, n in counts.items() if n >= max(2, top // 10) and normalise.email(a))
    total = int(db.scalar("SELECT count(*) FROM interactions WHERE channel = 'email'") or 0)
    row = db.rows(
        "SELECT ip.address, count(DISTINCT ip.interaction_id) AS n FROM interaction_parties ip"
        " JOIN interactions i ON i.id = ip.interaction_id WHERE i.channel = 'email' AND ip.address != ''"
        " GROUP BY ip.address ORDER BY n DESC LIMIT 1"
    )
    if row and total and row[0][1] >= 0.3 * total and normalise.email(row[0][0]):
        return [row[0][0].lower()]
    return []


def derive_directions(db: Base) -> None:
    """Set every interaction's direction from who took part: out, in, both (stated) or other."""
    has_me = bool(db.scalar("SELECT 1 FROM people WHERE is_me = 1"))
    db.execute(
        "UPDATE interactions SET direction = CASE"
        " WHEN stated_direction != '' THEN stated_direction"
        " WHEN EXISTS (SELECT 1 FROM interaction_parties ip JOIN people p ON p.id = ip.person_id"
        "   WHERE ip.interaction_id = interactions.id AND p.is_me = 1 AND ip.role IN ('from', 'organizer'))"
        "   THEN 'out'"
        " WHEN EXISTS (SELECT 1 FROM interaction_parties ip JOIN people p ON p.id = ip.person_id"
        "   WHERE ip.interaction_id = interactions.id AND p.is_me = 1) THEN 'in'"
        " WHEN :has_me AND lower(folder) LIKE '%inbox%' THEN 'in'"  # received through a list or a Bcc
        " WHEN :has_me THEN 'other' ELSE '' END",
        {"has_me": int(has_me)},
    )


def derive_threads(db: Base) -> int:
    """Link replies to what they answer (In-Reply-To, References, then subject) and group threads.

    Returns how many messages changed thread or parent. The subject fallback only links a
    "Re:" message to an earlier message with the same subject that shares a participant.
    """
    rows = db.fast_rows(
        "SELECT id, key, in_reply_to, refs, subject, ts, thread_id, parent_id FROM interactions"
        " WHERE channel = 'email' ORDER BY ts, id"
    )
    by_mid = {r[1]: r[0] for r in rows if r[1]}
    parties: dict[int, set[int]] = {}
    for iid, pid in db.fast_rows(
        "SELECT ip.interaction_id, ip.person_id FROM interaction_parties ip JOIN interactions i"
        " ON i.id = ip.interaction_id WHERE i.channel = 'email'"
    ):
        parties.setdefault(iid, set()).add(pid)
    parent: dict[int, int | None] = {}
    last_by_subject: dict[str, list[int]] = {}
    for iid, _mid, irt, refs, subject, _ts, _t, _p in rows:
        p = by_mid.get(irt) if irt else None
        if p is None and refs:
            for ref in reversed(refs.split()):
                if ref in by_mid:
                    p = by_mid[ref]
                    break
        key = normal_subject(subject or "")
        if p is None and key and SUBJECT_PREFIX.match(subject or ""):
            mine = parties.get(iid, set())
            for cand in reversed(last_by_subject.get(key, [])[-20:]):
                if parties.get(cand, set()) & mine:
                    p = cand
                    break
        parent[iid] = p if p != iid else None
        if key:
            last_by_subject.setdefault(key, []).append(iid)
    root: dict[int, int] = {}

    def find_root(i: int) -> int:
        path = []
        seen = set()
        while parent.get(i) is not None and i not in seen and i not in root:
            seen.add(i)
            path.append(i)
            i = parent[i]  # type: ignore[assignment]
        r = root.get(i, i)
        for x in path:
            root[x] = r
        root[i] = r
        return r

    changes: list[dict[str, Any]] = []
    for iid, _mid, _irt, _refs, _s, _ts, thread_id, parent_id in rows:
        t = find_root(iid)
        if thread_id != t or parent_id != parent[iid]:
            changes.append({"i": iid, "t": t, "p": parent[iid]})
    if changes:
        with db.transaction():
            db.dbapi().executemany("UPDATE interactions SET thread_id = :t, parent_id = :p WHERE id = :i", changes)
    return len(changes)
