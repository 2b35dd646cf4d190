"""The weekly plan: at most N people to contact, chosen to keep the most expected strength, each with why."""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from closeknit.durations import every, span
from closeknit.identity import normalise
from closeknit.mailconv import SUBJECT_PREFIX
from closeknit.store import care, favors, life
from closeknit.store.base import Base

PLAN_TIERS = ("inner", "close", "favor", "active")
STRONG_TIERS = ("inner", "close", "favor")
WAITING_DAYS = 21  # a message to the user newer than this, still unanswered, is waiting on them
WAITING_MAX_TO = 3  # ... when the user is one of at most this many people it is addressed to
# ... from someone the user answers: one who began this many conversations with the user, had an answer in fewer than
# this share of them and got fewer than this share of messages back is a newsletter, a notice or a sender the user
# has chosen not to answer, not someone waiting (conversations, not messages: a chat or a follow-up comes in bursts).
UNANSWERED_MIN = 3
UNANSWERED_SHARE = 0.1
SLOW_DAYS = 3  # an answer later than this apologises for the wait
WEEK = 7
MIN_DUE_DAYS = 7  # a tie's own rhythm never asks for contact more than weekly
# Weights of each reason, in strength points kept per point of the tie's strength: a message left
# unanswered puts the tie at risk as a lapse does (of the messages waiting on the 100 Enron owners and
# still unanswered a week later, 81% were followed by no message each way in 90 days; 9% of those
# answered; docs/care.md); a fading tie keeps what its lapse would lose; an occasion (birthday,
# anniversary of connecting) or a favor owed is a good moment rather than a loss.
WAITING_WEIGHT = 0.8
DEBT_WEIGHT = 0.25
DEBT_CAP = 3
BIRTHDAY_WEIGHT = 0.5
ANNIVERSARY_WEIGHT = 0.25
NEWS_WEIGHT = 0.5
NEWS_FLOOR = 1.0  # news is a reason even for a tie gone quiet, whose strength is near 0
NEWS_DAYS = 30
_AS_TIER = {"inner": "an inner-circle tie", "close": "a close tie", "favor": "a favor-list tie",
            "active": "an active tie"}


@dataclass
class Reason:
    kind: str  # waiting, fading, debt, birthday, anniversary, or a life event: employer, title, email_domain, phone
    text: str
    value: float  # strength points this reason expects to keep


@dataclass
class Nudge:
    person: int
    name: str
    tier: str
    strength: float
    due_days: int | None  # the interval after which this tie is due (cadence or its own rhythm)
    last_contact: str | None
    p_lapse: float | None  # probability of no message each way in the next 90 days (`lapse_probability`)
    reasons: list[Reason] = field(default_factory=list)
    opener: str = ""

    @property
    def value(self) -> float:
        return sum(r.value for r in self.reasons)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "value": round(self.value, 1)}


def due_after(cand: dict[str, Any], defaults: dict[str, int]) -> int | None:
    """Days of silence after which a tie is due: the person's own cadence when set (None when turned
    off), else the earlier of the tier's cadence and twice the tie's usual gap."""
    own = cand.get("cadence_days")
    if own is not None:
        return int(own) or None
    tier_days = defaults.get(cand["tier"])
    gap = cand.get("usual_gap_days")
    if tier_days is None:
        return None
    if gap is None:
        return tier_days
    return int(min(tier_days, max(2 * float(gap), MIN_DUE_DAYS)))


def lapse_probability(cand: dict[str, Any]) -> float | None:
    """The chance that the tie lapses (no message each way within 90 days): the fading model's, stored
    for ties active when scored; for others 1 − the contact probability; None when neither is known."""
    if cand.get("p_lapse") is not None:
        return float(cand["p_lapse"])
    p_contact = cand.get("p_contact")
    return None if p_contact is None else 1.0 - float(p_contact)


SUBJECT_SHOWN = 80  # characters of a subject quoted in a reason or an opener


def clean_subject(subject: str) -> str:
    """A subject to quote: without reply and forward prefixes, "" when nothing else is left ("Re:", a bare "re");
    one longer than SUBJECT_SHOWN characters is cut at a word and ends with "…"."""
    cleaned = " ".join(SUBJECT_PREFIX.sub("", subject or "").split())
    if SUBJECT_PREFIX.fullmatch(cleaned.rstrip(":") + ":"):
        return ""
    if len(cleaned) > SUBJECT_SHOWN:
        cut = cleaned[:SUBJECT_SHOWN]
        if cleaned[SUBJECT_SHOWN] != " " and " " in cut:  # cut inside a word: drop what is left of it
            cut = cut.rsplit(" ", 1)[0]
        cleaned = cut.rstrip(" ,;:-–") + "…"
    return cleaned


