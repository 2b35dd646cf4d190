"""Derived interaction facts: who "me" is, each message's direction, threads and replies, what is bulk both ways."""

from __future__ import annotations

import json
import sqlite3
from array import array
from collections.abc import Iterable, Sequence

from closeknit.errors import InputError
from closeknit.identity import normalise
from closeknit.mailconv import SENT_FOLDER, SUBJECT_PREFIX, normal_subject
from closeknit.store import ignore
from closeknit.store.base import Base
from closeknit.store.people import merge_into, split

ME = "me_addresses"  # setting: the user's own addresses
NOT_ME = "not_me_addresses"  # setting: addresses the user said are not theirs (never inferred again)
# Scans of every email row say "+channel = 'email'": SQLite then reads interactions in id order, not through
# the (channel, key) index in key order, which visits the rows (and their parties) at random, 2-8 times slower.
SENDING_ROLES = ("from", "sender", "organizer")  # a message or meeting sent by "me" in one of these roles
_SHARE = 0.1  # an address of the owner's name receiving this share of the mail is theirs too


def set_me(
    db: Base, addresses: Sequence[str], region: str = "US", profiles: Sequence[str] = (), names: Sequence[str] = ()
) -> list[str]:
    """Add the user's own addresses (and profile URLs or names) to "me": one person, flagged as me."""
    from closeknit.store.writer import Writer

    clean = []
    for a in addresses:
        e = normalise.email(a)
        if not e:
            raise InputError(f"--me {a!r} is not an email address")
        clean.append(e)
    known = list(db.get_setting(ME, []))
    merged = sorted(set(known) | set(clean))
    not_me = [a for a in db.get_setting(NOT_ME, []) if a not in clean]
    if clean:
        db.set_setting(NOT_ME, not_me)
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
    db.set_setting(ME, merged)
    derive_directions(db)
    return merged


def remove_me(db: Base, address: str) -> list[str]:
    """Say an address is not the user's: taken out of "me" (its records become a person of their own), it is never
    inferred again; one that was not "me" is no longer suggested (a delegate, a look-alike)."""
    e = normalise.email(address)
    if not e:
        raise InputError(f"{address!r} is not an email address")
    known = list(db.get_setting(ME, []))
    if e not in known:  # not yours already: it is no longer suggested
        db.set_setting(NOT_ME, sorted({*db.get_setting(NOT_ME, []), e}))
        return known
    me = db.scalar("SELECT min(id) FROM people WHERE is_me = 1")
    records = [r for (r,) in db.rows(
        "SELECT DISTINCT source_record_id FROM identifiers WHERE kind = 'email' AND value = :v AND person_id = :p",
        {"v": e, "p": me},
    )]
    if records:
        mine = int(db.scalar("SELECT count(*) FROM source_records WHERE person_id = :p", {"p": me}) or 0)
        if len(records) < mine:
            split(db, int(me), records)
        elif len(known) == 1:  # the last address: no one is me any more
            db.execute("UPDATE people SET is_me = 0 WHERE id = :p", {"p": me})
    db.set_setting(ME, [a for a in known if a != e])
    db.set_setting(NOT_ME, sorted({*db.get_setting(NOT_ME, []), e}))
    derive_directions(db)
    return list(db.get_setting(ME, []))


def sent_senders(db: Base, roles: Sequence[str] = ("from", "sender")) -> dict[str, int]:
    """Messages in sent folders by each address sending them (in `roles`), lower-cased."""
    counts: dict[str, int] = {}
    for addr, folder, n in db.fast_rows(
        "SELECT lower(ip.address), i.folder, count(DISTINCT i.id) FROM interaction_parties ip JOIN interactions i"
        " ON i.id = ip.interaction_id WHERE +i.channel = 'email' AND ip.address != ''"
        " AND ip.role IN (SELECT value FROM json_each(:roles)) GROUP BY 1, 2",
        {"roles": json.dumps(list(roles))},
    ):
        if SENT_FOLDER.search(folder or "") and normalise.email(addr):
            counts[addr] = counts.get(addr, 0) + n
    return counts


def not_me_senders(db: Base) -> dict[str, int]:
    """From addresses of messages in sent folders that are not "me", with their counts (delegates sending
    as themselves, or addresses of the user's still missing from "me"), but for those the user said are not theirs."""
    known = {*db.get_setting(ME, []), *db.get_setting(NOT_ME, [])}
    return {a: n for a, n in sent_senders(db, ("from",)).items() if a not in known}


