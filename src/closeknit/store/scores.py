"""SQL for tie strength: interaction rows for scoring, ratings, saved scores and what reads them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from closeknit.errors import InputError
from closeknit.identity.shown import display
from closeknit.store import ignore
from closeknit.store.base import Base
from closeknit.store.people import name_sql

RATINGS = ("strong", "weak", "favor")

# A party `ip` of an interaction `i` the user was in with them: mail the user sent (to each recipient), mail
# received (from its sender only: not the others it went to), a meeting, a logged touch; not mail between
# others in the user's mailbox, not the one who sent on someone's behalf, not a declined invitation. The score
# and the weekly plan's last touches read contact alike.
CONTACT_SQL = """i.cancelled = 0 AND i.direction IN ('out', 'in', 'both') AND ip.status != 'DECLINED'
  AND (i.direction != 'in' OR i.channel = 'meeting' OR ip.role IN ('from', 'with'))
  AND ip.role != 'sender' AND NOT (i.direction = 'out' AND ip.role = 'from')"""

# One row per (interaction, counterpart). Direction per counterpart: 0 I started it (sent,
# organised), 1 they did, 2 neither side is stated (a meeting we both attended, a "both" log
# entry). An inbound message counts its sender only (co-recipients are not counterparts);
# declined invitations and cancelled events are not time together; a delegate sending my mail
# (its Sender, or its From when it is not me) is no counterpart of it. Rows come unsorted:
# the scorer sorts them in numpy, which is cheaper than SQLite's sort.
_ROWS_SQL = """
SELECT ip.person_id, i.ts,
       CASE WHEN i.direction = 'out' THEN 0
            WHEN i.direction = 'in' AND (i.channel != 'meeting' OR ip.role = 'organizer') THEN 1
            ELSE 2 END,
       {channel}, i.size, i.bulk != '', i.id, coalesce(i.parent_id, -1), coalesce(i.thread_id, i.id)
FROM interactions i JOIN interaction_parties ip ON ip.interaction_id = i.id
WHERE i.ts IS NOT NULL AND ip.person_id != :me AND """ + CONTACT_SQL + "\n"


def me_id(db: Base) -> int:
    return int(db.scalar("SELECT coalesce(min(id), -1) FROM people WHERE is_me = 1"))


def me_name(db: Base) -> str:
    """The name of "me" (the first person marked so), or "" when there is none."""
    return str(db.scalar("SELECT coalesce((SELECT name FROM people WHERE is_me = 1 ORDER BY id LIMIT 1), '')"))


def channels(db: Base) -> list[str]:
    """The distinct channels of the stored interactions."""
    return [c for (c,) in db.fast_rows("SELECT DISTINCT channel FROM interactions ORDER BY channel")]


def interaction_chunks(db: Base, known: list[str], size: int = 100_000) -> Iterator[list[tuple[int, ...]]]:
    """(person, ts, direction code, channel, size, bulk, item, parent, thread) per counterpart, in chunks, all
    integers: the channel is its place in `known` (`channels(db)`), len(known) for one not in it.

    Meetings the user declined are left out: they were not time together with anyone.
    """
    me = me_id(db)
    declined = {i for (i,) in db.fast_rows(
        "SELECT interaction_id FROM interaction_parties WHERE person_id = :me AND status = 'DECLINED'", {"me": me}
    )}
    rules = ignore.load(db)
    places = {f"c{k}": c for k, c in enumerate(known)}
    whens = " ".join(f"WHEN :{p} THEN {k}" for k, p in enumerate(places))
    channel = f"CASE i.channel {whens} ELSE {len(known)} END" if known else "0"
    sql = _ROWS_SQL.format(channel=channel) + (
        f" AND NOT {ignore.address_sql('ip.address')}" if rules.address or rules.domain else "")
    cur = db.dbapi().cursor()
    try:
        cur.execute(sql, {"me": me, **places, **rules.params()})
        while chunk := cur.fetchmany(size):
            yield [r for r in chunk if r[6] not in declined] if declined else chunk
    finally:
        cur.close()


def people_ratings(db: Base) -> list[tuple[int, str | None]]:
    """Everyone to score (neither the user nor an ignored person), with their rating."""
    where, params = ignore.id_filter("id", ignore.people(db))
    return db.fast_rows(f"SELECT id, rating FROM people WHERE is_me = 0 AND {where} ORDER BY id", params)


def rate(db: Base, pid: int, rating: str | None) -> None:
    if rating is not None and rating not in RATINGS:
        raise InputError(f"unknown rating {rating!r}: use strong, weak or favor")
    db.execute("UPDATE people SET rating = :r WHERE id = :p", {"r": rating, "p": pid})


def save(db: Base, rows: list[dict[str, Any]], run: dict[str, Any]) -> None:
    """Replace every score with this run's, in one transaction."""
    with db.transaction():
        cur = db.dbapi().cursor()
        cur.execute("DELETE FROM scores")
        cur.executemany(
            "INSERT INTO scores(person_id, strength, tier, last_contact, last_two_way, sent, received, fading,"
            " factors, features, computed_at, p_contact_90d, p_lapse_90d) VALUES (:person_id, :strength, :tier,"
            " :last_contact, :last_two_way, :sent, :received, :fading, :factors, :features, :computed_at,"
            " :p_contact_90d, :p_lapse_90d)",
            [{"p_lapse_90d": None, **r, "computed_at": run["computed_at"]} for r in rows],
        )
        cur.execute(
            "INSERT INTO score_runs(computed_at, as_of, model, tiers, fit) VALUES (?, ?, ?, ?, ?)",
            (run["computed_at"], run["as_of"], run["model"], json.dumps(run["tiers"]), json.dumps(run["fit"])),
        )
        cur.close()


