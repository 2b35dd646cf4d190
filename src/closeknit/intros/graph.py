"""Warm paths: the cheapest few paths of at most three hops from the user to a person, each hop explained."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np

from closeknit.durations import ago
from closeknit.intros.edges import FLOOR, edge_strength, first_hop_strength
from closeknit.store import graph as graph_store
from closeknit.store import people as people_store
from closeknit.store import scores as score_store
from closeknit.store.base import Base

HOP_PENALTY = 0.7  # added to every hop's −ln(strength): a shorter path wins unless a longer one is much surer
MAX_HOPS = 3
WARM = 0.5  # a path is warm when every hop is at least this strong
KNOWS_STRENGTH = 0.7  # a relationship the user recorded (at least; more when the mail says so)
COLLEAGUE_STRENGTH = 0.1  # both at the same organisation of at most graph_store.ORG_MAX people
DAY = 86400.0


def hop_cost(strength: np.ndarray) -> np.ndarray:
    """A hop's cost: −ln(strength) + the hop penalty."""
    out: np.ndarray = -np.log(np.maximum(np.asarray(strength, dtype=np.float64), FLOOR)) + HOP_PENALTY
    return out


@dataclass(slots=True)
class Graph:
    """Who knows whom as CSR adjacency arrays: node i is person ids[i]; the neighbours of i are
    indices[indptr[i]:indptr[i + 1]], each hop's strength and cost beside it; `first`: the cost of the user's
    own hop to each node (inf when the user has no scored tie with them)."""

    ids: np.ndarray  # int64, ascending person ids
    indptr: np.ndarray  # int64, n + 1
    indices: np.ndarray  # int32
    strength: np.ndarray  # float32, per entry
    cost: np.ndarray  # float64, per entry
    first_strength: np.ndarray  # float64, per node (0 when none)
    first: np.ndarray  # float64, per node
    reach: np.ndarray = field(init=False)  # int32: the nodes the user has a first hop to
    reach_degree: int = field(init=False)  # how many entries the neighbours of `reach` span

    def __post_init__(self) -> None:
        self.reach = np.flatnonzero(np.isfinite(self.first)).astype(np.int32)
        self.reach_degree = int((self.indptr[self.reach + 1] - self.indptr[self.reach]).sum())

    @property
    def nbytes(self) -> int:
        """Memory the arrays hold."""
        return sum(int(a.nbytes) for a in (self.ids, self.indptr, self.indices, self.strength, self.cost,
                                           self.first_strength, self.first, self.reach))

    def node(self, pid: int) -> int | None:
        """The node of person `pid`, None when they are not in the graph."""
        at = int(np.searchsorted(self.ids, pid))
        return at if at < len(self.ids) and int(self.ids[at]) == pid else None


def build(a: np.ndarray, b: np.ndarray, strength: np.ndarray, first_ids: np.ndarray,
          first_strength: np.ndarray) -> Graph:
    """The graph of the undirected edges a–b (person ids; a pair given twice keeps its strongest edge) and
    the user's first hops to `first_ids`."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    s = np.asarray(strength, dtype=np.float64)
    keep = a != b
    a, b, s = a[keep], b[keep], s[keep]
    first_ids = np.asarray(first_ids, dtype=np.int64)
    ids = np.unique(np.concatenate([a, b, first_ids]))
    n = len(ids)
    lo = np.searchsorted(ids, np.minimum(a, b))
    hi = np.searchsorted(ids, np.maximum(a, b))
    key = lo * n + hi
    order = np.lexsort((-s, key))  # by pair, strongest first
    key, s = key[order], s[order]
    first_of = np.ones(len(key), dtype=bool)
    first_of[1:] = key[1:] != key[:-1]
    key, s = key[first_of], s[first_of]
    lo, hi = key // n, key % n
    src = np.concatenate([lo, hi])
    dst = np.concatenate([hi, lo]).astype(np.int32)
    both = np.concatenate([s, s])
    by_src = np.argsort(src, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    indices = dst[by_src]
    hop = both[by_src]
    fs = np.zeros(n, dtype=np.float64)
    fs[np.searchsorted(ids, first_ids)] = np.asarray(first_strength, dtype=np.float64)
    first = np.full(n, np.inf)
    has = fs > 0
    first[has] = hop_cost(fs[has])
    return Graph(ids, indptr, indices, hop.astype(np.float32), hop_cost(hop), fs, first)


@dataclass(slots=True)
class Found:
    """One path from the user: the people after the user (node indices, the target last) and its cost."""

    nodes: tuple[int, ...]
    cost: float


def _gather(g: Graph, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The CSR positions of every neighbour entry of `nodes`, and which of `nodes` each belongs to."""
    starts, ends = g.indptr[nodes], g.indptr[nodes + 1]
    lens = ends - starts
    total = int(lens.sum())
    if not total:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    owner = np.repeat(np.arange(len(nodes)), lens)
    offsets = np.cumsum(lens) - lens
    pos = starts[owner] + (np.arange(total) - offsets[owner])
    return pos, owner


