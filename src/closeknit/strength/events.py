"""Columnar interaction events (one row per interaction and counterpart) for tie-strength scoring."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

import numpy as np

from closeknit.mailconv import REPLY_PREFIX, normal_subject

OUT, IN, OTHER = 0, 1, 2
DIRECTIONS = ("out", "in", "other")
CHANNELS = ("email", "meeting_1on1", "meeting_small", "meeting_large", "call", "message")
EMAIL, MEETING_1ON1, MEETING_SMALL, MEETING_LARGE, CALL, MESSAGE = range(6)
NO_REPLY, ME_REPLIED, THEY_REPLIED = -1, 0, 1

_SUBJECT_WINDOW = 30 * 86400  # a subject-only reply must follow its parent within 30 days


def channel_kind(channel: str, size: int = 0) -> str:
    """Map a record channel ("email", "meeting", "call", "coffee", "linkedin", ...) to a scoring kind.

    Meetings are split by size (attendees including me): 2 → 1:1, up to 8 → small, more → large.
    """
    c = channel.lower()
    if c in CHANNELS:
        return c
    if c in ("meeting", "event", "calendar"):
        if size and size <= 2:
            return "meeting_1on1"
        return "meeting_small" if size <= 8 else "meeting_large"
    if c in ("coffee", "lunch", "dinner", "visit"):
        return "meeting_1on1"
    if c in ("call", "phone", "video"):
        return "call"
    if c in ("mail", "e-mail"):
        return "email"
    return "message"


class Row(NamedTuple):
    """One interaction with one counterpart, as the store (or any caller) can supply it.

    person: any hashable key (store person id, address); ts: unix seconds or aware datetime;
    direction: "out" (I sent / organised), "in" (they did) or "other"; channel: a CHANNELS kind
    (or a record channel, mapped with channel_kind); n_recipients: how many people it was
    addressed to besides its sender, me included (1 for a 1:1 message, call or meeting);
    bulk: automated/list mail (worth nothing);
    item: id of the interaction (rows of one message share it); parent: item this one answers
    (None when it starts a thread or is unknown); thread: thread id (defaults to the item);
    starts_thread: None → derived as "parent is None".
    """

    person: Any
    ts: float | int | datetime
    direction: str | int = "out"
    channel: str = "email"
    n_recipients: int = 1
    bulk: bool = False
    item: int | None = None
    parent: int | None = None
    thread: int | None = None
    starts_thread: bool | None = None


@dataclass(slots=True)
class Events:
    """Interaction rows as parallel numpy arrays, sorted by (person, ts).

    Columns (length n rows): person (int32 index into `people`), ts (int64 unix seconds),
    direction (int8: OUT/IN/OTHER), channel (int8 index into CHANNELS), n_recipients (int32,
    ≥ 1), bulk (bool), item (int64 interaction id), thread (int64, ≥ 0: ids given by the
    caller are renumbered when negative or very large), starts_thread (bool),
    latency (float64 seconds when this row is a reply to the other side, NaN otherwise) and
    replier (int8: ME_REPLIED, THEY_REPLIED or NO_REPLY). `people` holds the person keys.
    Build with `from_rows`, `from_mail` or `from_messages`; never mutate arrays in place.
    """

    person: np.ndarray
    ts: np.ndarray
    direction: np.ndarray
    channel: np.ndarray
    n_recipients: np.ndarray
    bulk: np.ndarray
    item: np.ndarray
    thread: np.ndarray
    starts_thread: np.ndarray
    latency: np.ndarray
    replier: np.ndarray
    people: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.person = np.asarray(self.person, dtype=np.int32)
        self.ts = np.asarray(self.ts, dtype=np.int64)
        n = len(self.person)
        cols: dict[str, type] = {
            "direction": np.int8, "channel": np.int8, "n_recipients": np.int32, "bulk": np.bool_,
            "item": np.int64, "thread": np.int64, "starts_thread": np.bool_, "latency": np.float64,
            "replier": np.int8,
        }
        for name, dtype in cols.items():
            arr: np.ndarray = np.asarray(getattr(self, name), dtype=dtype)
            if arr.shape != (n,):
                raise ValueError(f"Events column {name} has shape {arr.shape}, expected ({n},)")
            setattr(self, name, arr)
        if n and (self.person.min() < 0 or self.person.max() >= len(self.people)):
            raise ValueError("Events.person indexes outside people")
        if n and (self.thread.min() < 0 or self.thread.max() >= _dense_limit(n)):
            # Thread ids become small indexes so features can index arrays by thread.
            self.thread = np.unique(self.thread, return_inverse=True)[1].reshape(n).astype(np.int64)
        if n > 1:
            span = int(self.ts.max()) - int(self.ts.min())
            key = self.person.astype(np.int64) * (1 << 40) + (self.ts - self.ts.min()) if span < 1 << 40 else None
            if key is None or np.any(np.diff(key) < 0):
                order = np.lexsort((self.ts, self.person)) if key is None else np.argsort(key, kind="stable")
                for name in ("person", "ts", *cols):
                    setattr(self, name, getattr(self, name)[order])

    def __len__(self) -> int:
        return len(self.person)

    @property
    def n_people(self) -> int:
        return len(self.people)

    def select(self, mask: np.ndarray) -> Events:
        """Rows where mask is true (a boolean array or sorted indices); people are kept."""
        return Events(
            self.person[mask], self.ts[mask], self.direction[mask], self.channel[mask],
            self.n_recipients[mask], self.bulk[mask], self.item[mask], self.thread[mask],
            self.starts_thread[mask], self.latency[mask], self.replier[mask], self.people,
        )

    def window(self, start: float | None = None, end: float | None = None) -> Events:
        """Rows with start ≤ ts < end (unix seconds; None leaves that side open)."""
        mask = np.ones(len(self), dtype=bool)
        if start is not None:
            mask &= self.ts >= start
        if end is not None:
            mask &= self.ts < end
        return self.select(mask)

    @classmethod
    def empty(cls, people: Sequence[Any] = ()) -> Events:
        z = np.zeros(0)
        return cls(z, z, z, z, z, z, z, z, z, z, z, list(people))

    @classmethod
    def from_columns(
        cls,
        person: Sequence[Any] | np.ndarray,
        ts: Sequence[float] | np.ndarray,
        direction: Sequence[Any] | np.ndarray,
        *,
        channel: Sequence[Any] | np.ndarray | None = None,
        n_recipients: Sequence[int] | np.ndarray | None = None,
        bulk: Sequence[bool] | np.ndarray | None = None,
        item: Sequence[int] | np.ndarray | None = None,
        parent: Sequence[int] | np.ndarray | None = None,
        thread: Sequence[int] | np.ndarray | None = None,
        starts_thread: Sequence[bool] | np.ndarray | None = None,
        people: Sequence[Any] | None = None,
    ) -> Events:
        """Build from column arrays; the fast path for a store feeding rows from SQL.

        person: integer indices into `people` when `people` is given, else keys (mapped in order
        of first appearance). direction/channel: ints or names. parent: item id answered (−1 for
        none). Reply latency and replier are derived from item/parent (see `Events`).

        From the store: one row per (interaction, counterpart) — for an outbound interaction
        every other party (to/cc/bcc/attendee); for an inbound one its sender/organizer, plus
        the other attendees of a meeting as "other" — with item = interaction
        id, parent = parent_id (−1 when NULL), thread = thread_id, bulk = (bulk != ""),
        channel = channel_kind(channel, size) and n_recipients = recipients besides the sender.
        Rows already ordered by (person, ts) skip the sort.
        """
        n = len(ts)
        if people is None:
            keys: dict[Any, int] = {}
            pidx = np.fromiter((keys.setdefault(p, len(keys)) for p in person), dtype=np.int32, count=n)
            people_list = list(keys)
        else:
            pidx = np.asarray(person, dtype=np.int32)
            people_list = list(people)
        dir_arr = _codes(direction, DIRECTIONS, n, OUT)
        ch_arr = _codes(channel, CHANNELS, n, EMAIL, mapper=channel_kind)
        item_arr = np.arange(n, dtype=np.int64) if item is None else np.asarray(item, dtype=np.int64)
        par = np.full(n, -1, np.int64) if parent is None else np.asarray(parent, dtype=np.int64)
        thr = item_arr.copy() if thread is None else np.asarray(thread, dtype=np.int64)
        starts = (par < 0) if starts_thread is None else np.asarray(starts_thread, dtype=bool)
        ts_arr = np.asarray(ts, dtype=np.int64)
        latency, replier = _reply_links(pidx, ts_arr, dir_arr, item_arr, par)
        return cls(
            pidx, ts_arr, dir_arr, ch_arr,
            np.ones(n, np.int32) if n_recipients is None else np.maximum(np.asarray(n_recipients), 1),
            np.zeros(n, bool) if bulk is None else np.asarray(bulk, dtype=bool),
            item_arr, thr, starts, latency, replier, people_list,
        )

    @classmethod
    def from_rows(cls, rows: Iterable[Row | Sequence[Any] | Mapping[str, Any]]) -> Events:
        """Build from plain rows (`Row`, tuples in `Row` field order, or dicts with `Row` field names)."""
        fields = Row._fields
        cols: dict[str, list[Any]] = {f: [] for f in fields}
        for r in rows:
            rec = Row(**r) if isinstance(r, Mapping) else Row(*r)
            for f, v in zip(fields, rec, strict=True):
                cols[f].append(v)
        ts = [_unix(t) for t in cols["ts"]]
        n = len(ts)
        item = [i if i is not None else -(k + 2) for k, i in enumerate(cols["item"])]
        parent = [-1 if p is None else p for p in cols["parent"]]
        thread = [t if t is not None else i for t, i in zip(cols["thread"], item, strict=True)]
        starts = [s if s is not None else p is None for s, p in zip(cols["starts_thread"], cols["parent"], strict=True)]
        return cls.from_columns(
            cols["person"], np.asarray(ts, dtype=np.int64).reshape(n), cols["direction"],
            channel=cols["channel"], n_recipients=cols["n_recipients"], bulk=cols["bulk"],
            item=item, parent=parent, thread=thread, starts_thread=starts,
        )

    @classmethod
    def from_messages(cls, messages: Iterable[Message], me: Iterable[str]) -> Events:
        """Build one owner's events from mail messages; see `from_mail` for the rules."""
        mine = {a.strip().lower() for a in me if a.strip()}
        canon = min(mine) if mine else "\0"
        seen: set[str] = set()
        kept: list[Message] = []
        for m in messages:
            if m.ts is None or (m.key and m.key in seen):
                continue
            if m.key:
                seen.add(m.key)
            # All my addresses become one, so a reply to one alias links to mail sent from another.
            sender = m.sender.lower()
            sender = canon if sender in mine else sender
            rcpt = [canon if a in mine else a for a in (x.lower() for x in m.recipients)]
            if sender == canon or canon in rcpt:
                kept.append(Message(m.key, m.ts, sender, tuple(rcpt), m.subject, m.in_reply_to,
                                    m.references, m.bulk))
        kept.sort(key=lambda m: m.ts or 0.0)
        parents = link_replies(kept)
        thread = _roots(parents)
        persons: list[str] = []
        ts: list[float] = []
        dirs: list[int] = []
        nrec: list[int] = []
        bulk: list[bool] = []
        items: list[int] = []
        par: list[int] = []
        thr: list[int] = []
        starts: list[bool] = []
        for i, m in enumerate(kept):
            others = list(dict.fromkeys(a for a in m.recipients if a and a not in mine))
            start = parents[i] < 0 and not REPLY_PREFIX.match(m.subject)
            if m.sender in mine:
                pairs = [(a, OUT) for a in others]
                n_other = len(others)
            else:
                pairs = [(m.sender, IN)] if m.sender else []
                n_other = len(others) + 1
            for a, d in pairs:
                persons.append(a)
                ts.append(float(m.ts or 0.0))
                dirs.append(d)
                nrec.append(max(n_other, 1))
                bulk.append(bool(m.bulk))
                items.append(i)
                par.append(parents[i])
                thr.append(thread[i])
                starts.append(start)
        return cls.from_columns(
            persons, np.asarray(ts, dtype=np.float64).astype(np.int64), np.asarray(dirs, np.int8),
            channel=np.zeros(len(ts), np.int8), n_recipients=nrec, bulk=bulk, item=items, parent=par,
            thread=thr, starts_thread=starts,
        )

    @classmethod
    def from_mail(cls, records: Iterable[Any], me: Iterable[str]) -> Events:
        """Build one owner's events from parsed mail (`InteractionRecord`s; errors are skipped).

        Outbound: the sender is one of `me`; every other recipient is a counterpart. Inbound:
        one of `me` is in To/Cc/Bcc; the sender is the counterpart. Anything else is ignored;
        each Message-ID counts once. Replies are linked with `link_replies`.
        """
        return cls.from_messages((m for r in records if (m := message_of(r)) is not None), me)


