"""Deterministic synthetic report data (invented people, one hostile name) for tests and for looking at the page."""

from __future__ import annotations

import random
from datetime import date, timedelta

from closeknit.report import (
    CalibrationInfo,
    FadingEntry,
    FavorEntry,
    ReciprocityEntry,
    ReliabilityBin,
    ReportData,
    curve,
)
from closeknit.strength.calibration import DEFAULT_A, DEFAULT_B, POWER

HOSTILE_NAME = '<script>alert(1)</script> $x$ & "q"'
HOSTILE_ORG = "Acme & Sons <Ltd> $5$"

_FIRST = (
    "Ada", "Bruno", "Chiara", "Dmitri", "Elena", "Farid", "Greta", "Hiro", "Ines", "Jonas", "Kwame", "Lena",
    "Mateo", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Samir", "Tove", "Uma", "Viktor", "Wen", "Yusuf", "Zoé",
)
_LAST = (
    "Abara", "Bergstrom", "Castellano", "Dufresne", "Eriksen", "Fontaine", "Gallardo", "Haddad", "Ivanova",
    "Jablonski", "Kowalczyk", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quispe", "Rahman",
    "Santoro", "Takahashi", "Ueda", "Varga", "Whitlock", "Xu", "Yilmaz", "Zielinski",
)
_ORGS = (
    "Northwind Robotics", "Bluefjord Capital", "Lumen Lidar", "Parcel & Pine", "Tessellate Labs", "Harbor Health",
    "Quarry Analytics", "Aster Foundry", "Kestrel Mobility", "Oakline Partners", "Vireo Bio", "",
)
_TEMPLATES = (
    "last contact {ago}; in touch every ~{gap}",
    "top {top}% of your network by recent contact ({out} from you, {inn} from them)",
    "in touch {weeks} of the last 52 weeks",
    "answered {ans} of your {thr} threads",
    "in touch for {years} years",
    "{shared} contacts in common",
    "favors: {given} given, {recv} received",
)
_MONTHS = 18
_CURVE = {"a": DEFAULT_A, "b": DEFAULT_B, "power": POWER}  # the shipped default calibration curve
_BACKTESTS = 24


def _p(strength: float) -> float:
    return round(curve(_CURVE, strength) or 0.0, 3)


