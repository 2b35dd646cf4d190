"""Broker evaluation on real mail: when an owner first writes with someone new, can the model name who joined them?"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from closeknit.intros.cooccurrence import Cooccurrence
from closeknit.intros.edges import edge_strength, first_hop_strength
from closeknit.store.messages import Mail
from closeknit.strength import evaluate as strength_eval
from closeknit.strength.calibration import DAY, window_scores
from closeknit.strength.evaluate import Progress
from closeknit.strength.events import Events

MAX_PARTICIPANTS = 25  # larger messages are ignored everywhere: they say nothing about who knows whom
CASE_MAX_PARTICIPANTS = 6  # a case is a small message: its sender plausibly brought its recipients together
FIRST_CASE = datetime(2000, 1, 1, tzinfo=UTC).timestamp()
END_CASE = datetime(2002, 1, 1, tzinfo=UTC).timestamp()
HORIZON_DAYS = 90.0  # the first direct message must follow the case within this
MIN_COMMON = 2  # the owner and the new person must have at least this many common contacts
BOOTSTRAP = 2000
BASELINES = ("bfs", "degree", "frequent", "recent")
METRICS = ("hit1", "hit3", "mrr")


@dataclass(slots=True)
class Case:
    """The owner O and a new person P at the message dated `t`; one entry per common contact of O and P
    (the candidates), all measured on the mail before t; `answer`: the index of the message's sender."""

    t: float
    answer: int
    score: np.ndarray  # the owner's tie strength to the candidate (the strength model's 0..100)
    p_shared: np.ndarray  # messages the candidate and P were both on
    p_weight: np.ndarray  # Σ 1/(n − 1) over those messages
    p_days: np.ndarray  # days since the last of them
    o_shared: np.ndarray  # ... the candidate and O
    o_weight: np.ndarray
    o_days: np.ndarray
    degree: np.ndarray  # the candidate's number of distinct contacts


# --------------------------------------------------------------------------- cases


def first_direct(mails: list[Mail], owner: int) -> dict[int, float]:
    """Per person, the time of the first message between them and the owner (one wrote to the other)."""
    out: dict[int, float] = {}
    for m in mails:
        if len(m.participants) > MAX_PARTICIPANTS:
            continue
        if owner in m.senders:
            others = m.recipients
        elif owner in m.recipients:
            others = m.senders
        else:
            continue
        for p in others:
            if p != owner and p not in out:
                out[p] = m.ts
    return out


def find_cases(mails: list[Mail], owner: int, events: Events) -> list[Case]:
    """The owner's cases, in one pass over the mail in time order (see `evaluate` for the rules)."""
    direct = first_direct(mails, owner)
    index = {pid: i for i, pid in enumerate(events.people)}
    seen = Cooccurrence()
    done: set[int] = set()
    scores: dict[float, np.ndarray] = {}
    cases: list[Case] = []
    kept = [m for m in mails if len(m.participants) <= MAX_PARTICIPANTS]
    i = 0
    while i < len(kept):
        t = kept[i].ts
        j = i
        while j < len(kept) and kept[j].ts == t:
            j += 1
        if FIRST_CASE <= t < END_CASE:  # cases read the evidence strictly before t
            for m in kept[i:j]:
                for p, common in _new_people(m, owner, seen, direct, done):
                    done.add(p)
                    if t not in scores:
                        scores[t] = window_scores(events, t)[1]
                    cases.append(_case(t, owner, p, next(iter(m.senders)), sorted(common), seen, scores[t], index))
        for m in kept[i:j]:
            seen.add(t, m.participants)
        i = j
    return cases