def look_alikes(db: Base) -> dict[str, int]:
    """Addresses that look like the user's own, with how many messages went to each: those the user's mail is
    addressed to (a private address they forward mail to, an old or second address). They look like the user's
    when they are the local part of one of "me"'s addresses with other digits or separators ("pallen70@…" beside
    "pallen@…"), the user's full name, in the address or as its name ("dana.whitfield@…", "Dana Whitfield
    <dw@…>"), or the usual short forms of it ("dwhitfield@…", "whitfieldd@…")."""
    from closeknit.store.review import names_alike

    known = list(db.get_setting(ME, []))
    if not known:
        return {}
    skip = {*known, *db.get_setting(NOT_ME, [])}
    me_keys = _me_keys(db, known, _all_names(db, known))
    locals_ = {x for a in known if len(x := _letters(a)) >= 4} | _short_forms(me_keys)
    addressed = {a: n for a, n in db.fast_rows(
        "SELECT lower(ip.address), count(DISTINCT i.id) FROM interaction_parties ip JOIN interactions i"
        " ON i.id = ip.interaction_id WHERE +i.channel = 'email' AND ip.role IN ('to', 'cc', 'bcc')"
        " AND ip.address != '' GROUP BY 1"
    ) if a not in skip and normalise.email(a)}
    names = _names(db, list(addressed))

    def mine(key: str) -> bool:
        return len(key.split()) >= 2 and any(names_alike(key, k) >= 90 for k in me_keys)

    return {a: n for a, n in addressed.items()
            if _letters(a) in locals_ or mine(normalise.local_words(a)) or mine(names.get(a, ""))}


def _short_forms(name_keys: Iterable[str]) -> set[str]:
    """The usual short address forms of full names, in letters: given initial and family name ("dwhitfield"),
    family name and given initial ("whitfieldd"); for a family name of at least four letters."""
    out: set[str] = set()
    for key in name_keys:
        words = [w for w in ("".join(c for c in w if c.isalpha()) for w in key.split()) if w]
        if len(words) >= 2 and len(family := words[-1]) >= 4:
            out |= {words[0][0] + family, family + words[0][0]}
    return out


def _letters(address: str) -> str:
    """An address's local part in letters only: "p.allen70@…" gives "pallen"."""
    return "".join(c for c in address.split("@")[0].lower() if c.isalpha())


def _received(db: Base) -> tuple[dict[str, int], int]:
    """Messages outside sent folders by each recipient address, and how many such messages there are."""
    counts: dict[str, int] = {}
    total = 0
    for addr, folder, n in db.fast_rows(
        "SELECT lower(ip.address), i.folder, count(DISTINCT i.id) FROM interaction_parties ip JOIN interactions i"
        " ON i.id = ip.interaction_id WHERE +i.channel = 'email' AND ip.role IN ('to', 'cc', 'bcc')"
        " AND ip.address != '' GROUP BY 1, 2"
    ):
        if not SENT_FOLDER.search(folder or ""):
            counts[addr] = counts.get(addr, 0) + n
    for folder, n in db.fast_rows("SELECT folder, count(*) FROM interactions WHERE +channel = 'email' GROUP BY 1"):
        if not SENT_FOLDER.search(folder or ""):
            total += n
    return counts, total


def _names(db: Base, addresses: Sequence[str]) -> dict[str, str]:
    """The name key of the person holding each address."""
    return {a: k for a, k in db.fast_rows(
        "SELECT i.value, p.name_key FROM identifiers i JOIN people p ON p.id = i.person_id"
        " WHERE i.kind = 'email' AND i.value IN (SELECT value FROM json_each(:a))",
        {"a": json.dumps(sorted(addresses))},
    )}


def _all_names(db: Base, addresses: Sequence[str]) -> list[str]:
    """The name keys of everyone holding one of `addresses`."""
    return [k for (k,) in db.fast_rows(
        "SELECT p.name_key FROM identifiers i JOIN people p ON p.id = i.person_id"
        " WHERE i.kind = 'email' AND i.value IN (SELECT value FROM json_each(:a))",
        {"a": json.dumps(sorted(addresses))},
    )]