def _calibration(strengths: list[float], rng: random.Random) -> CalibrationInfo:
    """A calibration "fitted" on simulated back-tests: every tie at each cut-off, outcomes drawn from the curve."""
    ties = sorted((_p(s), s, rng.random() < _p(s)) for s in strengths for _ in range(_BACKTESTS))
    k = 5 if ties else 0
    bins: list[ReliabilityBin] = []
    for j in range(k):
        part = ties[j * len(ties) // k:(j + 1) * len(ties) // k]
        bins.append({"score": round(sum(s for _, s, _ in part) / len(part), 1),
                     "predicted": round(sum(p for p, _, _ in part) / len(part), 4),
                     "observed": round(sum(y for _, _, y in part) / len(part), 4), "ties": len(part)})
    return {"source": "own history" if ties else "default", "a": DEFAULT_A, "b": DEFAULT_B, "power": POWER,
            "cutoffs": _BACKTESTS if ties else 0, "ties": len(ties), "positives": sum(y for _, _, y in ties),
            "reliability": bins}


def _months(as_of: date, n: int) -> list[str]:
    y, m = as_of.year, as_of.month
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def _tier(rank: int) -> str:
    for limit, tier in ((5, "inner"), (15, "close"), (50, "favor"), (150, "active")):
        if rank < limit:
            return tier
    return "dormant"


def sample_data(n_people: int = 300, seed: int = 0, as_of: str = "2025-11-25") -> ReportData:
    """A plausible ReportData for `n_people` interacted people (plus ~7× as many collected-only contacts);
    the same arguments always give the same data. Includes HOSTILE_NAME on the favor list, the fading ties and
    the reciprocity chart."""
    rng = random.Random(seed)
    today = date.fromisoformat(as_of)
    n = max(int(n_people), 0)
    names = [f"{rng.choice(_FIRST)} {rng.choice(_LAST)}" for _ in range(n)]
    if n:
        names[min(3, n - 1)] = HOSTILE_NAME
    strengths = sorted((min(100.0, max(0.5, rng.gammavariate(1.4, 14.0))) for _ in range(n)), reverse=True)
    if n >= 5:  # a few very close ties at the top, as in real networks
        strengths[:5] = sorted((rng.uniform(78, 96) for _ in range(5)), reverse=True)
    strengths = [round(s, 1) for s in strengths]
    tiers = [_tier(i) for i in range(n)]
    last_days = [rng.randint(1, 20) if s > 60 else rng.randint(5, 400) for s in strengths]

    favor_list: list[FavorEntry] = []
    for i in range(min(n, 50)):
        words = {
            "ago": f"{last_days[i]} days ago", "gap": f"{rng.randint(1, 6)} weeks", "top": rng.randint(1, 20),
            "out": rng.randint(5, 80), "inn": rng.randint(5, 80), "weeks": rng.randint(8, 45),
            "ans": rng.randint(4, 12), "thr": 12, "years": rng.randint(1, 12), "shared": rng.randint(2, 40),
            "given": rng.randint(0, 4), "recv": rng.randint(0, 4),
        }
        factors = [t.format(**words) for t in rng.sample(_TEMPLATES, 3)]
        if names[i] == HOSTILE_NAME:
            factors[0] = "<b>bold</b> & $\\alpha$ factor"
        favor_list.append({
            "id": i + 1, "name": names[i], "strength": strengths[i], "tier": tiers[i],
            "organization": HOSTILE_ORG if names[i] == HOSTILE_NAME else rng.choice(_ORGS),
            "last_contact": (today - timedelta(days=last_days[i])).isoformat() if i % 17 != 16 else None,
            "factors": factors, "p_contact_90d": _p(strengths[i]),
        })

    fading: list[FadingEntry] = []
    candidates = sorted(range(n), key=lambda i: -strengths[i])[5:80]
    for i in rng.sample(candidates, min(len(candidates), 12)) if candidates else []:
        gap = float(rng.choice((7, 14, 21, 30, 45)))
        silence = gap * rng.uniform(8.0, 20.0)
        fading.append({
            "id": i + 1, "name": names[i], "strength": strengths[i],
            "last_contact": (today - timedelta(days=round(silence))).isoformat(), "silence_days": round(silence, 1),
            "usual_gap_days": gap,
            "why": f"usually in touch every ~{gap:.0f} days; silent for {silence:.0f} days "
                   f"({silence / gap:.0f}× usual gap)", "p_contact_90d": _p(strengths[i]),
        })
    if n > 3 and all(f["name"] != HOSTILE_NAME for f in fading):
        fading.insert(1, {
            "id": 4, "name": HOSTILE_NAME, "strength": strengths[3],
            "last_contact": (today - timedelta(days=200)).isoformat(), "silence_days": 200.0, "usual_gap_days": 20.0,
            "why": "silent for 200 days <i>(10× usual gap)</i>", "p_contact_90d": None,
        })
    fading.sort(key=lambda f: -(f["silence_days"] / (f["usual_gap_days"] or 1.0)))

    reciprocity: list[ReciprocityEntry] = []
    for i in range(min(n, 12)):
        base = int(40 + strengths[i] * 2)
        lean = rng.uniform(0.35, 1.9)
        reciprocity.append({"id": i + 1, "name": names[i], "sent": round(base * lean), "received": round(base / lean)})

    months = _months(today, _MONTHS)
    per = {"inner": 9.0, "close": 4.0, "favor": 1.6, "active": 0.5, "dormant": 0.08}  # interactions/person/month
    series: dict[str, list[int]] = {}
    for tier, rate in per.items():
        people = sum(1 for t in tiers if t == tier)
        series[tier] = [max(0, round(people * rate * rng.uniform(0.7, 1.3) * (0.8 + 0.4 * k / _MONTHS)))
                        for k in range(_MONTHS)]

    collected = n * 7 + rng.randint(0, 50)
    tier_counts = {t: sum(1 for x in tiers if x == t) for t in ("inner", "close", "favor", "active", "dormant")}
    tier_counts["collected"] = collected
    active = n - tier_counts["dormant"]
    pyramid = [
        {"label": "contacts", "count": n + collected},
        {"label": "active", "count": active},
        {"label": "favor list", "count": tier_counts["inner"] + tier_counts["close"] + tier_counts["favor"]},
        {"label": "close", "count": tier_counts["inner"] + tier_counts["close"]},
        {"label": "inner", "count": tier_counts["inner"]},
    ]
    you, them = rng.randint(300, 900), rng.randint(300, 900)
    return {
        "title": "Network reality report",
        "as_of": as_of,
        "me": "Sam Example",
        "pyramid": pyramid,  # type: ignore[typeddict-item]
        "tiers": tier_counts,
        "favor_list": favor_list,
        "fading": fading[:12],
        "reciprocity": reciprocity,
        "balance": {"you_started": you, "they_started": them, "answered_by_them": round(rng.uniform(0.55, 0.9), 3),
                    "answered_by_you": round(rng.uniform(0.6, 0.95), 3)},
        "strengths": strengths,
        "monthly": {"months": months, "series": series},
        "model": {
            "name": "closeknit default weights",
            "note": (
                "Each score (0–100) adds points for recency, frequency, regularity, duration, reciprocity, "
                "responsiveness, channel richness, favors, shared contacts and your own rating. "
                "Every person's top factors are shown beside the score.\n\n"
                "Tiers follow Dunbar's layers (about 5 / 15 / 50 / 150) by rank; a tie silent for 8× its usual "
                "gap is fading."
            ),
        },
        "calibration": _calibration(strengths, rng),
    }


def empty_data(as_of: str = "2025-11-25", title: str = "Network reality report") -> ReportData:
    """The report of a brand-new database: every list empty, every count 0."""
    return {
        "title": title,
        "as_of": as_of,
        "me": "",
        "pyramid": [],
        "tiers": {"inner": 0, "close": 0, "favor": 0, "active": 0, "dormant": 0, "collected": 0},
        "favor_list": [],
        "fading": [],
        "reciprocity": [],
        "balance": {"you_started": 0, "they_started": 0, "answered_by_them": 0.0, "answered_by_you": 0.0},
        "strengths": [],
        "monthly": {"months": [], "series": {}},
        "model": {"name": "", "note": ""},
        "calibration": _calibration([], random.Random(0)),
    }


__all__ = ["HOSTILE_NAME", "HOSTILE_ORG", "empty_data", "sample_data"]
