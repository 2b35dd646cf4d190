"""Search benchmark: `find` (FTS5, ranked and explained) vs. a LIKE '%term%' scan of the same fields.

Imports N generated contacts (the demo's LinkedIn, vCard and CSV files, as bench_contacts_import does), then
gives every person 1-3 notes written from the demo's skill vocabulary, a tag, an offer or a need for one in
five, and a random tie strength (written straight into `scores`: contacts alone would all score 0). Then,
each in its own process (so that peak memory is its own):
  - import:    the same contacts imported into a database without the search triggers, and with them
               (what keeping the index in step costs every import);
  - index:     the first search after the import, which builds every person's search document;
  - baseline:  `store.search.like_scan` per query (the query's longest word in any field, strongest first,
               the same limit): no index, no stemming, no ranking by relevance, no explanation;
  - find:      `search.find.find` per query: stemming, prefixes, BM25 × strength, snippets of why;
  - in step:   a tag added to a random person, then `find` (the write's document rebuilt first).
Each query runs --reps times; p50 and p95 per query, ratios to the baseline.

    python bench/bench_search.py                    # 20,000 contacts
    python bench/bench_search.py --sizes 5000,20000 --reps 30
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from _phases import arguments, peak_mb, run_phase, run_requested_phase

QUERIES = ["lidar perception", "engineer", "eng*", "sensor fusion", "title:founder", '"machine learning"',
           "robotics OR drones", "grant writing -professor", "jose", "northwind"]
LIMIT = 20
TRIGGERS = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search_dirty_%'"


def _quantiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _timed(reps: int, call: object) -> tuple[float, float]:
    samples = []
    for _ in range(reps):
        start = time.perf_counter()
        call()  # type: ignore[operator]
        samples.append((time.perf_counter() - start) * 1000)
    return _quantiles(samples)


def phase_import(folder: Path, db: Path, triggers: Path) -> dict[str, float]:
    from closeknit.pipeline.importer import run_import
    from closeknit.store import Store

    with Store(db) as store:
        if not int(triggers.name):
            con = sqlite3.connect(db)
            for (name,) in con.execute(TRIGGERS).fetchall():
                con.execute(f"DROP TRIGGER {name}")
            con.commit()
            con.close()
        start = time.perf_counter()
        run_import(store, folder)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mb": peak_mb()}


def phase_index(db: Path) -> dict[str, float]:
    from closeknit.store import Store
    from closeknit.store import search as index

    with Store(db) as store:
        start = time.perf_counter()
        done = index.refresh(store)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "people": done, "peak_mb": peak_mb(), "db_mb": db.stat().st_size / 1e6}


def _longest_word(query: str) -> str:
    words = [w.strip('"*-').split(":")[-1] for w in query.split() if w not in ("OR", "AND", "NOT")]
    return max((w for w in words if not w.startswith("-")), key=len)


def phase_queries(db: Path, which: Path, reps: Path) -> dict[str, object]:
    from closeknit.search.find import find
    from closeknit.store import Store
    from closeknit.store import search as index

    n, kind = int(reps.name), which.name
    out: dict[str, object] = {}
    rng = random.Random(5)
    with Store(db) as store:
        ids = [i for (i,) in store.fast_rows("SELECT id FROM people WHERE is_me = 0")]
        for q in QUERIES:
            if kind == "baseline":
                term = _longest_word(q)
                hits = len(index.like_scan(store, term, LIMIT))
                p50, p95 = _timed(n, lambda term=term: index.like_scan(store, term, LIMIT))
            elif kind == "find":
                hits = find(store, q, limit=LIMIT)["total"]
                p50, p95 = _timed(n, lambda q=q: find(store, q, limit=LIMIT))
            else:  # in step: a write, then the search that must see it
                hits = 0

                def write_then_find(q: str = q) -> None:
                    pid = rng.choice(ids)
                    store.execute("INSERT OR IGNORE INTO tags(person_id, tag) VALUES (:p, :t)",
                                  {"p": pid, "t": f"bench{rng.randrange(10**6)}"})
                    find(store, q, limit=LIMIT)

                p50, p95 = _timed(n, write_then_find)
            out[q] = {"p50": p50, "p95": p95, "hits": hits}
    out["peak_mb"] = peak_mb()
    return out


def enrich(db: Path, seed: int = 11) -> int:
    """Notes, tags, offers and needs, and a random strength, for every person (see the module's docstring)."""
    from closeknit.demo.names import INDUSTRIES
    from closeknit.store import Store
    from closeknit.store import needs as needs_store

    rng = random.Random(seed)
    skills = [s for _, (_, ss) in INDUSTRIES.items() for s in ss]
    verbs = ["knows", "worked on", "asked me about", "presented", "is hiring for", "wrote a paper on"]
    with Store(db) as store:
        ids = [i for (i,) in store.fast_rows("SELECT id FROM people WHERE is_me = 0")]
        notes, tags, scores = [], [], []
        for pid in ids:
            for _ in range(rng.randint(1, 3)):
                notes.append((pid, f"{rng.choice(verbs)} {rng.choice(skills)} and {rng.choice(skills)}",
                              "2026-01-01"))
            tags.append((pid, rng.choice(["investor", "mentor", "customer", "friend", "alumni", "press"])))
            strength = rng.betavariate(1.2, 4) * 100
            scores.append((pid, strength, "active" if strength > 30 else "collected", "2026-01-01"))
        store.execute_many("INSERT INTO notes(person_id, text, created_at) VALUES (?, ?, ?)", notes)
        store.execute_many("INSERT OR IGNORE INTO tags(person_id, tag) VALUES (?, ?)", tags)
        store.execute_many("INSERT OR REPLACE INTO scores(person_id, strength, tier, computed_at) VALUES (?, ?, ?, ?)",
                           scores)
        for pid in rng.sample(ids, len(ids) // 5):
            needs_store.record(store, pid, rng.choice(["offer", "need"]), f"help with {rng.choice(skills)}")
    return len(ids)


def main() -> None:
    ap = arguments(__doc__, "20000", "comma-separated contact counts")
    ap.add_argument("--reps", type=int, default=20, help="runs of each query")
    opts = ap.parse_args()
    phases = {"import": phase_import, "index": phase_index, "queries": phase_queries}
    if run_requested_phase(opts, phases):
        return

    from closeknit.demo.files import write_contacts

    with tempfile.TemporaryDirectory(prefix="closeknit-bench-") as tmp:
        for size in (int(s) for s in opts.sizes.split(",")):
            folder = Path(tmp, f"contacts-{size}")
            write_contacts(folder, size, seed=3)
            plain, db = Path(tmp, f"plain-{size}.db"), Path(tmp, f"bench-{size}.db")
            without = run_phase(__file__, "import", str(folder), str(plain), "0")
            with_ = run_phase(__file__, "import", str(folder), str(db), "1")
            people = enrich(db)
            built = run_phase(__file__, "index", str(db))
            print(f"\n== {size:,} contacts: {people:,} people with notes, tags, offers and needs")
            print(f"import without the search triggers {without['seconds']:7.2f} s; with them"
                  f" {with_['seconds']:7.2f} s ({with_['seconds'] / without['seconds']:.2f}x)")
            print(f"first search builds the index: {built['people']:,} documents in {built['seconds']:.2f} s,"
                  f" peak {built['peak_mb']:.0f} MB, database {built['db_mb']:.0f} MB")
            reps = str(opts.reps)
            base = run_phase(__file__, "queries", str(db), "baseline", reps)
            fts = run_phase(__file__, "queries", str(db), "find", reps)
            step = run_phase(__file__, "queries", str(db), "step", reps)
            print(f"{'query':28} {'hits':>6} {'LIKE p50':>9} {'p95':>7} {'find p50':>9} {'p95':>7}"
                  f" {'x LIKE':>7} {'write+find p95':>15}   (ms)")
            for q in QUERIES:
                b, f, s = base[q], fts[q], step[q]
                print(f"{q:28} {f['hits']:6,} {b['p50']:9.1f} {b['p95']:7.1f} {f['p50']:9.1f} {f['p95']:7.1f}"
                      f" {b['p50'] / f['p50']:6.1f}x {s['p95']:15.1f}")
            worst = max(fts[q]["p95"] for q in QUERIES)
            print(f"find: worst p95 {worst:.1f} ms (aim: under 50 ms); peak memory {fts['peak_mb']:.0f} MB"
                  f" (baseline {base['peak_mb']:.0f} MB)")


if __name__ == "__main__":
    main()
