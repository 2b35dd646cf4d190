"""Scoring benchmark: full tie-strength scoring vs. a plain SQL group-by over the same rows.

Builds a database of N generated interactions over 20,000 people (through the store's writer),
then, each in its own process so peak memory is its own:
  - baseline: one SQL GROUP BY computing only per-person counts and last-contact dates;
  - scoring:  `closeknit.pipeline.scoring.compute` (rows from SQL, features, model, tiers, explanations, save).

    python bench/bench_scoring.py                          # 100,000 and 1,000,000 interactions
    python bench/bench_scoring.py --sizes 100000
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from _phases import arguments, peak_mb, run_phase, run_requested_phase

AS_OF = date(2026, 1, 1)
PEOPLE = 20_000
CHANNELS = ("email", "email", "email", "email", "meeting", "call", "linkedin")



def build(db: Path, n: int, seed: int = 1) -> None:
    """N interactions between me and 20,000 people, skewed like a real network (few strong ties)."""
    from closeknit.records import ContactRecord, InteractionRecord
    from closeknit.store import Store, derive
    from closeknit.store.writer import Writer

    rng = random.Random(seed)
    start = datetime.combine(AS_OF, datetime.min.time(), tzinfo=UTC) - timedelta(days=730)
    with Store(db) as store:
        derive.set_me(store, ["me@example.com"])
        w = Writer(store, batch_size=20_000)
        for i in range(PEOPLE):
            w.add_contact(ContactRecord("csv", "gen.csv", i + 2, f"row {i}", name=f"Person {i}",
                                        emails=[f"p{i}@example.org"]))
        w.flush()
        first = int(store.scalar("SELECT min(id) FROM people WHERE is_me = 0"))
        me = int(store.scalar("SELECT id FROM people WHERE is_me = 1"))
        for k in range(n):
            person = first + min(int(rng.paretovariate(0.6)) - 1, PEOPLE - 1)
            out = rng.random() < 0.5
            channel = rng.choice(CHANNELS)
            rec = InteractionRecord(
                "mail", channel, "gen", k, "", f"gen-{k}", start + timedelta(seconds=rng.randrange(730 * 86400)),
                size=rng.choice((1, 1, 1, 2, 3, 8, 30)), bulk="list" if rng.random() < 0.05 else "",
            )
            roles = [(me, "from"), (person, "to")] if out else [(person, "from"), (me, "to")]
            w.add_interaction(rec, known=roles)
        w.flush()
        derive.derive_directions(store)


def phase_baseline(db: Path) -> dict[str, float]:
    from closeknit.store import Store

    with Store(db) as store:
        start = time.perf_counter()
        rows = store.fast_rows(
            "SELECT ip.person_id, count(*), max(i.ts) FROM interactions i"
            " JOIN interaction_parties ip ON ip.interaction_id = i.id GROUP BY ip.person_id"
        )
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "people": len(rows), "peak_mb": peak_mb()}


def phase_score(db: Path) -> dict[str, float]:
    from closeknit.pipeline import scoring
    from closeknit.store import Store

    with Store(db) as store:
        start = time.perf_counter()
        summary = scoring.compute(store, AS_OF)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "people": summary["people"], "rows": summary["interaction_rows"],
            "peak_mb": peak_mb()}



def main() -> None:
    opts = arguments(__doc__, "100000,1000000", "comma-separated interaction counts").parse_args()
    if run_requested_phase(opts, {"baseline": phase_baseline, "score": phase_score}):
        return
    times: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="closeknit-bench-") as tmp:
        for size in (int(s) for s in opts.sizes.split(",")):
            db = Path(tmp, f"score-{size}.db")
            t0 = time.perf_counter()
            build(db, size)
            print(f"\n== {size:,} interactions over {PEOPLE:,} people "
                  f"(database built in {time.perf_counter() - t0:.0f} s)")
            base = run_phase(__file__, "baseline", str(db))
            score = run_phase(__file__, "score", str(db))
            times[size] = score["seconds"]
            print(f"baseline SQL group-by (counts, last contact): {base['seconds']:7.2f} s  "
                  f"peak {base['peak_mb']:5.0f} MB")
            print(f"full scoring (features, model, tiers, save):  {score['seconds']:7.2f} s  "
                  f"peak {score['peak_mb']:5.0f} MB  ({score['rows']:,} rows)")
            print(f"ratio scoring / baseline: {score['seconds'] / base['seconds']:.2f}x (aim: at most 3x)")
        sizes = sorted(times)
        if len(sizes) >= 2:
            a, b = sizes[0], sizes[-1]
            print(f"\ngrowth: {b:,} vs {a:,} interactions took {times[b] / times[a]:.1f}x the time "
                  f"for {b / a:.0f}x the rows (linear: about {b / a:.0f}x)")


if __name__ == "__main__":
    main()
