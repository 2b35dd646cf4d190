"""Network reality report (C5): render a plain `ReportData` dict as HTML, SVG/PNG charts or terminal text."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, NotRequired

from typing_extensions import TypedDict  # pydantic reads these as API schemas; it needs this one before 3.12

from closeknit.durations import STALE_DAYS, ago, number, span


class Layer(TypedDict):
    """One layer of the pyramid (cumulative count)."""

    label: str
    count: int


class FavorEntry(TypedDict):
    """A person on the favor list."""

    id: int
    name: str
    organization: str
    strength: float
    tier: str
    last_contact: str | None
    factors: list[str]
    p_contact_90d: float | None


class FadingEntry(TypedDict):
    """A tie going quiet for longer than its usual rhythm."""

    id: int
    name: str
    strength: float
    last_contact: str | None
    silence_days: float
    usual_gap_days: float | None
    why: str
    p_contact_90d: float | None


class ReciprocityEntry(TypedDict):
    """Messages each way with one of the strongest ties."""

    id: int
    name: str
    sent: int
    received: int


class Balance(TypedDict):
    """Who starts conversations and who answers, over the whole network."""

    you_started: int
    they_started: int
    answered_by_them: float | None  # None when no reply in the mail could be linked to what it answers
    answered_by_you: float | None


class Monthly(TypedDict):
    """Interactions per month per tier."""

    months: list[str]
    series: dict[str, list[int]]


class ModelInfo(TypedDict):
    """The scoring model's name and a note on how scores work."""

    name: str
    note: str


class ReliabilityBin(TypedDict):
    """One equal-count bin of back-test ties: their mean score and probability, and how often it happened."""

    score: float
    predicted: float
    observed: float
    ties: int


class CalibrationInfo(TypedDict):
    """How scores became probabilities of a two-way exchange: p = 1 / (1 + exp(−(a + b·(score/100)^power)))."""

    source: str
    a: float
    b: float
    power: NotRequired[float]  # absent from curves stored before the shape was: 1
    cutoffs: int
    ties: int
    positives: int
    reliability: list[ReliabilityBin]


class ReportData(TypedDict):
    """Everything the report shows; computed by the caller, rendered here.

    The lead computes a `ReportData` from the database; this package only renders it and never touches the
    database, the CLI or the web layer. Modules:

    - `closeknit.report.charts`: matplotlib charts as deterministic SVG text (or PNG bytes);
    - `closeknit.report.html`: `render(data) -> str`, one self-contained HTML5 page, and `write(data, path)`;
    - `closeknit.report.text`: `lines(data) -> list[str]`, a plain-text rendering for terminals;
    - `closeknit.report.sample`: `sample_data(n_people, seed)`, a deterministic synthetic `ReportData`.

    Contract (every list may be empty, every count may be 0: a brand-new database still renders):

    - `title`: page title, e.g. "Network reality report"; `as_of`: "YYYY-MM-DD"; `me`: the user's name ("" if unknown).
    - `pyramid`: the layers, widest first, CUMULATIVE (each layer includes the ones above it), e.g. contacts 2300 →
      active 412 → favor list 96 → close 14 → inner 5. Labels are free text; "contacts", "active", "favor list",
      "close", "inner" (and "dormant") get the tier colours.
    - `tiers`: EXCLUSIVE counts per tier: inner, close, favor, active, dormant, collected (never interacted).
    - `favor_list`: ranked best first; `strength` 0..100; `factors` are the top contributing factors in words;
      `p_contact_90d` the calibrated probability (0..1, None when unknown) of a message each way within 90 days.
    - `fading`: most strength at risk first; `silence_days` since the last contact; `usual_gap_days` the tie's usual
      gap between contacts (None when unknown); `why` one sentence; `p_contact_90d` as on the favor list.
    - `reciprocity`: strongest ties first; `sent` messages from me to them, `received` from them to me.
    - `balance`: conversations (threads) `you_started` / `they_started`; `answered_by_them` the FRACTION (0..1) of
      the threads you started that they answered, `answered_by_you` the fraction of theirs you answered.
    - `strengths`: the score 0..100 of every person with at least one interaction (histogram).
    - `monthly`: `months` "YYYY-MM" in order; `series[tier][i]` the number of interactions in month i with the
      people currently in that tier (keys among inner, close, favor, active, dormant; missing keys count as 0).
    - `model`: `name` of the scoring model and a plain-text `note` on how scores work (blank lines separate paragraphs).
    - `calibration`: how scores became probabilities. `source` "own history" (fitted on the user's back-tests:
      `cutoffs` past monthly cut-offs, `ties` scored there, `positives` of them wrote both ways within 90 days) or
      "default" (too little history: the documented default curve, counts 0); `a`, `b` the curve; `reliability`
      the back-test ties in equal-count bins by probability (empty for the default).

    All text coming from the data (names, organisations, factors, notes) is untrusted: it is escaped in HTML,
    rendered literally (no mathtext) in charts, and stripped of control characters in terminal text.
    """

    title: str
    as_of: str
    me: str
    pyramid: list[Layer]
    tiers: dict[str, int]
    favor_list: list[FavorEntry]
    fading: list[FadingEntry]
    reciprocity: list[ReciprocityEntry]
    balance: Balance
    strengths: list[float]
    monthly: Monthly
    model: ModelInfo
    calibration: CalibrationInfo