def _new_people(m: Mail, owner: int, seen: Cooccurrence, direct: dict[int, float],
                done: set[int]) -> list[tuple[int, set[int]]]:
    """The recipients of `m` for whom it is a case, with the common contacts of them and the owner."""
    if len(m.senders) != 1 or owner in m.senders or owner not in m.recipients:
        return []
    if len(m.participants) > CASE_MAX_PARTICIPANTS:
        return []
    (x,) = m.senders
    out = []
    for p in sorted(m.recipients - {owner, x} - done):
        first = direct.get(p)
        if first is None or not m.ts <= first <= m.ts + HORIZON_DAYS * DAY:
            continue
        common = seen.common(owner, p)
        if x in common and len(common) >= MIN_COMMON:
            out.append((p, common))
    return out


def _case(t: float, owner: int, p: int, x: int, cand: list[int], seen: Cooccurrence, score: np.ndarray,
          index: dict[int, int]) -> Case:
    with_p = np.array([seen.pair(c, p) for c in cand], dtype=np.float64)
    with_o = np.array([seen.pair(c, owner) for c in cand], dtype=np.float64)
    return Case(
        t=t, answer=cand.index(x),
        score=np.array([score[index[c]] if c in index else 0.0 for c in cand]),
        p_shared=with_p[:, 0], p_weight=with_p[:, 1], p_days=(t - with_p[:, 2]) / DAY,
        o_shared=with_o[:, 0], o_weight=with_o[:, 1], o_days=(t - with_o[:, 2]) / DAY,
        degree=np.array([len(seen.contacts(c)) for c in cand], dtype=np.float64),
    )


def owner_cases(path: Path, empty_store: Path | None = None) -> tuple[list[Case], dict[str, Any]]:
    """One owner's cases from their mail imported as `closeknit import` does it (as `eval strength` reads it)."""
    from closeknit.pipeline import scoring
    from closeknit.store import messages as message_store
    from closeknit.store import scores as score_store

    with strength_eval.imported(path, empty_store) as (db, result):
        events = scoring.load_events(db)
        mails = message_store.mail(db)
        owner = score_store.me_id(db)
    return find_cases(mails, owner, events), {"messages": result.messages}


def _owner_job(args: tuple[str, str, str]) -> dict[str, Any]:
    name, path, empty_store = args
    start = time.perf_counter()
    cases, info = owner_cases(Path(path), Path(empty_store))
    return {"owner": name, "cases": cases, "seconds": round(time.perf_counter() - start, 3), **info}


# --------------------------------------------------------------------------- ranking


def model_score(case: Case) -> np.ndarray:
    """The warm path me → candidate → P ranks by s1·s2 (its cost −ln s1 − ln s2 plus the same hop penalty)."""
    s1 = first_hop_strength(case.score)
    s2 = edge_strength(case.p_weight, case.p_shared, case.p_days)
    out: np.ndarray = s1 * s2
    return out


def method_keys(case: Case) -> dict[str, tuple[np.ndarray, ...]]:
    """Per method, the candidates' sort keys (higher first; later keys break ties of earlier ones)."""
    return {
        "model": (model_score(case),),
        "bfs": (np.zeros(len(case.score)),),
        "degree": (case.degree,),
        "frequent": (case.o_shared * case.p_shared,),
        "recent": (-case.p_days, -case.o_days),
    }


def expected_ranks(keys: tuple[np.ndarray, ...], answer: int) -> tuple[int, int]:
    """(candidates ranked strictly above the answer, candidates tied with it, itself included)."""
    above = np.zeros(len(keys[0]), dtype=bool)
    tied = np.ones(len(keys[0]), dtype=bool)
    for k in keys:
        above |= tied & (k > k[answer])
        tied &= k == k[answer]
    return int(above.sum()), int(tied.sum())


def case_metrics(above: int, tied: int) -> tuple[float, float, float]:
    """hit@1, hit@3 and reciprocal rank in expectation over a random order of the tied."""
    def hit(k: int) -> float:
        return min(max(k - above, 0), tied) / tied

    return hit(1), hit(3), float(np.mean(1.0 / np.arange(above + 1, above + tied + 1)))


