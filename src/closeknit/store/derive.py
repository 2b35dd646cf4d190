"""Derived interaction facts: who "me" is, each message's direction, threads and replies."""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Sequence

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


# Parents and roots are kept as offsets from the lowest email id in compact arrays; these mark "none".
_UNSET = -1  # no parent found yet
_NONE = -2  # resolved to no parent (the message pointed at itself)
_WINDOW = 20  # how many earlier same-subject messages the subject fallback looks at
# Time-ordered scans: "+channel" keeps SQLite off the (channel, key) index, so it walks the ts index
# in order rather than sorting every email row in a temporary B-tree.
_IN_TIME_ORDER = "FROM interactions WHERE +channel = 'email' ORDER BY ts, id"


def derive_threads(db: Base) -> int:
    """Link replies to what they answer (In-Reply-To, References, then subject) and group threads.

    Returns how many messages changed thread or parent. The subject fallback only links a
    "Re:" message to an earlier message with the same subject that shares a participant.
    Conversations of other channels (LinkedIn) are linked by the keys their parser set.
    """
    linked = _link_by_keys(db)
    con: sqlite3.Connection = db.dbapi()
    lo, hi = con.execute("SELECT min(id), max(id) FROM interactions WHERE channel = 'email'").fetchone()
    if lo is None:
        return linked
    parent = array("q", [_UNSET]) * (hi - lo + 1)
    recent = _link_by_headers(con, parent, lo)
    if recent:
        _link_by_subject(con, parent, lo, recent)
    root = array("q", [_UNSET]) * len(parent)
    changed = _changed_threads(con, parent, root, lo)
    if changed:
        rows = ((root[o] + lo, parent[o] + lo if parent[o] >= 0 else None, o + lo) for o in changed)
        with db.transaction():
            db.dbapi().executemany("UPDATE interactions SET thread_id = ?, parent_id = ? WHERE id = ?", rows)
    return linked + len(changed)


def _link_by_keys(db: Base) -> int:
    """Parent and thread of LinkedIn messages from the keys their parser gave: the message answered
    (`in_reply_to`) and the conversation's first message (`refs`)."""
    with db.transaction():
        cur = db.dbapi().execute(
            "UPDATE interactions SET parent_id = link.parent, thread_id = link.thread FROM ("
            " SELECT c.id AS child, p.id AS parent, coalesce(t.id, p.id) AS thread FROM interactions c"
            " JOIN interactions p ON p.channel = c.channel AND p.key = c.in_reply_to"
            " LEFT JOIN interactions t ON t.channel = c.channel AND t.key = c.refs"
            " WHERE c.channel = 'linkedin' AND c.in_reply_to != '') AS link"
            " WHERE interactions.id = link.child"
            " AND (interactions.parent_id IS NOT link.parent OR interactions.thread_id IS NOT link.thread)"
        )
        return max(cur.rowcount, 0)


def _link_by_headers(con: sqlite3.Connection, parent: array[int], lo: int) -> dict[str, array[int]]:
    """Set parents from In-Reply-To, else References; return an empty window per subject of unlinked "Re:" mail."""
    recent: dict[str, array[int]] = {}
    look = con.cursor()
    for iid, pid, refs, subject in con.execute(
        "SELECT c.id, p.id, c.refs, c.subject FROM interactions c LEFT JOIN interactions p"
        " ON c.in_reply_to != '' AND p.channel = 'email' AND p.key = c.in_reply_to WHERE c.channel = 'email'"
    ):
        if pid is None and refs:
            pid = _last_known_ref(look, refs)
        if pid is not None:
            parent[iid - lo] = pid - lo if pid != iid else _NONE
        elif SUBJECT_PREFIX.match(subject) and (key := normal_subject(subject)) and key not in recent:
            recent[key] = array("q")
    look.close()
    return recent


def _last_known_ref(look: sqlite3.Cursor, refs: str) -> int | None:
    """The id of the last referenced Message-ID that is in the database."""
    for ref in reversed(refs.split()):
        row = look.execute("SELECT id FROM interactions WHERE channel = 'email' AND key = ?", (ref,)).fetchone()
        if row:
            return int(row[0])
    return None


def _link_by_subject(con: sqlite3.Connection, parent: array[int], lo: int, recent: dict[str, array[int]]) -> None:
    """Link each unlinked "Re:" message to the latest of the 20 earlier same-subject messages sharing a person."""
    for iid, subject in con.execute(f"SELECT id, subject {_IN_TIME_ORDER}"):
        window = recent.get(normal_subject(subject))
        if window is None:
            continue
        if window and parent[iid - lo] == _UNSET and SUBJECT_PREFIX.match(subject):
            pid = _latest_sharing_party(con, iid, window)
            if pid is not None:
                parent[iid - lo] = pid - lo
        window.append(iid)
        if len(window) > _WINDOW:
            del window[0]


def _latest_sharing_party(con: sqlite3.Connection, iid: int, window: array[int]) -> int | None:
    """The latest message in `window` with a participant in common with message `iid`."""
    found = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT interaction_id FROM interaction_parties WHERE interaction_id IN"
            f" ({','.join('?' * len(window))}) AND person_id IN"
            " (SELECT person_id FROM interaction_parties WHERE interaction_id = ?)",
            (*window, iid),
        )
    }
    return next((c for c in reversed(window) if c in found), None)


def _changed_threads(con: sqlite3.Connection, parent: array[int], root: array[int], lo: int) -> array[int]:
    """Fill `root` (in time order, as cycles are cut where first entered) and return offsets whose row differs."""
    changed = array("q")
    for iid, thread_id, parent_id in con.execute(f"SELECT id, thread_id, parent_id {_IN_TIME_ORDER}"):
        o = iid - lo
        p = parent[o]
        if thread_id != _find_root(parent, root, o) + lo or parent_id != (p + lo if p >= 0 else None):
            changed.append(o)
    return changed


def _find_root(parent: array[int], root: array[int], i: int) -> int:
    """The root offset of `i`'s parent chain, memoised in `root`; a cycle ends where it closes."""
    path: list[int] = []
    seen: set[int] = set()
    while parent[i] >= 0 and root[i] < 0 and i not in seen:
        seen.add(i)
        path.append(i)
        i = parent[i]
    r = root[i] if root[i] >= 0 else i
    for x in path:
        root[x] = r
    root[i] = r
    return r