TIERS: tuple[str, ...] = ("inner", "close", "favor", "active", "dormant", "collected")
"""Tiers from the closest out; the stacking and legend order of every chart."""

TIER_LABELS: dict[str, str] = {
    "inner": "inner",
    "close": "close",
    "favor": "favor list",
    "active": "active",
    "dormant": "dormant",
    "collected": "collected only",
}

TIER_COLORS: dict[str, str] = {
    "inner": "#16325c",
    "close": "#2b5d8f",
    "favor": "#4f8bb8",
    "active": "#93bcd9",
    "dormant": "#d39b5a",
    "collected": "#c3c7cc",
}
"""One colour per tier, shared by every chart and the HTML tier chips."""

NEUTRAL = "#6b7280"
YOU_COLOR = "#7a6aa8"
THEM_COLOR = "#4f9a8a"
NO_DATA = "no data yet"
NO_INTERACTIONS = ("no interactions yet: import a mailbox, a calendar or a LinkedIn export with messages to see whom"
                   " you are in touch with")
NO_FADING = "none: every tie you kept up both ways is within its keep-in-touch time"
NO_ACTIVE = "none: no tie has been in touch in the last year (a tie silent that long has lapsed, not faded)"
NO_FAVOR = "nobody yet: no tie is kept up both ways at least every two months"

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SPACE = re.compile(r"\s+")


def clean(value: object, limit: int = 0) -> str:
    """Untrusted text on one line: control and bidi-override characters removed, whitespace collapsed,
    optionally cut to `limit` characters with an ellipsis. The result still needs escaping for HTML."""
    s = _SPACE.sub(" ", _CONTROL.sub("", "" if value is None else str(value))).strip()
    if limit and len(s) > limit:
        s = s[: max(limit - 1, 1)].rstrip() + "…"
    return s


def tier_of(label: str) -> str | None:
    """The tier key a pyramid or tier label refers to ("favor list" → "favor", "contacts" → "collected")."""
    s = clean(label).lower()
    if s in TIER_COLORS:
        return s
    for key, words in (
        ("inner", ("inner",)),
        ("close", ("close",)),
        ("favor", ("favor", "favour")),
        ("active", ("active",)),
        ("dormant", ("dormant", "fading")),
        ("collected", ("contact", "collected")),
    ):
        if any(w in s for w in words):
            return key
    return None


def tier_color(label: str) -> str:
    """The colour of a tier or pyramid label (neutral grey when unknown)."""
    key = tier_of(label)
    return TIER_COLORS[key] if key else NEUTRAL


def count(n: object) -> str:
    """A count with thousands separators ("2,300")."""
    try:
        return f"{round(float(n)):,}"  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return "0"


def pyramid_sentence(data: ReportData) -> str:
    """"2,300 contacts → 412 active → 96 favor list → 14 close → 5 inner" (plain, unescaped text)."""
    layers = data.get("pyramid") or []
    if not layers:
        return NO_DATA
    return " → ".join(f"{count(layer.get('count', 0))} {clean(layer.get('label', ''))}" for layer in layers)


def fraction(x: object) -> float | None:
    """A share as 0..1: accepts fractions, and percentages above 1 for robustness; None when missing."""
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if v != v or v < 0:
        return None
    return v / 100.0 if v > 1.0 else v


def percent(x: object) -> str:
    """A share as "72%" ("–" when unknown)."""
    v = fraction(x)
    return "–" if v is None else f"{round(100 * v)}%"


def days_between(earlier: str | None, later: str | None) -> int | None:
    """Whole days from one ISO date to another; None if either is missing or malformed."""
    try:
        return (date.fromisoformat(str(later)[:10]) - date.fromisoformat(str(earlier)[:10])).days
    except (TypeError, ValueError):
        return None


def chance(p: object) -> str:
    """A probability as a whole percentage ("<1%" and ">99%" at the ends; "–" when unknown)."""
    v = number(p)
    if v is None or not 0.0 <= v <= 1.0:
        return "–"
    if v < 0.005:
        return "<1%"
    if v > 0.995:
        return ">99%"
    return f"{100 * v:.0f}%"


CHANCE_LABEL = "chance of a two-way exchange within 90 days"


def _plural(n: int, word: str) -> str:
    return f"{count(n)} {word}{'' if n == 1 else 's'}"


def curve(c: Mapping[str, Any], score: float) -> float | None:
    """The calibration curve's probability at `score` (None when the curve is unknown)."""
    a, b = number(c.get("a")), number(c.get("b"))
    if a is None or b is None:
        return None
    power = number(c.get("power")) or 1.0  # a curve stored before its shape was: a line of the score
    return 0.5 * (1.0 + math.tanh(0.5 * (a + b * (max(score, 0.0) / 100.0) ** power)))