def last_run(db: Base) -> dict[str, Any] | None:
    row = db.rows("SELECT computed_at, as_of, model, tiers, fit FROM score_runs ORDER BY id DESC LIMIT 1")
    if not row:
        return None
    r = row[0]
    return {"computed_at": r[0], "as_of": r[1], "model": r[2], "tiers": json.loads(r[3]), "fit": json.loads(r[4])}


_PERSON_COLUMNS = (
    f"p.id, {name_sql('p')}, p.organization, p.title, s.strength, s.tier, s.last_contact, s.last_two_way, s.sent,"
    " s.received, s.fading, s.factors, s.p_contact_90d, s.p_lapse_90d"
)
_FEATURES = 14  # the column after _PERSON_COLUMNS


def _person(r: Any) -> dict[str, Any]:
    return {
        "id": r[0], "name": display(r[1]), "organization": r[2], "title": r[3], "strength": r[4], "tier": r[5],
        "last_contact": r[6], "last_two_way": r[7], "sent": r[8], "received": r[9], "fading": bool(r[10]),
        "factors": json.loads(r[11]), "p_contact_90d": r[12], "p_lapse_90d": r[13],
    }


def scored(db: Base, tiers: tuple[str, ...] | None = None, limit: int | None = None,
           features: bool = False) -> list[dict[str, Any]]:
    """Scored people, strongest first; with `features`, each with the features it was scored on."""
    where, params = "p.is_me = 0", {}
    if tiers:
        where += " AND s.tier IN (SELECT value FROM json_each(:tiers))"
        params["tiers"] = json.dumps(list(tiers))
    columns = _PERSON_COLUMNS + (", s.features" if features else "")
    sql = (f"SELECT {columns} FROM scores s JOIN people p ON p.id = s.person_id WHERE {where}"
           " ORDER BY s.strength DESC, p.id")
    if limit:
        sql += f" LIMIT {int(limit)}"
    rows = db.rows(sql, params)
    if not features:
        return [_person(r) for r in rows]
    return [{**_person(r), "features": json.loads(r[_FEATURES])} for r in rows]


