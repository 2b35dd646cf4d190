"""Gather the network reality report's numbers from the stored scores (rendering is closeknit.report)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from closeknit.care import plan as care_plan
from closeknit.mailconv import REPLY_PREFIX
from closeknit.pipeline.scoring import as_of_timestamp
from closeknit.report import ReportData
from closeknit.store import Store
from closeknit.store import scores as score_store
from closeknit.strength.calibration import DEFAULT_CALIBRATION

MONTHS = 24
FADING_SHOWN = 20
FAVOR_TIERS = ("inner", "close", "favor")
MODEL_NOTE = (
    "Each score (0–100) adds points for recency (absolute and against the tie's own rhythm), decayed "
    "intensity (outbound counted double, 1:1 meetings above email, bulk mail worth nothing), regularity, "
    "reciprocity, responsiveness and duration, plus your own ratings. Tiers follow Dunbar's layers by how often "
    "both of you were in touch over the last two years: inner every other week or more, close monthly, favor list "
    "every two months; one-way ties make no layer, and the layer sizes 5 / 15 / 150 are upper bounds, not quotas. "
    "A tie is fading, as in the weekly plan, when you were ever in touch both ways and it is silent past its "
    "keep-in-touch time (the earlier of its tier's cadence and twice its usual gap); the ties whose likely lapse "
    "would cost the most strength come first."
)


def _months(as_of: str) -> list[str]:
    end = datetime.fromisoformat(as_of).replace(day=1)
    out = []
    y, m = end.year, end.month
    for _ in range(MONTHS):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def balance(db: Store, until: float) -> dict[str, Any]:
    """Who begins conversations and who answers, counting each thread once however many it went to. A first
    message named as a reply ("Re: ...") answers mail not in the store: it begins nothing. Who answers is unknown
    (None) when no reply at all is linked to what it answers (mail without reply headers or "Re:" subjects)."""
    begun = {"out": [0, 0], "in": [0, 0]}
    for direction, subject, answered in score_store.conversations(db, until):
        if not REPLY_PREFIX.match(subject):
            begun[direction][0] += 1
            begun[direction][1] += answered
    (you, them), (theirs, you_answered) = begun["out"], begun["in"]
    linked = score_store.has_replies(db)  # without one, an unanswered thread and an unlinked answer look alike
    return {"you_started": you, "they_started": theirs,
            "answered_by_them": (them / you if you else 0.0) if linked else None,
            "answered_by_you": (you_answered / theirs if theirs else 0.0) if linked else None}


def build(db: Store) -> ReportData:
    run = score_store.last_run(db) or {"as_of": datetime.now(UTC).date().isoformat(), "tiers": {}, "model": ""}
    t: dict[str, int] = run["tiers"]
    everyone = score_store.scored(db, features=True)
    interacted = [p for p in everyone if p["tier"] != "collected"]
    feats = {p["id"]: p["features"] for p in interacted}
    inner, close, favor, active = (t.get(k, 0) for k in ("inner", "close", "favor", "active"))
    as_of = datetime.fromisoformat(run["as_of"])
    by_id = {p["id"]: p for p in interacted}
    fading_rows = [(by_id[n.person], r.text) for n, r in care_plan.fading_ties(db, as_of.date())
                   if n.person in by_id][:FADING_SHOWN]
    months = _months(run["as_of"])
    since = int(datetime.fromisoformat(months[0] + "-01").replace(tzinfo=UTC).timestamp())
    series: dict[str, list[int]] = {k: [0] * len(months) for k in ("inner", "close", "favor", "active", "dormant")}
    pos = {m: i for i, m in enumerate(months)}
    for month, tier, n in score_store.monthly_by_tier(db, since):
        if tier in series and month in pos:
            series[tier][pos[month]] += int(n)

    def fading_entry(p: dict[str, Any], why: str) -> dict[str, Any]:
        f = feats.get(p["id"], {})
        return {
            "id": p["id"], "name": p["name"], "strength": p["strength"], "last_contact": p["last_contact"],
            "silence_days": f.get("days_since_contact") or 0.0, "usual_gap_days": f.get("usual_gap_days"),
            "why": why, "p_contact_90d": p["p_contact_90d"],
        }

    data: dict[str, Any] = {
        "title": "Network reality report",
        "as_of": run["as_of"],
        "me": score_store.me_name(db),
        "pyramid": [
            {"label": "contacts", "count": len(everyone)},
            {"label": "active", "count": inner + close + favor + active},
            {"label": "favor list", "count": inner + close + favor},
            {"label": "close", "count": inner + close},
            {"label": "inner", "count": inner},
        ],
        "tiers": {k: int(t.get(k, 0)) for k in ("inner", "close", "favor", "active", "dormant", "collected")},
        "favor_list": [
            {"id": p["id"], "name": p["name"], "organization": p["organization"], "strength": p["strength"],
             "tier": p["tier"], "last_contact": p["last_contact"], "factors": p["factors"]["why"],
             "p_contact_90d": p["p_contact_90d"]}
            for p in everyone if p["tier"] in FAVOR_TIERS
        ],
        "fading": [fading_entry(p, why) for p, why in fading_rows],
        "reciprocity": [{"id": p["id"], "name": p["name"], "sent": p["sent"], "received": p["received"]}
                        for p in interacted[:15]],
        "balance": balance(db, as_of_timestamp(as_of.date())[1]),
        "strengths": [p["strength"] for p in interacted],
        "monthly": {"months": months, "series": series},
        "model": {"name": f"{run.get('model') or 'default'} weights, scored {as_of.date().isoformat()}",
                  "note": MODEL_NOTE},
        "calibration": (run.get("fit") or {}).get("calibration") or DEFAULT_CALIBRATION.as_dict(),
    }
    return data  # type: ignore[return-value]