def calibration_sentences(data: ReportData) -> list[str]:
    """What the 90-day chance means and how it was calibrated, in plain sentences (unescaped)."""
    c: Mapping[str, Any] = data.get("calibration") or {}
    meaning = ("The 90-day chance is the probability that you and the person write to each other (at least one "
               "message each way) within the next 90 days, judging from your own history.")
    cutoffs = int(number(c.get("cutoffs")) or 0)
    ties = int(number(c.get("ties")) or 0)
    if clean(c.get("source")) == "own history" and cutoffs and ties:
        rate = (number(c.get("positives")) or 0) / ties
        how = (f"It is calibrated on {_plural(cutoffs, 'back-test')} of your own history: at each past monthly "
               f"cut-off the model scored your ties from the year before it only, and those {_plural(ties, 'score')} "
               f"(one per tie and cut-off) were compared with what happened in the 90 days after ({percent(rate)} "
               "were followed by a message each way). A logistic curve from score to chance was fitted to those "
               "outcomes, starting from a default curve, so a short history stays close to the default.")
    else:
        ends = str(data.get("data_ends") or "")[:10]
        if ends and (days_between(ends, data.get("as_of")) or 0) > STALE_DAYS:
            why = (f"Your mail ends on {ends}, long before the scoring day, so no recent cut-off has mail to "
                   f"back-test (closeknit score --as-of {ends} scores it as of its last day)")
        else:
            why = ("Your history is still too short to back-test (a past cut-off with enough mail in the year before "
                   "it and 90 days after)")
        how = why + ", so the chance follows the default curve, fitted on the back-tests of many public mailboxes"
        points = [(s, curve(c, s)) for s in (25, 50, 75)]
        how += (": " + ", ".join(f"{chance(p)} at score {s}" for s, p in points) + ".") \
            if all(p is not None for _, p in points) else "."
    return [meaning, how]


def sentence(text: str) -> str:
    """A phrase said as a sentence: a capital first letter and a full stop."""
    return text[:1].upper() + text[1:] + "."


def empty_fading_list(data: ReportData) -> str:
    """Why no tie is fading: every tie kept up both ways is within its time, or none is in touch this year."""
    tiers = data.get("tiers") or {}
    if any(tiers.get(k) for k in ("inner", "close", "favor", "active")):
        return NO_FADING
    return NO_ACTIVE if tiers.get("dormant") else NO_INTERACTIONS


def empty_favor_list(data: ReportData) -> str:
    """Why the favor list is empty: no tie kept up both ways when some are in touch, else nothing imported."""
    in_touch = any(n for k, n in (data.get("tiers") or {}).items() if k != "collected")
    return NO_FAVOR if in_touch else NO_INTERACTIONS


def summary_balance(data: ReportData) -> str:
    """Who starts and who answers, in one sentence (plain text)."""
    b = data.get("balance") or {}
    you = int(b.get("you_started", 0) or 0)
    them = int(b.get("they_started", 0) or 0)
    if you + them == 0:
        return f"Reciprocity: {NO_DATA}."
    share = round(100 * you / (you + them))
    started = f"You started {count(you)} conversations and they started {count(them)} ({share}% started by you); "
    if b.get("answered_by_them") is None and b.get("answered_by_you") is None:
        return started + "who answers is unknown: no reply in this mail could be linked to what it answers."
    return (
        started + f"they answered {percent(b.get('answered_by_them'))} of yours, "
        f"you answered {percent(b.get('answered_by_you'))} of theirs."
    )


def carries(more: object, less: object) -> bool:
    """True when one side of a tie sends more than twice what the other does (plus a little slack)."""
    return (number(more) or 0) > 2 * (number(less) or 0) + 2


def tier_order(keys: Iterable[str]) -> list[str]:
    """Tier keys in tier order, any unknown ones after them alphabetically."""
    present = set(keys)
    return [t for t in TIERS if t in present] + sorted(present - set(TIERS))


TOP_FACTORS = 3  # the explanation lines shown for each person


def top_factors(entry: Mapping[str, Any]) -> list[str]:
    return [clean(f) for f in (entry.get("factors") or [])][:TOP_FACTORS]


__all__ = [
    "CHANCE_LABEL",
    "NO_DATA",
    "NO_FAVOR",
    "NO_INTERACTIONS",
    "TIERS",
    "TIER_COLORS",
    "TIER_LABELS",
    "TOP_FACTORS",
    "Balance",
    "CalibrationInfo",
    "FadingEntry",
    "FavorEntry",
    "Layer",
    "ModelInfo",
    "Monthly",
    "ReciprocityEntry",
    "ReliabilityBin",
    "ReportData",
    "ago",
    "calibration_sentences",
    "carries",
    "chance",
    "clean",
    "count",
    "curve",
    "days_between",
    "empty_fading_list",
    "empty_favor_list",
    "fraction",
    "number",
    "percent",
    "pyramid_sentence",
    "sentence",
    "span",
    "summary_balance",
    "tier_color",
    "tier_of",
    "tier_order",
    "top_factors",
]