def person_score(db: Base, pid: int) -> dict[str, Any] | None:
    row = db.rows(
        f"SELECT {_PERSON_COLUMNS}, s.features FROM scores s JOIN people p ON p.id = s.person_id WHERE p.id = :p",
        {"p": pid},
    )
    if not row:
        return None
    out = _person(row[0])
    out["features"] = json.loads(row[0][_FEATURES])
    return out


def monthly_by_tier(db: Base, since_ts: int) -> list[tuple[str, str, int]]:
    """(YYYY-MM, tier, interactions) from `since_ts`, counting each interaction once per tier."""
    return db.fast_rows(
        "SELECT strftime('%Y-%m', i.ts, 'unixepoch') AS month, s.tier, count(DISTINCT i.id)"
        " FROM interactions i JOIN interaction_parties ip ON ip.interaction_id = i.id"
        " JOIN scores s ON s.person_id = ip.person_id"
        " WHERE i.ts >= :since AND i.bulk = '' AND i.cancelled = 0 AND i.direction IN ('out', 'in', 'both')"
        " GROUP BY month, s.tier ORDER BY month",
        {"since": since_ts},
    )


def conversations(db: Base, until: float) -> list[tuple[str, str, int]]:
    """(direction, subject, answered) of each conversation begun before `until` by a message that is not bulk:
    mail, chat and LinkedIn messages (not invitations) grouped by thread, its first message's direction
    ('out' the user began it, 'in' someone else did) and subject, answered 1 when the other side wrote in it."""
    return db.fast_rows(
        "WITH th AS (SELECT coalesce(thread_id, id) AS th, max(direction = 'in') AS got_in,"
        "  max(direction = 'out') AS got_out FROM interactions"
        "  WHERE +ts < :until AND cancelled = 0"
        "  AND (channel IN ('email', 'message') OR (channel = 'linkedin' AND key NOT LIKE 'invitation/%'))"
        "  GROUP BY 1)"
        " SELECT r.direction, r.subject, CASE r.direction WHEN 'out' THEN th.got_in ELSE th.got_out END"
        " FROM th JOIN interactions r ON r.id = th.th WHERE r.bulk = '' AND r.direction IN ('in', 'out')",
        {"until": until},
    )


def has_replies(db: Base) -> bool:
    """True when some stored message is linked to the message it answers."""
    return bool(db.scalar("SELECT EXISTS (SELECT 1 FROM interactions WHERE parent_id IS NOT NULL)"))


STRAY_MAX = 4  # at most this many interactions dated long after all the others are strays, not where data ends
STRAY_GAP = 90 * 86400  # seconds of silence before such strays


def data_end(db: Base, email_only: bool = False) -> str | None:
    """Where the data ends (YYYY-MM-DD), or None: the newest dated interaction that is not bulk (mail only, with
    `email_only`: a calendar's meetings may be planned months ahead), unless at most STRAY_MAX of them come more
    than 90 days after all the others (a misdated or stray message): then the newest before them."""
    newest = [t for (t,) in db.fast_rows(
        "SELECT ts FROM interactions WHERE ts IS NOT NULL AND bulk = '' AND cancelled = 0"
        + (" AND channel = 'email'" if email_only else "") + f" ORDER BY ts DESC LIMIT {STRAY_MAX + 1}"
    )]
    if not newest:
        return None
    end = newest[0]
    for earlier, later in zip(newest[1:], newest, strict=False):
        if later - earlier > STRAY_GAP:
            end = earlier  # what comes after this gap is a few strays
    return str(db.scalar("SELECT date(:t, 'unixepoch')", {"t": end}))


def strengths(db: Base) -> dict[int, tuple[float, str]]:
    """Each scored person's (strength, tier)."""
    return {p: (s, t) for p, s, t in db.fast_rows("SELECT person_id, strength, tier FROM scores")}