# Subjects that say nothing to think back to (besides a greeting or the person's name alone).
EMPTY_SUBJECTS = frozenset({"thanks", "thank you", "thx", "fyi", "question", "quick question", "update", "follow up",
                            "follow-up", "followup", "test", "no subject", "(no subject)", "untitled", "message",
                            "note", "info", "call", "meeting", "lunch", "catch up", "catch-up"})
GREETINGS = frozenset({"hi", "hello", "hey", "dear", "hallo", "hola", "greetings"})


def topic(subject: str, name: str) -> str:
    """A subject worth quoting to `name` in an opener: `clean_subject`'s, or "" when it says nothing (a greeting,
    their name, a bare "question" or "update")."""
    cleaned = clean_subject(subject)
    words = [w.strip(" .!?,;:-–") for w in cleaned.casefold().split()]
    named = set(" ".join(normalise.split_name(name)).casefold().split())
    rest = [w for w in words if w and w not in GREETINGS]
    if not rest or " ".join(rest) in EMPTY_SUBJECTS or set(rest) <= named:
        return ""
    return cleaned


def _first_name(name: str) -> str:
    """The name to greet: the given name of "Ana Ruiz", "Ruiz, Ana" or "Dr. Ana Ruiz"; "there" when none
    (an address, an organisation's name)."""
    given = normalise.split_name(name)[0]
    return given.split()[0] if given and not normalise.collective_name(name) else "there"


def _occasion(day: str, today: date, yearly_from: int) -> tuple[int, int] | None:
    """(days until, years) of the next yearly return of `day` (YYYY-MM-DD or --MM-DD) within a week."""
    try:
        if day.startswith("--"):
            month, dom, year = int(day[2:4]), int(day[5:7]), None
        else:
            d = date.fromisoformat(day[:10])
            month, dom, year = d.month, d.day, d.year
    except ValueError:
        return None
    for ahead in range(WEEK):
        when = today + timedelta(days=ahead)
        if (when.month, when.day) == (month, dom) or (month, dom, when.month, when.day) == (2, 29, 2, 28):
            years = when.year - year if year else 0
            if year is None or years >= yearly_from:
                return ahead, years
    return None


def _when(days: int) -> str:
    return "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"


def _unanswered(c: dict[str, Any]) -> bool:
    """True for a sender the user does not answer (see UNANSWERED_MIN)."""
    threads = c.get("their_threads") or 0
    return (threads >= UNANSWERED_MIN and (c.get("their_threads_answered") or 0) < UNANSWERED_SHARE * threads
            and (c.get("sent") or 0) < UNANSWERED_SHARE * (c.get("received") or 0))


def build(
    today: date,
    candidates: list[dict[str, Any]],
    last: dict[int, tuple[int, str]],
    waiting: dict[int, tuple[int, str, str]],
    balances: dict[int, int],
    defaults: dict[str, int],
    budget: int,
    news: dict[int, list[dict[str, Any]]] | None = None,
) -> list[Nudge]:
    """The plan for the week starting `today`: at most `budget` people, most strength kept first."""
    now = datetime.combine(today, datetime.min.time(), tzinfo=UTC).timestamp() + 86400
    plan: list[Nudge] = []
    for c in candidates:
        if c.get("snoozed_until") and c["snoozed_until"] > today.isoformat():
            continue
        if c.get("cadence_days") == 0:
            continue
        pid, strength = c["person"], float(c["strength"] or 0.0)
        touched = last.get(pid)
        silent = (now - touched[0]) / 86400 if touched else None
        due = due_after(c, defaults)
        p_lapse = lapse_probability(c)
        n = Nudge(pid, c["name"], c["tier"], strength, due,
                  datetime.fromtimestamp(touched[0], UTC).date().isoformat() if touched else None,
                  None if p_lapse is None else round(p_lapse, 3))
        wait = waiting.get(pid)
        if wait and not _unanswered(c) and (touched is None or wait[0] >= touched[0]):
            subject = clean_subject(wait[1])
            where = " on LinkedIn" if wait[2] == "linkedin" else ""
            about = f": “{subject}”" if subject else "" if where else ": “no subject”"
            n.reasons.append(Reason("waiting", f"they wrote {span((now - wait[0]) / 86400)} ago{where} and wait for"
                                               f" your answer{about}", WAITING_WEIGHT * strength))
        # Only a tie that was ever two-way can fade: one that only ever wrote to you (a newsletter, a notice)
        # or that you only ever wrote to is not kept by getting in touch.
        if due is not None and silent is not None and silent >= due and p_lapse is not None and c.get(
                "last_two_way"):
            rhythm = (f"your cadence for them is {span(due)}" if c.get("cadence_days")
                      else f"usually {every(c['usual_gap_days'])}" if c.get("usual_gap_days") is not None
                      else f"due every {span(due)} as {_AS_TIER.get(c['tier'], 'a tie')}")
            n.reasons.append(Reason(
                "fading", f"{rhythm}; silent for {span(silent)}: {round(100 * p_lapse)}% likely to lapse (no"
                          f" message each way in the next 90 days), so about {round(p_lapse * strength)} of its"
                          f" {round(strength)} strength points are at risk", p_lapse * strength))
        owed = -balances.get(pid, 0)
        if owed > 0 and c["tier"] in STRONG_TIERS:
            n.reasons.append(Reason("debt", f"you have received {owed} more favor{'s' if owed > 1 else ''}"
                                            " than you gave: give first", DEBT_WEIGHT * min(owed, DEBT_CAP) * strength))
        birthday = _occasion(c.get("birthday") or "", today, 0)
        if birthday:
            n.reasons.append(Reason("birthday", f"birthday {_when(birthday[0])}", BIRTHDAY_WEIGHT * strength))
        anniversary = _occasion(c.get("connected_on") or "", today, 1)
        if anniversary:
            years = anniversary[1]
            n.reasons.append(Reason("anniversary", f"{years} year{'s' if years > 1 else ''} since you connected,"
                                                   f" {_when(anniversary[0])}", ANNIVERSARY_WEIGHT * strength))
        for event in (news or {}).get(pid, []):
            n.reasons.append(Reason(event["kind"], life.in_words(event, c["name"]),
                                    NEWS_WEIGHT * strength + NEWS_FLOOR))
        if n.reasons:
            n.opener = opener(n, touched[1] if touched else "", wait[1] if wait else "",
                              (news or {}).get(pid, []), (now - wait[0]) / 86400 if wait else 0.0)
            plan.append(n)
    plan.sort(key=lambda x: (-x.value, -x.strength, x.person))
    return plan[:budget]