def _same_person(address: str, key: str, me_keys: set[str]) -> bool:
    """True when an address's name is one of "me"'s names (or, nameless, its local part holds one of their words),
    and its local part names no one else ("pat.moreno@…" named "Dana Whitfield" is Dana's delegate)."""
    from closeknit.store.review import names_alike

    local_key = normalise.local_words(address)
    if len(local_key.split()) >= 2 and not any(names_alike(local_key, k) for k in me_keys):
        return False  # someone else's address sending in my name: a delegate
    if key:
        return any(names_alike(key, k) >= 90 for k in me_keys)
    local = address.split("@")[0]
    return any(len(w) >= 3 and w in local for k in me_keys for w in k.split())


def infer_me(db: Base) -> list[str]:
    """The user's addresses: the known ones, or else the sender in sent folders who receives the most other
    mail (an assistant sending an executive's mail receives little of it); with every other address of
    theirs (by name) that sends from a sent folder or receives a tenth of the mail. Without sent folders,
    the address in at least 30% of the messages."""
    known = list(db.get_setting(ME, []))
    if known and not _me_keys(db, known, _all_names(db, known)):
        # Another address is only taken for the user's by their name: a "me" without one has no other address
        # to find (and the counts of who sends and receives what, the costly part, are not needed).
        return sorted(set(known))
    not_me = set(db.get_setting(NOT_ME, []))
    sent = {a: n for a, n in sent_senders(db).items() if a not in not_me}
    received, total = _received(db)
    anchors = known
    if not anchors and sent:
        # Whose mailbox this is: of those sending its sent mail, the one its other mail is addressed to.
        steady = {a: n for a, n in sent.items() if n >= 2} or sent
        anchors = [max(steady, key=lambda a: (received.get(a, 0), steady[a], a))]
    if not anchors:
        return _ever_present(db, not_me)
    frequent = {a for a, n in received.items() if total and n >= _SHARE * total and a not in not_me}
    candidates = (set(sent) | frequent) - set(anchors)
    names = _names(db, [*anchors, *candidates])
    me_keys = _me_keys(db, anchors, [names[a] for a in anchors if names.get(a)])
    also = [a for a in candidates if normalise.email(a) and _same_person(a, names.get(a, ""), me_keys)]
    return sorted({*anchors, *also})


def _me_keys(db: Base, anchors: Sequence[str], names: Iterable[str]) -> set[str]:
    """The name keys of "me": `names` (those of the people holding `anchors`), those of the people flagged as
    me, and those of anchors whose local part is a full name."""
    me_keys = {k for k in names if k}
    me_keys |= {k for (k,) in db.fast_rows("SELECT name_key FROM people WHERE is_me = 1 AND name_key != ''")}
    me_keys |= {k for a in anchors if len((k := normalise.local_words(a)).split()) >= 2}  # "dana.whitfield@…"
    return me_keys


def _ever_present(db: Base, not_me: set[str]) -> list[str]:
    total = int(db.scalar("SELECT count(*) FROM interactions WHERE channel = 'email'") or 0)
    for addr, n in db.rows(
        "SELECT lower(ip.address), count(DISTINCT ip.interaction_id) AS n FROM interaction_parties ip"
        " JOIN interactions i ON i.id = ip.interaction_id WHERE +i.channel = 'email' AND ip.address != ''"
        " GROUP BY 1 ORDER BY n DESC LIMIT 3"
    ):
        if addr not in not_me and total and n >= 0.3 * total and normalise.email(addr):
            return [addr]
    return []


def derive_directions(db: Base) -> None:
    """Set every interaction's direction from who took part: out, in, both (stated) or other."""
    has_me = bool(db.scalar("SELECT 1 FROM people WHERE is_me = 1"))
    db.execute(
        "UPDATE interactions SET direction = CASE"
        " WHEN stated_direction != '' THEN stated_direction"
        " WHEN EXISTS (SELECT 1 FROM interaction_parties ip JOIN people p ON p.id = ip.person_id"
        "   WHERE ip.interaction_id = interactions.id AND p.is_me = 1 AND ip.role IN ('from', 'sender', 'organizer'))"
        "   THEN 'out'"
        " WHEN EXISTS (SELECT 1 FROM interaction_parties ip JOIN people p ON p.id = ip.person_id"
        "   WHERE ip.interaction_id = interactions.id AND p.is_me = 1) THEN 'in'"
        " WHEN :has_me AND lower(folder) LIKE '%inbox%' THEN 'in'"  # received through a list or a Bcc
        " WHEN :has_me AND folder IN (SELECT value FROM json_each(:sent)) THEN 'out'"  # sent on my behalf
        " WHEN :has_me THEN 'other' ELSE '' END",
        {"has_me": int(has_me), "sent": json.dumps(sent_folders(db))},
    )
    derive_bulk_replies(db)  # who wrote to whom changed with "me"


