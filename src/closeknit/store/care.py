"""SQL for keeping ties alive: cadence and snooze per person, last touches, threads waiting on the user."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from closeknit.identity.shown import display
from closeknit.store import ignore
from closeknit.store.base import Base
from closeknit.store.people import name_sql
from closeknit.store.scores import CONTACT_SQL, me_id

# How often to be in touch by default, per tier (days); the user may change each (`cadence --tier`).
DEFAULT_CADENCE = {"inner": 14, "close": 30, "favor": 90, "active": 182}
_CADENCE_SETTING = "cadence_days"


def cadence_defaults(db: Base) -> dict[str, int]:
    return {**DEFAULT_CADENCE, **db.get_setting(_CADENCE_SETTING, {})}


def set_cadence_default(db: Base, tier: str, days: int) -> None:
    db.set_setting(_CADENCE_SETTING, {**db.get_setting(_CADENCE_SETTING, {}), tier: days})


def set_cadence(db: Base, pid: int, days: int | None) -> None:
    """A person's own interval in days (0: no reminders; None: back to the tier's default)."""
    with db.transaction():
        db.execute("INSERT OR IGNORE INTO care(person_id) VALUES (:p)", {"p": pid})
        db.execute("UPDATE care SET cadence_days = :d WHERE person_id = :p", {"p": pid, "d": days})


def snooze(db: Base, pid: int, until: str | None) -> None:
    """Not proposed before the day `until` (YYYY-MM-DD); None lifts the snooze."""
    with db.transaction():
        db.execute("INSERT OR IGNORE INTO care(person_id) VALUES (:p)", {"p": pid})
        db.execute("UPDATE care SET snoozed_until = :u WHERE person_id = :p", {"p": pid, "u": until})


def overrides(db: Base) -> list[dict[str, Any]]:
    """People with their own cadence or a snooze."""
    rows = db.rows(
        f"SELECT c.person_id, {name_sql('p')}, c.cadence_days, c.snoozed_until FROM care c"
        " JOIN people p ON p.id = c.person_id"
        " WHERE c.cadence_days IS NOT NULL OR c.snoozed_until IS NOT NULL ORDER BY c.person_id"
    )
    return [{"person": r[0], "name": display(r[1]), "cadence_days": r[2], "snoozed_until": r[3]} for r in rows]


def candidates(db: Base, tiers: Sequence[str], also: Sequence[int] = ()) -> list[dict[str, Any]]:
    """Scored ties in `tiers`, and the people in `also` whatever their tier (nobody ignored), with what
    the plan weighs: strength, the probabilities of contact and of lapsing (NULL for a tie not active when
    scored), usual gap, cadence, snooze, birthday, the day of connecting, the last two-way contact, the
    messages each way and the conversations they began with the user (and how many the user answered)."""
    where, params = ignore.id_filter("s.person_id", ignore.people(db))
    rows = db.rows(
        f"SELECT s.person_id, {name_sql('p')}, s.tier, s.strength, s.p_contact_90d, s.features,"
        " c.cadence_days, c.snoozed_until, p.birthday, p.connected_on, s.p_lapse_90d, s.last_two_way, s.sent,"
        " s.received"
        " FROM scores s JOIN people p ON p.id = s.person_id LEFT JOIN care c ON c.person_id = s.person_id"
        f" WHERE p.is_me = 0 AND {where} AND (s.tier IN (SELECT value FROM json_each(:tiers))"
        "  OR s.person_id IN (SELECT value FROM json_each(:also)))",
        {**params, "tiers": json.dumps(list(tiers)), "also": json.dumps(list(also))},
    )
    out = []
    for r in rows:
        try:
            features = json.loads(r[5] or "{}")
        except ValueError:
            features = {}
        out.append({"person": r[0], "name": display(r[1]), "tier": r[2], "strength": r[3], "p_contact": r[4],
                    "usual_gap_days": features.get("usual_gap_days"), "cadence_days": r[6], "snoozed_until": r[7],
                    "birthday": r[8], "connected_on": r[9], "p_lapse": r[10], "last_two_way": r[11], "sent": r[12],
                    "received": r[13], "their_threads": features.get("their_threads") or 0,
                    "their_threads_answered": features.get("their_threads_answered") or 0})
    return out


def last_touches(db: Base, ids: Sequence[int], now: float) -> dict[int, tuple[int, str]]:
    """Per person, the newest interaction before `now` on any channel that is contact as the strength score
    reads it (`CONTACT_SQL`; not bulk, not a meeting the user declined): its time and subject. Read live, so
    a touch logged a minute ago counts.

    The plan asks this of everyone in touch within a year, whose interactions are most of the table: the
    party rows are read in the order they are stored, each joined to its interaction in the same order
    (following the person index instead reads the interactions one by one out of order, several times
    slower), and the newest kept as they stream by (cheaper than SQLite's sort for a GROUP BY); then the
    subjects of the few kept. Of equal times the first stored is kept."""
    newest: dict[int, tuple[int, int]] = {}
    get = newest.get
    for pid, ts, iid in db.stream(
        "SELECT ip.person_id, i.ts, i.id"
        " FROM interaction_parties ip NOT INDEXED CROSS JOIN interactions i ON i.id = ip.interaction_id"
        " WHERE +ip.person_id IN (SELECT value FROM json_each(:ids)) AND +i.ts IS NOT NULL AND +i.ts < :now"
        f" AND i.bulk = '' AND {CONTACT_SQL} AND (i.channel != 'meeting' OR i.id NOT IN"
        "  (SELECT interaction_id FROM interaction_parties WHERE person_id = :me AND status = 'DECLINED'))",
        {"ids": json.dumps(list(ids)), "now": now, "me": me_id(db)},
    ):
        seen = get(pid)
        if seen is None or ts > seen[0]:
            newest[pid] = (ts, iid)
    subjects = dict(db.fast_rows(
        "SELECT id, subject FROM interactions WHERE id IN (SELECT value FROM json_each(:ids))",
        {"ids": json.dumps([iid for _, iid in newest.values()])},
    ))
    return {pid: (ts, subjects.get(iid, "")) for pid, (ts, iid) in newest.items()}  # "": deleted meanwhile


def waiting_on_me(db: Base, since: float, now: float, max_to: int) -> dict[int, tuple[int, str, str]]:
    """People whose message to the user, addressed to them directly (the user one of at most `max_to` people
    in To: a note to a team or a distribution list asks no one in particular), arrived between `since` and
    `now` in a thread the user has not written in (a conversation they started, still unanswered). A reply
    to the user's own message ends a conversation as often as it asks for more, so it is not counted as
    waiting. Mail, chat and LinkedIn messages count (not LinkedIn invitations, nor what the importer marked
    bulk: a promotion, a sponsored message): the newest such per person, as (time, subject, channel).

    A thread's messages are found by reading the table in stored order ("+" keeps SQLite off the time and
    channel indexes, which would fetch most rows one by one out of order): no index leads to a thread."""
    rows = db.fast_rows(
        "WITH recent AS (SELECT coalesce(thread_id, id) AS th, max(ts) AS ts FROM interactions"
        "  WHERE +ts < :now AND cancelled = 0 AND +channel IN ('email', 'message', 'linkedin')"
        "  AND (channel != 'linkedin' OR key NOT LIKE 'invitation/%')"
        "  AND coalesce(thread_id, id) IN (SELECT coalesce(thread_id, id) FROM interactions"
        "                                  WHERE ts >= :since AND ts < :now)"
        "  GROUP BY coalesce(thread_id, id) HAVING max(direction = 'out') = 0)"
        " SELECT ip.person_id, i.ts, i.subject, i.channel FROM recent r"
        " JOIN interactions i ON coalesce(i.thread_id, i.id) = r.th AND i.ts = r.ts"
        " JOIN interaction_parties ip ON ip.interaction_id = i.id AND ip.role = 'from'"
        " WHERE i.direction = 'in' AND i.bulk = ''"
        " AND EXISTS (SELECT 1 FROM interaction_parties m JOIN people me ON me.id = m.person_id"
        "             WHERE m.interaction_id = i.id AND me.is_me = 1 AND m.role = 'to')"
        " AND (SELECT count(*) FROM interaction_parties t WHERE t.interaction_id = i.id AND t.role = 'to') <= :max_to",
        {"since": since, "now": now, "max_to": max_to},
    )
    out: dict[int, tuple[int, str, str]] = {}
    for pid, ts, subject, channel in rows:
        if pid not in out or ts > out[pid][0]:
            out[pid] = (ts, subject, channel)
    return out