class Message(NamedTuple):
    """The header facts of one mail message that scoring needs (addresses lowercased)."""

    key: str
    ts: float | None
    sender: str
    recipients: tuple[str, ...]
    subject: str = ""
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    bulk: str = ""


def message_of(record: Any) -> Message | None:
    """A `Message` from an `InteractionRecord` (None for errors and non-mail records)."""
    parties = getattr(record, "parties", None)
    if parties is None or getattr(record, "channel", "email") != "email":
        return None
    sender = ""
    rcpt: list[str] = []
    for p in parties:
        if p.role == "from":
            sender = sender or p.address.lower()
        elif p.role in ("to", "cc", "bcc") and p.address:
            rcpt.append(p.address.lower())
    when = record.when
    return Message(record.key, when.timestamp() if when is not None else None, sender, tuple(rcpt),
                   record.subject or "", record.in_reply_to or "", tuple(record.references or ()),
                   record.bulk or "")


def link_replies(messages: Sequence[Message]) -> list[int]:
    """Index of the message each one answers (−1 for none); messages must be sorted by time.

    In-Reply-To, then the last known References entry. Failing those, a conservative subject
    fallback: a "Re:" message answers the latest earlier message (≤ 30 days before) with the same
    normalised subject whose sender is among its recipients and that had its sender as a
    recipient — i.e. a real answer to someone who wrote to the replier.
    """
    by_key = {m.key: i for i, m in enumerate(messages) if m.key}
    by_subject: dict[str, list[int]] = {}
    out = []
    for i, m in enumerate(messages):
        p = by_key.get(m.in_reply_to, -1) if m.in_reply_to else -1
        if p < 0:
            for ref in reversed(m.references):
                p = by_key.get(ref, -1)
                if p >= 0:
                    break
        subj = normal_subject(m.subject)
        if p < 0 and subj and REPLY_PREFIX.match(m.subject):
            for c in reversed(by_subject.get(subj, ())):
                cand = messages[c]
                if (m.ts or 0) - (cand.ts or 0) > _SUBJECT_WINDOW:
                    break
                if cand.sender in m.recipients and m.sender in cand.recipients and cand.sender != m.sender:
                    p = c
                    break
        out.append(p if p != i and p < i else -1)
        if subj:
            by_subject.setdefault(subj, []).append(i)
    return out