def opener(n: Nudge, last_subject: str, waiting_subject: str, news: list[dict[str, Any]] | None = None,
           waited_days: float = 0.0) -> str:
    """A first line to send, drafted from the reason and the last interaction's subject (for an answer, how
    long it has waited decides between thanks and an apology)."""
    hi = f"Hi {_first_name(n.name)},"
    kinds = {r.kind for r in n.reasons}
    moves = [e for e in news or [] if e["kind"] in ("employer", "title")]
    if "waiting" in kinds:
        about = topic(waiting_subject, n.name)
        on = f" on “{about}”" if about else ""
        if waited_days > SLOW_DAYS:
            return f"{hi} sorry for the slow answer{on}."
        return f"{hi} thanks for your message{on}."
    if "birthday" in kinds:
        return f"Happy birthday, {_first_name(n.name)}! How is the year treating you?"
    if moves:
        move = moves[-1]
        where = f"the move to {move['new']}" if move["kind"] == "employer" else f"the new role as {move['new']}"
        return f"{hi} congratulations on {where}! How are the first weeks going?"
    subject = topic(last_subject, n.name)
    if subject:
        return f"{hi} I was thinking back to “{subject}”. How did it turn out?"
    return f"{hi} it has been a while. How are you doing?"


def weekly(db: Base, today: date, budget: int) -> list[Nudge]:
    """This week's plan from the store (scores as last computed, touches read live)."""
    now = datetime.combine(today, datetime.min.time(), tzinfo=UTC).timestamp() + 86400
    waiting = care.waiting_on_me(db, now - WAITING_DAYS * 86400, now, WAITING_MAX_TO)
    news = recent_events(life.events(db), today)
    candidates = care.candidates(db, PLAN_TIERS, also=sorted({*waiting, *news}))
    last = care.last_touches(db, [c["person"] for c in candidates], now)
    balances = {b["person"]: b["balance"] for b in favors.balances(db)}
    return build(today, candidates, last, waiting, balances, care.cadence_defaults(db), budget, news)


def fading_ties(db: Base, today: date) -> list[tuple[Nudge, Reason]]:
    """Every tie the plan for `today` gives a fading reason (ever two-way, silent past its keep-in-touch time),
    with that reason, the most strength at risk first: what the report lists as fading."""
    found = [(n, r) for n in weekly(db, today, sys.maxsize) for r in n.reasons if r.kind == "fading"]
    return sorted(found, key=lambda nr: (-nr[1].value, nr[0].person))


def recent_events(events: dict[int, list[dict[str, Any]]], today: date) -> dict[int, list[dict[str, Any]]]:
    """Life events seen in the `NEWS_DAYS` up to `today`: news worth a message."""
    since = (today - timedelta(days=NEWS_DAYS)).isoformat()
    recent = {pid: [e for e in evs if since <= e["seen"] <= today.isoformat()] for pid, evs in events.items()}
    return {pid: evs for pid, evs in recent.items() if evs}