# A counterpart is a bulk sender when at least 3 messages came from them and at least 80% of those are bulk.
# Three is the fewest that make a pattern (one or two list messages from a colleague are chance: a forwarded
# newsletter, an auto-reply); 80% leaves room for a list owner's odd personal note or a message the headers
# did not flag, while someone who writes to the user in person rarely sends four in five with list headers.
# Mail that is bulk only for its many recipients does not count as bulk here: an announcement to the whole
# company still comes from a person one writes to. Nor does mail bulk only because its sender is ignored: that
# is the user's own rule, which leaves the sender out already and may be taken back.
BULK_SENDER_MIN = 3
BULK_SENDER_SHARE = 0.8
TO_BULK_SENDER = "written to a bulk sender"  # the `bulk` reason of the user's messages to bulk senders only
_MESSAGES = "('email', 'linkedin')"  # the channels of messages (meetings and logged contacts are not mail)
# Bulk as counted here (see above): not for its recipient count alone, nor for an ignore rule.
_BULK = f"i.bulk != '' AND i.bulk != '{ignore.IGNORED}' AND i.bulk NOT GLOB '[0-9]* recipients*'"
# The counterparts of a message the user sent: everyone on it but the user and its sender.
_COUNTERPART = ("ip.interaction_id = interactions.id AND ip.role NOT IN ('from', 'sender')"
                " AND ip.person_id NOT IN (SELECT id FROM people WHERE is_me = 1)")
_TO_BULK_ONLY = (
    f"direction = 'out' AND channel IN {_MESSAGES}"
    f" AND EXISTS (SELECT 1 FROM interaction_parties ip WHERE {_COUNTERPART})"
    f" AND NOT EXISTS (SELECT 1 FROM interaction_parties ip WHERE {_COUNTERPART}"
    "   AND ip.person_id NOT IN (SELECT value FROM json_each(:senders)))"
)


def bulk_senders(db: Base) -> list[int]:
    """The people whose messages to the user are mostly bulk (newsletters, lists, no-reply senders)."""
    return [pid for (pid,) in db.fast_rows(
        "SELECT ip.person_id FROM interactions i JOIN interaction_parties ip ON ip.interaction_id = i.id"
        f" WHERE i.direction = 'in' AND i.channel IN {_MESSAGES} AND ip.role = 'from' GROUP BY ip.person_id"
        f" HAVING count(DISTINCT i.id) >= :least"
        f" AND count(DISTINCT CASE WHEN {_BULK} THEN i.id END)"
        " >= :share * count(DISTINCT i.id)",
        {"least": BULK_SENDER_MIN, "share": BULK_SENDER_SHARE},
    )]


def derive_bulk_replies(db: Base) -> int:
    """Mark as bulk the user's messages written only to bulk senders (an "unsubscribe" reply to a newsletter):
    a newsletter stays bulk both ways, never a two-way tie. Idempotent: a message no longer written only to
    bulk senders (after more mail, a merge, a change of "me") is unmarked. Returns how many messages changed."""
    params = {"senders": json.dumps(bulk_senders(db)), "reason": TO_BULK_SENDER}
    with db.transaction():
        cur = db.dbapi().cursor()
        cur.execute(f"UPDATE interactions SET bulk = '' WHERE bulk = :reason AND NOT ({_TO_BULK_ONLY})", params)
        changed = max(cur.rowcount, 0)
        if params["senders"] != "[]":
            cur.execute(f"UPDATE interactions SET bulk = :reason WHERE bulk = '' AND {_TO_BULK_ONLY}", params)
            changed += max(cur.rowcount, 0)
        cur.close()
    return changed


def sent_folders(db: Base) -> list[str]:
    """The mail folders that hold sent mail."""
    return [f for (f,) in db.fast_rows("SELECT DISTINCT folder FROM interactions WHERE +channel = 'email'")
            if SENT_FOLDER.search(f or "")]


# Parents and roots are kept as offsets from the lowest email id in compact arrays; these mark "none".
_UNSET = -1  # no parent found yet
_NONE = -2  # resolved to no parent (the message pointed at itself)
_NULL = -(1 << 62)  # a stored thread or parent id that is NULL
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
    subjects: dict[str, str] = {}  # subject -> normal_subject(subject): replies and copies repeat subjects
    recent = _link_by_headers(con, parent, lo, subjects)
    stored = _link_by_subject(con, parent, lo, recent, subjects)
    root = array("q", [_UNSET]) * len(parent)
    changed = _changed_threads(parent, root, lo, stored)
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


