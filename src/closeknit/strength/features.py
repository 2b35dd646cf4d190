"""Per-person tie-strength features at a reference time, vectorised over interaction rows."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from closeknit.strength.events import (
    CALL,
    CHANNELS,
    IN,
    ME_REPLIED,
    MEETING_1ON1,
    MEETING_SMALL,
    OTHER,
    OUT,
    THEY_REPLIED,
    Events,
)

DAY = 86400.0


@dataclass(frozen=True, slots=True)
class FeatureParams:
    """Constants of the feature computation (literature-motivated defaults, not tuned per user).

    half_life_days: decay of interaction intensity (Roth et al. 2010 use half-life decayed
    counts; 4–8 weeks spans their range). out_weight: outbound interactions count more
    than inbound (Roth et al.: what I send says more about the tie than what I receive).
    channel_weights: richness per channel kind (C4: 1:1 meeting > call > small meeting >
    email > large meeting). recipient_exponent: a message/meeting with n other people counts
    1/n**exponent (many-recipient mail is worth less; 0.25, chosen by owner-level
    cross-validation over 0–1: docs/strength.md). Bulk rows are worth nothing.
    """

    half_life_days: float = 42.0
    out_weight: float = 2.0
    channel_weights: tuple[float, ...] = (1.0, 4.0, 2.0, 0.5, 3.0, 1.0)
    recipient_exponent: float = 0.25
    weeks: int = 52  # regularity: weeks with contact among the last 52 seven-day weeks (364 days)
    tie_weeks: int = 104  # two-way and contact weeks: among the last 104 (a tie kept up over two years)


@dataclass(slots=True)
class Features:
    """Per-person feature arrays (index = person index of the Events), computed at `now`.

    Times are in days before `now` (inf when it never happened). Counts exclude bulk.
    """

    now: float
    n_out: np.ndarray  # messages/meetings I sent or organised
    n_in: np.ndarray  # ... they sent or organised
    intensity_out: np.ndarray  # half-life-decayed, channel- and recipient-weighted (outbound)
    intensity_in: np.ndarray  # same, inbound
    intensity_other: np.ndarray  # same, neither side stated (a meeting both attended)
    days_since_contact: np.ndarray  # last contact in either direction (incl. "other")
    days_since_two_way: np.ndarray  # both sides were in touch since then (time together counts as both)
    tie_days: np.ndarray  # since first contact
    active_weeks: np.ndarray  # distinct weeks with contact among the last 52 (0..52)
    two_way_weeks: np.ndarray  # min(weeks with contact from me, ... from them) among the last 104;
    # a 1:1 or small meeting or a call counts for both sides
    contact_weeks: np.ndarray  # distinct weeks with any contact among the last 104
    contact_days: np.ndarray  # distinct days with contact
    usual_gap_days: np.ndarray  # mean gap between distinct contact days (nan with < 3 days)
    silence_ratio: np.ndarray  # days_since_contact / usual_gap_days (nan when no usual gap)
    my_threads: np.ndarray  # threads I started that include them
    my_threads_answered: np.ndarray  # ... that they answered
    their_threads: np.ndarray  # threads they started with me
    their_threads_answered: np.ndarray  # ... that I answered
    their_replies: np.ndarray  # replies from them to my messages
    my_replies: np.ndarray  # replies from me to theirs
    their_latency_ratio: np.ndarray  # their typical reply delay / the typical delay of all replies to me
    my_latency_ratio: np.ndarray  # my typical reply delay to them / my typical reply delay overall
    channels: np.ndarray  # distinct channel kinds used
    rich_share: np.ndarray  # share of weight from 1:1/small meetings and calls
    shared_contacts: np.ndarray  # mutual neighbours (optional input, else 0)
    favors_given: np.ndarray
    favors_received: np.ndarray
    rating: np.ndarray  # user's rating: +1 strong/favor, −1 weak, 0 unrated

    @property
    def n_people(self) -> int:
        return len(self.n_out)

    def names(self) -> list[str]:
        return [f.name for f in fields(self) if f.name != "now"]

    def column(self, name: str) -> np.ndarray:
        arr: np.ndarray = getattr(self, name)
        return arr

    def take(self, index: np.ndarray) -> Features:
        """Features of a subset of people (index array), e.g. the candidates of an evaluation."""
        cols = {n: self.column(n)[index] for n in self.names()}
        return Features(now=self.now, **cols)


def compute(
    events: Events,
    now: float,
    params: FeatureParams | None = None,
    *,
    shared_contacts: np.ndarray | None = None,
    favors_given: np.ndarray | None = None,
    favors_received: np.ndarray | None = None,
    rating: np.ndarray | None = None,
) -> Features:
    """Features for every person of `events` from the rows strictly before `now` (unix seconds).

    A fixed number of linear passes (bincount, ufunc.at, boolean scatter) over the rows plus a
    sort of the reply rows only; no per-person Python loops. Optional per-person arrays (length
    events.n_people) feed the shared-contact, favor and rating features.
    """
    p = params or FeatureParams()
    P = events.n_people
    if len(events) and int(events.ts.max()) >= now:
        events = events.window(end=now)
    person, ts, direction = events.person, events.ts, events.direction
    real = ~events.bulk
    all_real = bool(real.all())
    age = (now - ts) * (1.0 / DAY)

    # Weighted, decayed intensity per (person, direction, channel) in one pass.
    n_ch = len(CHANNELS)
    key3 = person.astype(np.int64) * 3 + direction
    key18 = key3 * n_ch + events.channel
    w = np.exp2(age * (-1.0 / p.half_life_days))
    w *= (np.asarray(p.channel_weights, dtype=np.float64)[events.channel]
          * _recipient_weights(events.n_recipients, p.recipient_exponent))
    if not all_real:
        w *= real
    cube = np.bincount(key18, weights=w, minlength=3 * n_ch * P).reshape(P, 3, n_ch)
    inten = cube.sum(axis=2)
    by_channel = cube.sum(axis=1)
    rich_w = by_channel[:, _RICH].sum(axis=1)
    total_w = inten[:, OUT] * p.out_weight + inten[:, IN] + inten[:, OTHER]
    # Non-bulk counts and channels used (a row with weight > 0: bulk rows weigh nothing).
    counts = (np.bincount(key3, minlength=3 * P) if all_real
              else np.bincount(key3, weights=real, minlength=3 * P)).reshape(P, 3).astype(np.float64)
    channels = (by_channel > 0).sum(axis=1)

    # Last contact per (person, direction) and first contact; bulk rows are masked, not copied out.
    imin, imax = np.iinfo(np.int64).min, np.iinfo(np.int64).max
    last_flat = np.full(3 * P, imin, dtype=np.int64)
    np.maximum.at(last_flat, key3, ts if all_real else np.where(real, ts, imin))
    seen = counts > 0
    with np.errstate(invalid="ignore"):
        age3 = np.where(seen, (now - last_flat.reshape(P, 3)) / DAY, np.inf)
    last_any = age3.min(axis=1)
    first = np.full(P, imax, dtype=np.int64)
    np.minimum.at(first, person, ts if all_real else np.where(real, ts, imax))
    first_any = np.where(first < imax, (now - first) / DAY, np.inf)

    # Distinct weeks with contact, per direction, among the last `span` seven-day weeks (boolean
    # grid people × 3 × weeks, plus one spare cell that collects older rows and bulk rows); week 0
    # is the most recent, so the regularity window is the first `p.weeks` columns.
    span = max(p.weeks, p.tie_weeks)
    spare = 3 * P * span
    in_span = age < 7.0 * span
    if not all_real:
        in_span &= real
    week = (np.minimum(age, 7.0 * span) * (1.0 / 7.0)).astype(np.int64)
    cell = np.where(in_span, key3 * span + week, spare)
    grid = np.zeros(spare + 1, dtype=bool)
    grid[cell] = True
    grid3 = grid[:spare].reshape(P, 3, span)
    active_weeks = grid3[:, :, : p.weeks].any(axis=1).sum(axis=1).astype(np.float64)
    tie3 = grid3[:, :, : p.tie_weeks]
    contact_weeks = tie3.any(axis=1).sum(axis=1).astype(np.float64)
    # Time together (a 1:1 or small meeting, a call) is contact both ways, whoever organised it.
    rich = np.isin(events.channel, _RICH) & real
    rich_cell = np.where(in_span & rich & (week < p.tie_weeks), person * p.tie_weeks + week, P * p.tie_weeks)
    together = np.zeros(P * p.tie_weeks + 1, dtype=bool)
    together[rich_cell] = True
    both = together[:-1].reshape(P, p.tie_weeks)
    two_way_weeks = np.minimum((tie3[:, OUT] | both).sum(axis=1),
                               (tie3[:, IN] | both).sum(axis=1)).astype(np.float64)

    # The last time together counts as contact both ways for two-way recency too.
    last_rich = np.full(P, imin, dtype=np.int64)
    np.maximum.at(last_rich, person, np.where(rich, ts, imin))
    with np.errstate(invalid="ignore"):
        together_age = np.where(last_rich > imin, (now - last_rich) / DAY, np.inf)

    # Distinct contact days (24-hour buckets back from now); rows are sorted by (person, ts).
    rp, day = (person, age.astype(np.int64)) if all_real else (person[real], age[real].astype(np.int64))
    new_day = np.ones(len(rp), dtype=bool)
    if len(rp) > 1:
        new_day[1:] = (rp[1:] != rp[:-1]) | (day[1:] != day[:-1])
    contact_days = np.bincount(rp[new_day], minlength=P).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        span = first_any - last_any
        usual_gap = np.where(contact_days >= 3, span / np.maximum(contact_days - 1, 1), np.nan)
        usual_gap = np.where(np.isfinite(usual_gap), np.maximum(usual_gap, 1.0), np.nan)
        silence_ratio = last_any / usual_gap

    (my_threads, my_answered), (their_threads, their_answered) = _threads(events, key3, P)
    their_lat, their_replies = _latency_ratio(events, THEY_REPLIED, P)
    my_lat, my_replies = _latency_ratio(events, ME_REPLIED, P)

    with np.errstate(invalid="ignore", divide="ignore"):
        rich_share = np.where(total_w > 0, rich_w / np.maximum(total_w, 1e-300), 0.0)

    def opt(a: np.ndarray | None) -> np.ndarray:
        if a is None:
            return np.zeros(P)
        arr = np.asarray(a, dtype=np.float64)
        if arr.shape != (P,):
            raise ValueError(f"optional feature array has shape {arr.shape}, expected ({P},)")
        return arr

    return Features(
        now=float(now), n_out=counts[:, OUT], n_in=counts[:, IN], intensity_out=inten[:, OUT],
        intensity_in=inten[:, IN], intensity_other=inten[:, OTHER], days_since_contact=last_any,
        days_since_two_way=np.maximum(np.minimum(age3[:, OUT], together_age), np.minimum(age3[:, IN], together_age)),
        tie_days=first_any,
        active_weeks=active_weeks, two_way_weeks=two_way_weeks, contact_weeks=contact_weeks,
        contact_days=contact_days,
        usual_gap_days=usual_gap, silence_ratio=silence_ratio,
        my_threads=my_threads, my_threads_answered=my_answered, their_threads=their_threads,
        their_threads_answered=their_answered, their_replies=their_replies, my_replies=my_replies,
        their_latency_ratio=their_lat, my_latency_ratio=my_lat, channels=channels.astype(np.float64),
        rich_share=rich_share,
        shared_contacts=opt(shared_contacts), favors_given=opt(favors_given),
        favors_received=opt(favors_received), rating=opt(rating),
    )


_RICH = np.array([MEETING_1ON1, MEETING_SMALL, CALL])  # rich channels (for rich_share)


def _recipient_weights(n: np.ndarray, exponent: float) -> np.ndarray:
    """n ** -exponent via a lookup table (a gather is much cheaper than a power per row)."""
    if len(n) == 0:
        return np.zeros(0)
    top = int(n.max())
    if top <= 1 << 16:
        table = np.arange(top + 1, dtype=np.float64)
        table[0] = 1.0
        return (table ** -exponent)[n]
    return np.maximum(n, 1).astype(np.float64) ** -exponent


def _threads(events: Events, key3: np.ndarray, P: int) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Per person: threads I started with them and how many they answered; threads they started
    with me and how many I answered. A thread's root item has one direction, so each (person,
    thread) start row occurs once; an answer is a reply row of the other side in that thread."""
    start = events.starts_thread & ~events.bulk
    started = np.bincount(key3, weights=start, minlength=3 * P).reshape(P, 3)
    mine, theirs = started[:, OUT].copy(), started[:, IN].copy()
    reply = np.flatnonzero(events.replier >= 0)
    if len(reply) == 0 or not start.any():
        return (mine, np.zeros(P)), (theirs, np.zeros(P))
    n_threads = int(events.thread.max()) + 1
    root = np.zeros(n_threads, dtype=np.int8)  # 1 + direction of the thread's root row, 0 unknown
    np.maximum.at(root, events.thread, (events.direction + np.int8(1)) * start.astype(np.int8))
    root_dir = root - 1
    # They answered my thread: THEY_REPLIED in an OUT-rooted thread; I answered theirs: the reverse.
    want = np.where(events.replier[reply] == THEY_REPLIED, OUT, IN).astype(np.int8)
    reply = reply[root_dir[events.thread[reply]] == want]
    keys = np.unique((events.person[reply].astype(np.int64) * n_threads + events.thread[reply]) * 2
                     + (events.replier[reply] == ME_REPLIED))
    side = keys & 1
    who = (keys >> 1) // n_threads
    they = np.bincount(who[side == 0], minlength=P).astype(np.float64)
    me = np.bincount(who[side == 1], minlength=P).astype(np.float64)
    return (mine, np.minimum(they, mine)), (theirs, np.minimum(me, theirs))