def search(g: Graph, target: int, k: int = 3) -> list[Found]:
    """The `k` cheapest simple paths of at most three hops from the user to node `target`, cheapest first
    (exact: every one-, two- and three-hop path is costed at once from the target's side or the user's,
    whichever touches fewer edges)."""
    costs: list[np.ndarray] = []
    paths: list[np.ndarray] = []  # rows of (x, y): the nodes before the target, −1 when the hop is absent
    if np.isfinite(g.first[target]):
        costs.append(np.array([g.first[target]]))
        paths.append(np.array([[-1, -1]]))
    s, e = int(g.indptr[target]), int(g.indptr[target + 1])
    ys = g.indices[s:e].astype(np.int64)
    cyt = g.cost[s:e]
    c2 = g.first[ys] + cyt
    ok = np.isfinite(c2)
    costs.append(c2[ok])
    paths.append(np.stack([np.full(int(ok.sum()), -1), ys[ok]], axis=1))
    span = int((g.indptr[ys + 1] - g.indptr[ys]).sum())
    if span <= g.reach_degree:  # from the target's side: x – y – target for every neighbour y
        pos, owner = _gather(g, ys)
        xs = g.indices[pos].astype(np.int64)
        mid = ys[owner]
        c3 = g.first[xs] + g.cost[pos] + cyt[owner]
    else:  # from the user's side: user – x – y for every x the user reaches, y a neighbour of the target
        to_target = np.full(len(g.ids), np.inf)
        to_target[ys] = cyt
        reach = g.reach.astype(np.int64)
        pos, owner = _gather(g, reach)
        xs = reach[owner]
        mid = g.indices[pos].astype(np.int64)
        c3 = g.first[xs] + g.cost[pos] + to_target[mid]
    ok = np.isfinite(c3) & (xs != target)
    costs.append(c3[ok])
    paths.append(np.stack([xs[ok], mid[ok]], axis=1))
    cost = np.concatenate(costs)
    every = np.concatenate(paths)
    if len(cost) > k:
        best = np.argpartition(cost, k)[:k]
        cost, every = cost[best], every[best]
    order = np.lexsort((every[:, 1], every[:, 0], cost))
    return [Found((*(int(x) for x in every[i] if x >= 0), target), float(cost[i])) for i in order[:k]]


# --------------------------------------------------------------------------- the user's graph


@dataclass(slots=True)
class Network:
    """The user's graph as of `now` (unix seconds), with what explains its hops."""

    graph: Graph
    now: float
    scores: dict[int, tuple[float, str]]
    stale: bool  # the database could not be written, so the newest interactions may be missing


def as_of(db: Base) -> float:
    """The moment strengths are taken at: the end of the day the scores were computed for (today unless
    scored with --as-of), so the user's hops and the contacts' hops are measured on the same day."""
    run = score_store.last_run(db)
    if run is None:
        return time.time()
    day = datetime.fromisoformat(run["as_of"]).replace(tzinfo=UTC)
    return (day + timedelta(days=1)).timestamp()


def network(db: Base) -> Network:
    """Read the graph: co-occurrence edges (strength as of `as_of`), recorded relationships (at least
    KNOWS_STRENGTH), colleagues (COLLEAGUE_STRENGTH) and the user's scored ties as first hops."""
    stale = not graph_store.fresh(db)
    now = as_of(db)
    ev = graph_store.edges(db)
    days = (now - ev.last_ts.astype(np.float64)) / DAY
    parts_a, parts_b, parts_s = [ev.a], [ev.b], [edge_strength(ev.weight, ev.shared, days)]
    recorded = graph_store.known(db)
    if recorded:
        parts_a.append(np.array([r[0] for r in recorded], dtype=np.int64))
        parts_b.append(np.array([r[1] for r in recorded], dtype=np.int64))
        parts_s.append(np.full(len(recorded), KNOWS_STRENGTH))
    for ids in graph_store.colleagues(db).values():
        arr = np.asarray(ids, dtype=np.int64)
        i, j = np.triu_indices(len(arr), k=1)
        parts_a.append(arr[i])
        parts_b.append(arr[j])
        parts_s.append(np.full(len(i), COLLEAGUE_STRENGTH))
    hidden = graph_store.hidden(db)
    scores = {p: v for p, v in score_store.strengths(db).items() if p not in hidden and v[0] and v[0] > 0}
    first_ids = np.fromiter(scores, dtype=np.int64, count=len(scores))
    first_s = first_hop_strength(np.array([v[0] for v in scores.values()], dtype=np.float64))
    g = build(np.concatenate(parts_a), np.concatenate(parts_b), np.concatenate(parts_s), first_ids, first_s)
    return Network(g, now, scores, stale)


