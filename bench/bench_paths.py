"""Warm-path benchmark: `intros.graph.search` (top 3 paths of at most 3 hops) vs. networkx's bidirectional Dijkstra.

A generated graph (seeded): N people and M distinct edges whose ends are drawn with a skewed popularity (a few
people with thousands of edges, most with a few dozen), each edge a strength from `edge_strength` on a random
weight and age; the user has a scored first hop to 1,500 of them. Each phase runs in its own process, so its
peak memory (VmHWM) is its own:
  - ours:      build the CSR arrays, then the three best paths to each of --queries random targets;
  - networkx:  the same graph as an nx.Graph (a node "me" joined to the first hops), then
               nx.bidirectional_dijkstra from "me" to the first --baseline-queries of the same targets (the
               single cheapest path, of any length: less than ours finds);
  - enron:     with ../shared/data/enron present, graph_edges kept in step on real mail: the first 90% of
               (at most) 100,000 messages imported and taken in, then the last 10% (an incremental refresh),
               a refresh with nothing new, and a rebuild from scratch for comparison.

    python bench/bench_paths.py                         # 100,000 people, 2,000,000 edges, 200 targets
    python bench/bench_paths.py --sizes 10000:200000 --queries 500 --no-enron
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from _phases import arguments, peak_mb, run_phase, run_requested_phase

REACH = 1500  # people the user has a scored tie with
SEED = 17
ENRON_MESSAGES = 100_000


def _quantiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def generate(n: int, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(a, b, strength) of m distinct edges between person ids 1..n, and the user's first hops (ids, strength)."""
    from closeknit.intros.edges import edge_strength

    rng = np.random.default_rng(SEED)
    popularity = 1.0 / (np.arange(n) + 50.0) ** 0.7
    popularity /= popularity.sum()
    shuffle = rng.permutation(n)
    keys = np.zeros(0, dtype=np.int64)
    while len(keys) < m:
        extra = int((m - len(keys)) * 1.1) + 1000
        a = shuffle[rng.choice(n, extra, p=popularity)]
        b = shuffle[rng.choice(n, extra, p=popularity)]
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        new = (lo * n + hi)[lo != hi]
        keys = np.unique(np.concatenate([keys, new]))
    keys = rng.permutation(keys)[:m]
    a, b = keys // n + 1, keys % n + 1
    strength = edge_strength(rng.exponential(0.1, m), np.ones(m), rng.exponential(90.0, m))
    first = rng.choice(n, REACH, replace=False) + 1
    return a, b, strength, first, rng.beta(1.5, 3.0, REACH)


def targets(n: int, count: int) -> list[int]:
    return random.Random(SEED).sample(range(1, n + 1), count)


