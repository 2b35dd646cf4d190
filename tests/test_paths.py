"""Warm paths as the user meets them (`closeknit path`, `knows`, `show`) on the small network of test_graph, and
the path search checked against networkx on random graphs."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from closeknit.intros import graph as paths
from test_cli import cli
from test_graph import build, copy


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = build(tmp_path_factory.mktemp("paths"))
    cli(db, "score")
    return db


@pytest.fixture
def net(scored: Path, tmp_path: Path) -> Path:
    return copy(scored, tmp_path / "c.db")


def path_json(db: Path, *args: str) -> dict:
    return json.loads(cli(db, "path", *args, "--json").stdout)


def test_you_reach_a_target_through_a_strong_contact(net: Path) -> None:
    found = path_json(net, "ben@ben.example")
    best = found["paths"][0]
    assert [p["name"] for p in best["people"]] == ["Ana Sousa", "Ben Okafor"]
    assert best["warm"] and best["weak_hop"] is None
    first, second = best["steps"]
    assert first["from"] is None and first["evidence"][0]["kind"] == "score" and first["strength"] >= 0.5
    assert second["evidence"][0]["kind"] == "shared" and second["evidence"][0]["shared"] == 15
    assert "they shared 15 messages" in second["text"]
    assert len(found["paths"]) == 3 and len({tuple(x["id"] for x in p["people"]) for p in found["paths"]}) == 3
    assert [p["cost"] for p in found["paths"]] == sorted(p["cost"] for p in found["paths"])
    assert all(p["hops"] <= 3 for p in found["paths"])
    text = cli(net, "path", "Ben Okafor").stdout
    assert "1. to Ben Okafor, 2 hops" in text and "warm" in text
    assert "you → Ana Sousa" in text and "Ana Sousa → Ben Okafor" in text


def test_a_weak_hop_is_named(net: Path) -> None:
    best = path_json(net, "Dee Marsh")["paths"][0]
    assert not best["warm"] and best["weak_hop"] == 0
    assert best["why_not_warm"].startswith("the hop you → Cai Wen is weak")
    assert [s["text"].split(":")[0] for s in best["steps"]] == ["weak", "weak"]
    assert "last 13 months ago" in best["steps"][1]["text"]
    text = cli(net, "path", "Dee Marsh").stdout
    assert "not warm: the hop you → Cai Wen is weak" in text


def test_knows_adds_an_edge_and_forgetting_removes_it(net: Path) -> None:
    gone = cli(net, "path", "Ida Novak", check=False)
    assert gone.returncode == 3 and gone.stdout == ""
    assert "no path within 3 hops" in gone.stderr and "closeknit knows" in gone.stderr
    assert len(gone.stderr.strip().splitlines()) == 1
    added = json.loads(cli(net, "knows", "Ana Sousa", "ida@ida.example", "--how", "college friends", "--json").stdout)
    assert added["added"] is True and added["how"] == "college friends"
    best = path_json(net, "Ida Novak")["paths"][0]
    assert [p["name"] for p in best["people"]] == ["Ana Sousa", "Ida Novak"]
    assert best["steps"][1]["strength"] == pytest.approx(paths.KNOWS_STRENGTH)
    assert best["steps"][1]["text"] == "strong: recorded: 'college friends'" and best["warm"]
    listed = json.loads(cli(net, "knows", "Ana Sousa", "--json").stdout)["knows"]
    assert listed[0]["name"] == "Ida Novak" and listed[0]["knows"] == "college friends"
    assert "Ida Novak" in cli(net, "show", "Ana Sousa").stdout
    again = cli(net, "knows", "Ida Novak", "Ana Sousa")
    assert "already recorded" in again.stderr
    cli(net, "knows", "Ana Sousa", "Ida Novak", "--forget")
    assert cli(net, "path", "Ida Novak", check=False).returncode == 3
    twice = cli(net, "knows", "Ana Sousa", "Ida Novak", "--forget", check=False)
    assert twice.returncode == 3 and "no relationship recorded" in twice.stderr


def test_knows_refuses_me_and_one_person_twice(net: Path) -> None:
    for args in (("me", "Ana Sousa"), ("Ana Sousa", "me@home.example"), ("Ana Sousa", "ana@ana.example")):
        r = cli(net, "knows", *args, check=False)
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    unknown = cli(net, "knows", "Ana Sousa", "Nobody Atall", check=False)
    assert unknown.returncode == 3 and "no person matches" in unknown.stderr


def test_an_organisation_by_name_or_domain(net: Path) -> None:
    for ref in ("Quarry Labs", "quarry.example", "@quarry.example"):
        found = path_json(net, ref)
        assert found["target"]["kind"] == "organization"
        names = {p["people"][-1]["name"] for p in found["paths"]}
        assert names == {"Gus Moreau", "Fay Lindqvist"}
    to_fay = next(p for p in path_json(net, "Quarry Labs")["paths"] if p["people"][-1]["name"] == "Fay Lindqvist")
    assert to_fay["steps"][-1]["text"] == "weak: both at Quarry Labs"
    assert to_fay["steps"][-1]["strength"] == pytest.approx(paths.COLLEAGUE_STRENGTH)
    forced = cli(net, "path", "Nowhere Inc", "--org", check=False)
    assert forced.returncode == 3 and "no organisation" in forced.stderr


def test_a_query_reaches_its_best_matches(net: Path) -> None:
    found = path_json(net, "lidar")
    assert found["target"]["kind"] == "query"
    assert {"Ana Sousa", "Dee Marsh"} <= {p["name"] for p in
                                          json.loads(cli(net, "find", "lidar", "--json").stdout)["results"]}
    assert found["paths"][0]["people"][-1]["name"] == "Ana Sousa" and found["paths"][0]["hops"] == 1
    assert path_json(net, "Ben", "--find")["target"]["kind"] == "query"
    nothing = cli(net, "path", "zzzxq", check=False)
    assert nothing.returncode == 3 and "no person, organisation or match" in nothing.stderr


def test_json_schema(net: Path) -> None:
    found = path_json(net, "ben@ben.example", "--limit", "2")
    assert set(found) == {"target", "as_of", "stale", "paths"}
    assert found["target"] == {"kind": "person", "ref": "ben@ben.example", "people": [found["paths"][0]["target"]]}
    assert len(found["paths"]) == 2 and found["stale"] is False
    for p in found["paths"]:
        assert {"target", "cost", "hops", "warm", "weak_hop", "people", "steps", "text"} <= set(p)
        assert p["hops"] == len(p["steps"]) == len(p["people"])
        for step in p["steps"]:
            assert set(step) == {"from", "to", "strength", "evidence", "text"}
            assert 0 < step["strength"] <= 1
        strengths = [s["strength"] for s in p["steps"]]
        assert p["cost"] == pytest.approx(sum(-math.log(s) + paths.HOP_PENALTY for s in strengths), abs=1e-3)


def test_me_and_ignored_targets(net: Path) -> None:
    assert cli(net, "path", "me", check=False).returncode == 2
    cli(net, "ignore", "ana@ana.example")
    ignored = cli(net, "path", "Ana Sousa", check=False)
    assert ignored.returncode == 2 and "ignore" in ignored.stderr
    best = path_json(net, "ben@ben.example")["paths"][0]  # no longer through Ana
    assert "Ana Sousa" not in [p["name"] for p in best["people"]]


def test_the_graph_follows_new_mail(net: Path, tmp_path: Path) -> None:
    before = path_json(net, "Gus Moreau")["paths"]
    mbox = tmp_path / "more.mbox"
    from test_graph import ME, NOW, message
    mbox.write_text("".join(message("hal@hal.example", [ME, "gus@quarry.example"], NOW, f"g{i}") for i in range(3)),
                    encoding="utf-8")
    cli(net, "import", "mail", str(mbox), "--me", ME)
    after = path_json(net, "Gus Moreau")["paths"]
    assert [p["name"] for p in after[0]["people"]] == ["Hal Brandt", "Gus Moreau"]
    assert after[0]["cost"] < before[0]["cost"]


# --------------------------------------------------------------------------- against networkx


def random_graph(rng: random.Random, n: int, m: int, reach: int) -> tuple[paths.Graph, nx.Graph]:
    a = np.array([rng.randrange(n) for _ in range(m)]) + 100
    b = np.array([rng.randrange(n) for _ in range(m)]) + 100
    s = np.array([rng.choice([rng.random(), 0.7, 0.1, 1e-7]) for _ in range(m)])
    first_ids = np.array(rng.sample(range(100, 100 + n), reach))
    first_s = np.array([rng.random() for _ in range(reach)])
    g = paths.build(a, b, s, first_ids, first_s)
    G = nx.Graph()
    for x, y, w in zip(a.tolist(), b.tolist(), s.tolist(), strict=True):
        if x == y:
            continue
        if not G.has_edge(x, y) or G[x][y]["s"] < w:
            G.add_edge(x, y, s=w)
    for x, w in zip(first_ids.tolist(), first_s.tolist(), strict=True):
        G.add_edge("me", x, s=w)
    for x, y in G.edges:
        G[x][y]["cost"] = float(paths.hop_cost(np.array([G[x][y]["s"]]))[0])
    return g, G


@pytest.mark.parametrize("seed", range(8))
def test_search_matches_networkx(seed: int) -> None:
    rng = random.Random(seed)
    g, G = random_graph(rng, n=rng.randrange(8, 40), m=rng.randrange(10, 120), reach=rng.randrange(1, 8))
    for node in range(len(g.ids)):
        pid = int(g.ids[node])
        ours = paths.search(g, node, k=3)
        every = sorted(nx.path_weight(G, p, "cost") for p in nx.all_simple_paths(G, "me", pid, cutoff=3)) \
            if pid in G else []
        assert [f.cost for f in ours] == pytest.approx(every[:3])
        for f in ours:  # each path is real: its hops are edges, its cost theirs
            walk = ["me", *(int(g.ids[x]) for x in f.nodes)]
            assert len(set(walk)) == len(walk) <= 4
            assert nx.path_weight(G, walk, "cost") == pytest.approx(f.cost)
        if every and pid in G and nx.has_path(G, "me", pid):
            cost, route = nx.bidirectional_dijkstra(G, "me", pid, weight="cost")
            if len(route) <= 4:
                assert ours[0].cost == pytest.approx(cost)


def test_a_strength_reads_the_same_in_every_place_it_is_said() -> None:
    """A tie of 40.5 is "40/100" in a list, so its hop is 0.40, not 0.41 (float noise of 0.405 rounds up);
    a weak hop never reads as the warm threshold it missed."""
    assert f"{40.5:.0f}" == "40" and paths.two_places(0.405) == "0.40" and paths.two_places(0.40499) == "0.40"
    assert paths.two_places(0.415) == "0.42" and f"{41.5:.0f}" == "42"
    assert paths.two_places(paths.WARM - 0.004) == f"{paths.WARM - 0.004:.3f}"  # not "0.50 < 0.5"
    assert paths.two_places(paths.WARM) == "0.50" and paths.two_places(1.0) == "1.00"