def _normal_subject(subjects: dict[str, str], subject: str) -> str:
    key = subjects.get(subject)
    if key is None:
        key = subjects[subject] = normal_subject(subject)
    return key


def _link_by_headers(con: sqlite3.Connection, parent: array[int], lo: int,
                     subjects: dict[str, str]) -> dict[str, array[int]]:
    """Set parents from In-Reply-To, else References; return an empty window per subject of unlinked "Re:" mail."""
    recent: dict[str, array[int]] = {}
    look = con.cursor()
    for iid, pid, refs, subject in con.execute(
        "SELECT c.id, p.id, c.refs, c.subject FROM interactions c LEFT JOIN interactions p"
        " ON c.in_reply_to != '' AND p.channel = 'email' AND p.key = c.in_reply_to WHERE +c.channel = 'email'"
    ):
        if pid is None and refs:
            pid = _last_known_ref(look, refs)
        if pid is not None:
            parent[iid - lo] = pid - lo if pid != iid else _NONE
        elif SUBJECT_PREFIX.match(subject) and (key := _normal_subject(subjects, subject)) and key not in recent:
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


_ASKS = 5000  # "Re:" messages whose windows are looked at together
_CHUNK = 500  # ids per IN (...) query


def _link_by_subject(con: sqlite3.Connection, parent: array[int], lo: int, recent: dict[str, array[int]],
                     subjects: dict[str, str]) -> tuple[array[int], array[int], array[int]]:
    """Link each unlinked "Re:" message to the latest of the 20 earlier same-subject messages sharing a person.

    Returns, read on the way, every message in time order with its stored thread and parent (offsets, thread
    ids, parent ids; _NULL for none), for `_changed_threads`.
    """
    order, threads, parents = array("q"), array("q"), array("q")
    asks: list[tuple[int, tuple[int, ...]]] = []  # (message, its window), answered a few thousand at a time
    for iid, subject, thread_id, parent_id in con.execute(f"SELECT id, subject, thread_id, parent_id {_IN_TIME_ORDER}"):
        order.append(iid - lo)
        threads.append(_NULL if thread_id is None else thread_id)
        parents.append(_NULL if parent_id is None else parent_id)
        if not recent:
            continue
        window = recent.get(_normal_subject(subjects, subject))
        if window is None:
            continue
        if window and parent[iid - lo] == _UNSET and SUBJECT_PREFIX.match(subject):
            asks.append((iid, tuple(window)))
            if len(asks) >= _ASKS:
                _answer(con, parent, lo, asks)
                asks = []
        window.append(iid)
        if len(window) > _WINDOW:
            del window[0]
    if asks:
        _answer(con, parent, lo, asks)
    return order, threads, parents


def _answer(con: sqlite3.Connection, parent: array[int], lo: int, asks: list[tuple[int, tuple[int, ...]]]) -> None:
    """Link each message of `asks` to the latest message of its window with a participant in common."""
    ids = sorted({i for iid, window in asks for i in (iid, *window)})
    people: dict[int, set[int]] = {}
    for n in range(0, len(ids), _CHUNK):
        chunk = ids[n:n + _CHUNK]
        for iid, pid in con.execute(
            "SELECT interaction_id, person_id FROM interaction_parties"
            f" WHERE interaction_id IN ({','.join('?' * len(chunk))})", chunk,
        ):
            people.setdefault(iid, set()).add(pid)
    none: set[int] = set()
    for iid, window in asks:
        mine = people.get(iid, none)
        found = next((c for c in reversed(window) if not mine.isdisjoint(people.get(c, none))), None)
        if found is not None:
            parent[iid - lo] = found - lo


def _changed_threads(parent: array[int], root: array[int], lo: int,
                     stored: tuple[array[int], array[int], array[int]]) -> array[int]:
    """Fill `root` (in time order, as cycles are cut where first entered) and return offsets whose row differs
    from what is `stored` (see `_link_by_subject`)."""
    changed = array("q")
    for o, thread_id, parent_id in zip(*stored, strict=True):
        p = parent[o]
        if thread_id != _find_root(parent, root, o) + lo or parent_id != (p + lo if p >= 0 else _NULL):
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