def _roots(parents: list[int]) -> list[int]:
    roots = list(range(len(parents)))
    for i, p in enumerate(parents):
        if p >= 0:
            roots[i] = roots[p]  # parents precede children (p < i), so roots[p] is final
    return roots


def _codes(values: Any, names: tuple[str, ...], n: int, default: int, mapper: Any = None) -> np.ndarray:
    if values is None:
        return np.full(n, default, np.int8)
    arr = np.asarray(values)
    if arr.dtype.kind in "iub":
        return arr.astype(np.int8)
    index = {name: k for k, name in enumerate(names)}
    out = np.empty(n, np.int8)
    cache: dict[str, int] = {}
    for k, v in enumerate(values):
        code = cache.get(v)
        if code is None:
            name = mapper(v) if mapper else str(v).lower()
            if name not in index:
                raise ValueError(f"unknown value {v!r}: expected one of {', '.join(names)}")
            code = cache[v] = index[name]
        out[k] = code
    return out


def _unix(t: Any) -> float:
    return t.timestamp() if isinstance(t, datetime) else float(t)


def _dense_limit(n: int) -> int:
    """Largest id for which id-indexed lookup tables are used instead of sorting (memory ~ O(n))."""
    return max(4 * n, 1 << 20)


def _reply_links(
    person: np.ndarray, ts: np.ndarray, direction: np.ndarray, item: np.ndarray, parent: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Latency and replier per row: an IN row answering an OUT row to the same person (they
    replied to me), or an OUT row answering an IN row from that person (I replied to them)."""
    n = len(person)
    latency = np.full(n, np.nan)
    replier = np.full(n, NO_REPLY, np.int8)
    has = (parent >= 0) & (direction != OTHER)
    if not has.any():
        return latency, replier
    if item.min() < 0 or max(int(item.max()), int(parent.max())) >= _dense_limit(n):
        # Renumber items and parents together; parents that are no item become -1.
        both = np.unique(np.concatenate([item, parent[has]]))
        item = np.searchsorted(both, item).astype(np.int64)
        in_items = np.zeros(len(both), dtype=bool)
        in_items[item] = True
        pos = np.searchsorted(both, parent)
        ok = has & (pos < len(both))
        ok[ok] = in_items[pos[ok]] & (both[pos[ok]] == parent[ok])
        parent = np.where(ok, pos, -1)
        has = ok
    size = int(max(item.max(), parent.max())) + 1
    item_ts = np.zeros(size, dtype=np.int64)
    known = np.zeros(size, dtype=bool)
    item_ts[item] = ts  # rows of one item share its time
    known[item] = True
    rows = np.flatnonzero(has)
    rows = rows[known[parent[rows]]]
    par = parent[rows]
    # I replied: an OUT row whose parent was an IN row from this same person (one sender per item).
    sender = np.full(size, -1, dtype=np.int64)
    inbound = direction == IN
    sender[item[inbound]] = person[inbound]
    mine = (direction[rows] == OUT) & (sender[par] == person[rows])
    # They replied: an IN row whose parent was an OUT row that included this person.
    theirs_cand = direction[rows] == IN
    found = np.zeros(len(rows), dtype=bool)
    if theirs_cand.any():
        wanted = np.zeros(size, dtype=bool)
        wanted[par[theirs_cand]] = True
        out_rows = np.flatnonzero((direction == OUT) & wanted[item])
        keys = person[out_rows].astype(np.int64) * size + item[out_rows]
        q = person[rows[theirs_cand]].astype(np.int64) * size + par[theirs_cand]
        found[theirs_cand] = np.isin(q, keys)  # no OUT row among the parents: nothing found
    link = mine | found
    rows, par = rows[link], par[link]
    lat = (ts[rows] - item_ts[par]).astype(np.float64)
    ok = lat >= 0
    rows, lat = rows[ok], lat[ok]
    latency[rows] = lat
    replier[rows] = np.where(direction[rows] == OUT, ME_REPLIED, THEY_REPLIED)
    return latency, replier