def case_table(cases: list[Case]) -> dict[str, np.ndarray]:
    """Per method, a (cases × (hit1, hit3, rr)) array."""
    rows: dict[str, list[tuple[float, float, float]]] = {m: [] for m in ("model", *BASELINES)}
    for c in cases:
        for name, keys in method_keys(c).items():
            rows[name].append(case_metrics(*expected_ranks(keys, c.answer)))
    return {m: np.array(v, dtype=np.float64).reshape(-1, 3) for m, v in rows.items()}


# --------------------------------------------------------------------------- whole corpus


def evaluate(mail_root: Path, owners: list[str] | None = None, progress: Progress | None = None, *,
             workers: int | None = None, seed: int = 0) -> dict[str, Any]:
    """Can the model name the broker? Per owner (one sub-folder of `mail_root` each; the mail imported as
    `closeknit import` does, the owner being its "me"; messages with more than 25 participants ignored):

    - evidence before t: every message dated strictly before t; each pair of its participants (From, To,
      Cc, Bcc) co-occurs once more, at that date;
    - a case: a message dated t in [2000-01-01, 2002-01-01) from exactly one person X other than the
      owner O, with at most 6 participants, O among its recipients; for each other recipient P: no
      direct message between O and P before t (one wrote to the other), a first one within 90 days
      after t, X co-occurred with both before t, and O and P have at least 2 common contacts (people
      who co-occurred with both) before t. Each (O, P) counts once, at its first qualifying message.
      The answer is X, among the common contacts.

    The model and the baselines (bfs: all tie; degree: the contact's distinct contacts; frequent:
    co-occurrences with O × with P; recent: the latest co-occurrence with P, then with O) rank the
    common contacts; ties count in expectation. hit@1, hit@3 and MRR are micro-averaged over cases;
    `hit3_diff_ci95` is a seeded bootstrap (2,000 resamples of cases) of the mean paired difference of
    hit@3, model − the best baseline by hit@3.
    """
    names = strength_eval.owner_folders(mail_root, owners)
    start = time.perf_counter()
    results, n_workers = strength_eval.run_owners(mail_root, names, _owner_job, (), workers, progress)
    out = summarise(results, seed)
    out["seconds"] = round(time.perf_counter() - start, 2)
    out["workers"] = n_workers
    return out


def summarise(results: list[dict[str, Any]], seed: int = 0) -> dict[str, Any]:
    """The report from per-owner results ({"owner", "messages", "cases", "seconds"})."""
    cases = [c for r in results for c in r["cases"]]
    table = case_table(cases)

    def averages(m: str) -> dict[str, float | None]:
        return {k: _round(table[m][:, i].mean()) if len(cases) else None for i, k in enumerate(METRICS)}

    baselines = {b: averages(b) for b in BASELINES}
    best = max(BASELINES, key=lambda b: (table[b][:, 1].mean(), table[b][:, 2].mean())) if cases else ""
    ci: list[float | None] = [None, None]
    diff: float | None = None
    if cases:
        d = table["model"][:, 1] - table[best][:, 1]
        boot = d[np.random.default_rng(seed).integers(0, len(d), size=(BOOTSTRAP, len(d)))].mean(axis=1)
        ci = [_round(np.percentile(boot, 2.5)), _round(np.percentile(boot, 97.5))]
        diff = _round(d.mean())
    return {
        "cases": len(cases),
        "owners": sum(1 for r in results if r["cases"]),
        "owners_total": len(results),
        "messages": int(sum(r.get("messages", 0) for r in results)),
        "model": averages("model"),
        "baselines": baselines,
        "best_baseline": best,
        "hit3_diff": diff,
        "hit3_diff_ci95": ci,
        "candidates_median": float(np.median([len(c.score) for c in cases])) if cases else None,
        "per_owner": [{"owner": r["owner"], "messages": r.get("messages", 0), "cases": len(r["cases"]),
                       "seconds": r.get("seconds", 0.0)} for r in results],
    }


def _round(x: float) -> float | None:
    return round(float(x), 4) if np.isfinite(x) else None