def phase_ours(n_: Path, m_: Path, q_: Path) -> dict[str, Any]:
    from closeknit.intros import graph as paths

    n, m, q = int(n_.name), int(m_.name), int(q_.name)
    a, b, s, first, first_s = generate(n, m)
    start = time.perf_counter()
    g = paths.build(a, b, s, first, first_s)
    built = time.perf_counter() - start
    del a, b, s
    samples, found, hops = [], 0, [0, 0, 0, 0]
    for pid in targets(n, q):
        start = time.perf_counter()
        node = g.node(pid)
        best = paths.search(g, node, 3) if node is not None else []
        samples.append((time.perf_counter() - start) * 1000)
        found += bool(best)
        for f in best:
            hops[len(f.nodes)] += 1
    p50, p95 = _quantiles(samples)
    return {"build_s": built, "p50": p50, "p95": p95, "max": max(samples), "found": found, "hops": hops,
            "edges": int(len(g.indices) // 2), "bytes": g.nbytes, "peak_mb": peak_mb(), "samples": samples}


def phase_networkx(n_: Path, m_: Path, q_: Path) -> dict[str, Any]:
    import networkx as nx

    from closeknit.intros.graph import hop_cost

    n, m, q = int(n_.name), int(m_.name), int(q_.name)
    a, b, s, first, first_s = generate(n, m)
    start = time.perf_counter()
    g: nx.Graph = nx.Graph()
    g.add_weighted_edges_from(zip(a.tolist(), b.tolist(), hop_cost(s).tolist(), strict=True), weight="cost")
    g.add_weighted_edges_from((("me", x, c) for x, c in zip(first.tolist(), hop_cost(first_s).tolist(),
                                                            strict=True)), weight="cost")
    built = time.perf_counter() - start
    del a, b, s
    samples, found = [], 0
    for pid in targets(n, q):
        start = time.perf_counter()
        try:
            nx.bidirectional_dijkstra(g, "me", pid, weight="cost")
            found += 1
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            pass
        samples.append((time.perf_counter() - start) * 1000)
    p50, p95 = _quantiles(samples)
    return {"build_s": built, "p50": p50, "p95": p95, "found": found, "peak_mb": peak_mb(), "samples": samples}


def phase_enron(first: Path, rest: Path, db: Path) -> dict[str, Any]:
    from closeknit.pipeline.importer import run_import
    from closeknit.store import Store, graph

    out: dict[str, Any] = {}
    with Store(db) as store:
        run_import(store, first, kind="mail", me=["me@example.com"])
        start = time.perf_counter()
        out["first"] = graph.refresh(store)["interactions"]
        out["first_s"] = time.perf_counter() - start
        run_import(store, rest, kind="mail", me=["me@example.com"])
        start = time.perf_counter()
        took = graph.refresh(store)
        out["rest_s"] = time.perf_counter() - start
        out["rest"], out["dirty"] = took["interactions"], took["people"]
        start = time.perf_counter()
        graph.refresh(store)
        out["noop_ms"] = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        graph.rebuild(store)
        out["rebuild_s"] = time.perf_counter() - start
        out["edges"] = int(store.scalar("SELECT count(*) FROM graph_edges"))
    out["peak_mb"] = peak_mb()
    return out


def enron(tmp: str) -> None:
    from bench_mail_import import ENRON, real_mbox

    if not ENRON.is_dir():
        print(f"\n== real mail skipped: {ENRON} is absent (clone ../shared beside the project)")
        return
    whole = Path(tmp, "enron.mbox")
    n = real_mbox(whole, ENRON_MESSAGES)
    first, rest = Path(tmp, "enron-90.mbox"), Path(tmp, "enron-10.mbox")
    cut, seen = int(n * 0.9), 0
    with whole.open("rb") as src, first.open("wb") as head, rest.open("wb") as tail:
        for line in src:
            if line.startswith(b"From "):
                seen += 1
            (head if seen <= cut else tail).write(line)
    whole.unlink()
    r = run_phase(__file__, "enron", str(first), str(rest), str(Path(tmp, "enron.db")))
    print(f"\n== real mail: {n:,} Enron messages, graph_edges kept in step ({r['edges']:,} edges)")
    print(f"first 90%: {r['first']:,} interactions taken in, {r['first_s']:.2f} s;"
          f" last 10%: {r['rest']:,} interactions and {r['dirty']:,} merged people, {r['rest_s']:.2f} s")
    print(f"refresh with nothing new: {r['noop_ms']:.1f} ms; rebuild from scratch: {r['rebuild_s']:.2f} s;"
          f" peak {r['peak_mb']:.0f} MB")


def main() -> None:
    ap = arguments(__doc__, "100000:2000000", "comma-separated PEOPLE:EDGES")
    ap.add_argument("--queries", type=int, default=200, help="random targets")
    ap.add_argument("--baseline-queries", type=int, default=200, help="of them, how many networkx runs")
    ap.add_argument("--no-enron", action="store_true", help="skip the refresh on real mail")
    opts = ap.parse_args()
    if run_requested_phase(opts, {"ours": phase_ours, "networkx": phase_networkx, "enron": phase_enron}):
        return
    for size in opts.sizes.split(","):
        n, m = (int(x) for x in size.split(":"))
        ours = run_phase(__file__, "ours", str(n), str(m), str(opts.queries))
        base = run_phase(__file__, "networkx", str(n), str(m), str(min(opts.queries, opts.baseline_queries)))
        print(f"\n== {n:,} people, {ours['edges']:,} edges, the user reaching {REACH:,} of them;"
              f" {opts.queries} random targets")
        print(f"ours:     build {ours['build_s']:6.2f} s, per query p50 {ours['p50']:7.2f} ms, p95 {ours['p95']:7.2f}"
              f" ms, max {ours['max']:.2f} ms; {ours['found']} targets reached (paths of 1/2/3 hops:"
              f" {'/'.join(map(str, ours['hops'][1:]))}); arrays {ours['bytes'] / 2**20:.0f} MiB,"
              f" peak {ours['peak_mb']:.0f} MB")
        print(f"networkx: build {base['build_s']:6.2f} s, per query p50 {base['p50']:7.2f} ms, p95 {base['p95']:7.2f}"
              f" ms over the first {len(base['samples'])} targets ({base['found']} reached); peak"
              f" {base['peak_mb']:.0f} MB")
        same = ours["samples"][:len(base["samples"])]
        ratio50 = statistics.median(base["samples"]) / statistics.median(same)
        ratio95 = _quantiles(base["samples"])[1] / _quantiles(same)[1]
        print(f"networkx / ours on the same targets: p50 {ratio50:.0f}x, p95 {ratio95:.0f}x faster"
              f" (aim: at least 20x, p95 under 50 ms: {'met' if ours['p95'] < 50 and ratio50 >= 20 else 'NOT met'})")
    if not opts.no_enron:
        with tempfile.TemporaryDirectory(prefix="closeknit-bench-") as tmp:
            enron(tmp)


if __name__ == "__main__":
    main()