def paths_to(net: Network, targets: list[int], k: int = 3) -> list[tuple[int, Found]]:
    """The `k` cheapest paths to any of `targets` (person ids), cheapest first: (target, path)."""
    pooled: list[tuple[int, Found]] = []
    for pid in targets:
        node = net.graph.node(pid)
        if node is not None:
            pooled.extend((pid, f) for f in search(net.graph, node, k))
    pooled.sort(key=lambda x: (x[1].cost, x[1].nodes))
    return pooled[:k]


def _label(strength: float) -> str:
    return "strong" if strength >= 0.7 else "warm" if strength >= WARM else "weak"


def explain(db: Base, net: Network, found: Found) -> dict[str, Any]:
    """A path in words and as data: each hop's strength and evidence, whether it is warm, the first weak hop."""
    g = net.graph
    pids = [int(g.ids[n]) for n in found.nodes]
    names = people_store.names(db, pids)
    hops: list[dict[str, Any]] = []
    first = pids[0]
    s1 = float(g.first_strength[found.nodes[0]])
    score, tier = net.scores.get(first, (0.0, ""))
    last = score_store.person_score(db, first)
    seen = (last or {}).get("last_contact")
    whole = f"{score:.0f}"
    said = f"{tier}, your tie {f'{score:.1f}' if score < WARM * 100 <= float(whole) else whole}/100"
    if seen:
        days = (net.now - datetime.fromisoformat(seen[:10]).replace(tzinfo=UTC).timestamp()) / DAY - 1
        said += f", last contact {ago(days, calendar=False)}"
    hops.append({"from": None, "to": first, "strength": round(s1, 4),
                 "evidence": [{"kind": "score", "score": score, "tier": tier, "last_contact": seen}],
                 "text": f"{_label(s1)}: {said}"})
    for i in range(1, len(pids)):
        a, b = pids[i - 1], pids[i]
        ev = graph_store.pair(db, a, b)
        lo = g.indptr[found.nodes[i - 1]]
        nbrs = g.indices[lo:g.indptr[found.nodes[i - 1] + 1]]
        s = round(float(g.strength[lo + int(np.flatnonzero(nbrs == found.nodes[i])[0])]), 6)  # float32 kept
        evidence: list[dict[str, Any]] = []
        words: list[str] = []
        if ev["mail"]:
            m = ev["mail"]
            days = (net.now - (m["last_ts"] or 0)) / DAY
            evidence.append({"kind": "shared", **m, "days_since_last": round(days, 1)})
            n = m["shared"]
            words.append(f"they shared {n} message{'s' if n != 1 else ''} or meeting{'s' if n != 1 else ''},"
                         f" last {ago(days)}")
        if ev["knows"] is not None:
            evidence.append({"kind": "knows", "how": ev["knows"]})
            words.append(f"recorded: '{ev['knows']}'" if ev["knows"] else "recorded by you")
        if ev["organization"]:
            evidence.append({"kind": "organization", "organization": ev["organization"]})
            words.append(f"both at {ev['organization']}")
        hops.append({"from": a, "to": b, "strength": round(s, 4), "evidence": evidence,
                     "text": f"{_label(s)}: {'; '.join(words)}"})
    weak = next((i for i, h in enumerate(hops) if h["strength"] < WARM), None)
    text = "you" + "".join(f" → {names.get(h['to'], h['to'])} ({h['text']})" for h in hops)
    out = {
        "target": pids[-1], "cost": round(found.cost, 4), "hops": len(hops), "warm": weak is None,
        "weak_hop": weak, "people": [{"id": p, "name": names.get(p, "")} for p in pids], "steps": hops,
        "text": text,
    }
    if weak is not None:
        who = "you" if weak == 0 else names.get(pids[weak - 1], "")
        out["why_not_warm"] = (f"the hop {who} → {names.get(pids[weak], '')} is weak"
                               f" ({two_places(hops[weak]['strength'])} < {WARM})")
    return out


def two_places(strength: float) -> str:
    """A strength (0-1) to two decimals, rounded as a tie's score is shown (40.5 is "40", so 0.405 is "0.40"),
    whatever float noise the path's arithmetic left; three when two would round a weak hop up to warm."""
    shown = format(Decimal(f"{strength:.4f}"), ".2f")
    return f"{strength:.3f}" if strength < WARM <= float(shown) else shown


def strength_of(cost: float, hops: int) -> float:
    """The product of a path's hop strengths, from its cost."""
    return math.exp(-(cost - HOP_PENALTY * hops))