def _latency_ratio(events: Events, who: int, P: int) -> tuple[np.ndarray, np.ndarray]:
    """Per person: geometric-mean reply delay of `who` over the median delay of all such replies, and
    the number of replies. NaN when there is no reply."""
    sel = events.replier == who
    n = np.bincount(events.person[sel], minlength=P).astype(np.float64)
    ratio = np.full(P, np.nan)
    if not sel.any():
        return ratio, n
    lat = np.maximum(events.latency[sel], 60.0)  # under a minute is "instant"
    loglat = np.log(lat)
    mean_log = np.bincount(events.person[sel], weights=loglat, minlength=P)
    has = n > 0
    ratio[has] = np.exp(mean_log[has] / n[has] - np.median(loglat))
    return ratio, n


def shared_contacts(events: Events, max_size: int = 20) -> np.ndarray:
    """Mutual neighbours per person: distinct other people who shared an interaction with them
    (co-recipients / co-attendees), counting only interactions with at most `max_size` people."""
    P = events.n_people
    real = ~events.bulk
    item, person = events.item[real], events.person[real]
    if len(item) == 0:
        return np.zeros(P)
    order = np.lexsort((person, item))
    item, person = item[order], person[order]
    starts = np.flatnonzero(np.r_[True, item[1:] != item[:-1]])
    sizes = np.diff(np.r_[starts, len(item)])
    ok = (sizes >= 2) & (sizes <= max_size)
    pairs: list[np.ndarray] = []
    for k in np.unique(sizes[ok]):
        s = starts[ok & (sizes == k)]
        block = person[s[:, None] + np.arange(k)[None, :]]  # (groups, k)
        a = np.repeat(block, k, axis=1).ravel()
        b = np.tile(block, (1, k)).ravel()
        keep = a != b
        pairs.append(a[keep].astype(np.int64) * P + b[keep])
    if not pairs:
        return np.zeros(P)
    uniq = np.unique(np.concatenate(pairs))
    return np.bincount((uniq // P).astype(np.int64), minlength=P).astype(np.float64)

