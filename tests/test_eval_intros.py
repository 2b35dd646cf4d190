"""The broker evaluation (`closeknit eval intros`) on a generated mailbox with a known broker and on real mail."""

from __future__ import annotations

import itertools
import json
import mailbox
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import numpy as np
import pytest

from closeknit.errors import InputError
from closeknit.intros import edges
from closeknit.intros import evaluate as ev
from conftest import shared

ME = "owner@corp.example"
X = "broker@corp.example"
P = "newcomer@partner.example"
C1, C2 = "colleague1@corp.example", "colleague2@corp.example"
DAY0 = datetime(2000, 2, 1, 9, tzinfo=UTC)
CASE_AT = datetime(2000, 4, 3, 9, tzinfo=UTC)


def _msg(n: int, when: datetime, sender: str, to: list[str], cc: list[str] | None = None) -> EmailMessage:
    m = EmailMessage()
    m["Message-ID"] = f"<{n}@generated.example>"
    m["Date"] = format_datetime(when)
    m["From"] = sender
    m["To"] = ", ".join(to)
    if cc:
        m["Cc"] = ", ".join(cc)
    m["Subject"] = f"work item {n}"
    m.set_content("generated")
    return m


def _write(folder: Path, sent: list[EmailMessage], inbox: list[EmailMessage]) -> None:
    folder.mkdir(parents=True)
    for name, msgs in (("sent", sent), ("inbox", inbox)):
        box = mailbox.mbox(str(folder / f"{name}.mbox"))
        for m in msgs:
            box.add(m)
        box.flush()
        box.close()


def _broker_owner(folder: Path) -> None:
    """The owner works with a broker and two colleagues; the broker then writes to the owner and a newcomer,
    who answers the owner two days later. Around it: recipients that must not become cases."""
    d = DAY0
    sent, inbox = [], []
    n = 0
    for k in range(6):  # steady mail with the broker and the colleagues, both ways
        for who in (X, C1, C2):
            n += 1
            sent.append(_msg(n, d + timedelta(days=7 * k), ME, [who]))
            n += 1
            inbox.append(_msg(n, d + timedelta(days=7 * k, hours=3), who, [ME]))
    # The newcomer meets the colleagues and the broker on a group message the owner is on too.
    inbox.append(_msg(100, d + timedelta(days=10), C1, [ME, X, P], cc=[C2]))
    # The broker and the newcomer keep working together (mail the owner was copied on later, as a forward would be).
    inbox.append(_msg(101, d + timedelta(days=50), X, [P]))
    # A long-known contact: the owner wrote to them before, so never a case.
    sent.append(_msg(102, d + timedelta(days=5), ME, ["known@partner.example"]))
    inbox.append(_msg(103, d + timedelta(days=11), C1, [ME, X, "known@partner.example"], cc=[C2]))
    # Someone the owner meets only on a 30-person announcement, ignored everywhere: no common contacts.
    crowd = [f"crowd{k}@corp.example" for k in range(26)]
    inbox.append(_msg(104, d + timedelta(days=12), C1, [ME, X, C2, "stranger@partner.example", *crowd]))
    # Someone who writes to the owner only five months after the broker's message: outside the horizon.
    inbox.append(_msg(105, d + timedelta(days=13), C1, [ME, X, "late@partner.example"], cc=[C2]))
    # The case: the broker writes to the owner, the newcomer, the stranger and the late one ...
    inbox.append(_msg(200, CASE_AT, X, [ME, P, "known@partner.example", "stranger@partner.example",
                                           "late@partner.example"]))
    # ... again the next day (the pair counts once) ...
    inbox.append(_msg(201, CASE_AT + timedelta(days=1), X, [ME, P]))
    # ... and the newcomer answers the owner; the stranger too; the late one months later.
    inbox.append(_msg(202, CASE_AT + timedelta(days=2), P, [ME], cc=[X]))
    inbox.append(_msg(203, CASE_AT + timedelta(days=2), "stranger@partner.example", [ME]))
    inbox.append(_msg(204, CASE_AT + timedelta(days=150), "late@partner.example", [ME]))
    # A case-like message with 7 participants is no case.
    inbox.append(_msg(205, CASE_AT + timedelta(days=3), C1, [ME, "big@partner.example", X, C2, *crowd[:3]]))
    inbox.append(_msg(206, CASE_AT + timedelta(days=4), "big@partner.example", [ME]))
    _write(folder, sent, inbox)


@pytest.fixture(scope="module")
def mail_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("brokers")
    _broker_owner(root / "owner_a")
    return root


def test_the_harness_finds_the_one_case_and_its_broker(mail_root: Path) -> None:
    cases, info = ev.owner_cases(mail_root / "owner_a")
    assert info["messages"] > 40
    assert len(cases) == 1
    case = cases[0]
    assert case.t == CASE_AT.timestamp()
    # The common contacts of the owner and the newcomer: the broker and the two colleagues.
    assert len(case.score) == 3
    x = case.answer
    assert case.p_shared[x] == 2  # the group message and the broker's own mail with the newcomer
    assert case.p_weight[x] == pytest.approx(1 / 4 + 1)
    assert case.p_days[x] == pytest.approx((CASE_AT - DAY0).days - 50)
    assert case.o_shared[x] == 12 + 3  # six weeks both ways and three group messages (not the 30-person one)
    assert case.score[x] > 0  # the owner's tie to the broker is scored from the mail before the case
    others = [i for i in range(3) if i != x]
    assert sorted(case.p_shared[others]) == [1, 1]  # the colleagues met the newcomer once
    # degree: the broker has met the owner, both colleagues, the newcomer, the long-known and the late one
    assert case.degree[x] == 6


def test_the_report_counts_and_ranks(mail_root: Path) -> None:
    calls: list[tuple[int, int, str]] = []
    out = ev.evaluate(mail_root, progress=lambda d, t, o: calls.append((d, t, o)), workers=1)
    assert calls == [(1, 1, "owner_a")]
    assert set(out) >= {"cases", "owners", "model", "baselines", "hit3_diff_ci95"}
    assert set(out["baselines"]) == {"bfs", "degree", "frequent", "recent"}
    assert out["cases"] == 1 and out["owners"] == 1
    for m in (out["model"], *out["baselines"].values()):
        assert set(m) == {"hit1", "hit3", "mrr"}
    # bfs: three tied candidates
    assert out["baselines"]["bfs"] == {"hit1": round(1 / 3, 4), "hit3": 1.0, "mrr": round((1 + 1 / 2 + 1 / 3) / 3, 4)}
    # the broker last shared mail with the newcomer: recent and the model name it first
    assert out["baselines"]["recent"]["hit1"] == 1.0
    assert out["model"] == {"hit1": 1.0, "hit3": 1.0, "mrr": 1.0}
    assert out["baselines"]["frequent"]["hit1"] == 1.0  # broker 15 × 2, colleagues 15 × 1
    assert out["best_baseline"] == "frequent"  # tied with recent on hit@3 and MRR: the first in order
    assert out["hit3_diff"] == 0.0 and out["hit3_diff_ci95"] == [0.0, 0.0]
    json.dumps(out, allow_nan=False)


def _case(n: int, answer: int, **cols: list[float]) -> ev.Case:
    z = np.zeros(n)
    fields = {k: np.asarray(cols.get(k, z), dtype=np.float64) for k in (
        "score", "p_shared", "p_weight", "p_days", "o_shared", "o_weight", "o_days", "degree")}
    return ev.Case(t=0.0, answer=answer, **fields)


def test_baselines_as_defined() -> None:
    c = _case(4, 1, degree=[9, 3, 3, 1], o_shared=[1, 4, 2, 8], p_shared=[5, 2, 1, 1],
              p_days=[10, 3, 3, 40], o_days=[1, 7, 5, 1])
    table = ev.case_table([c])
    # degree: one above, one tied
    assert table["degree"][0] == pytest.approx([0.0, 1.0, (1 / 2 + 1 / 3) / 2])
    # frequent: 1·5 = 5, 4·2 = 8, 2·1 = 2, 8·1 = 8 → tied first with one other
    assert table["frequent"][0] == pytest.approx([0.5, 1.0, (1 + 1 / 2) / 2])
    # recent: tied with candidate 2 on P (3 days), ahead of it on O (7 days vs 5: behind)
    assert table["recent"][0] == pytest.approx([0.0, 1.0, 1 / 2])
    assert table["bfs"][0] == pytest.approx([1 / 4, 3 / 4, (1 + 1 / 2 + 1 / 3 + 1 / 4) / 4])


@pytest.mark.parametrize("seed", range(20))
def test_ties_count_in_expectation(seed: int) -> None:
    """hit@k and the reciprocal rank equal their means over every order of the tied candidates."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 7))
    key = rng.integers(0, 3, size=n).astype(np.float64)
    answer = int(rng.integers(0, n))
    got = ev.case_metrics(*ev.expected_ranks((key,), answer))
    runs = []
    for perm in itertools.permutations(range(n)):
        order = sorted(range(n), key=lambda i: (-key[i], perm[i]))
        rank = order.index(answer) + 1
        runs.append((rank <= 1, rank <= 3, 1 / rank))
    assert got == pytest.approx(np.mean(runs, axis=0))


def test_the_model_is_the_warm_path_product() -> None:
    c = _case(3, 0, score=[50, 90, 0], p_weight=[1.0, 0.2, 3.0], p_days=[5, 400, 1])
    expected = edges.first_hop_strength(c.score) * edges.edge_strength(c.p_weight, c.p_shared, c.p_days)
    assert ev.model_score(c) == pytest.approx(expected)
    assert edges.first_hop_strength(np.array([0.0]))[0] == edges.FLOOR  # unscored: the weakest strength
    # an edge weakens with silence and strengthens with evidence
    s = edges.edge_strength(np.array([0.5, 0.5, 2.0]), np.array([1, 1, 4]), np.array([0.0, 60.0, 0.0]))
    assert s[1] < s[0] < s[2] <= 1.0


def test_errors_and_the_command(mail_root: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError):
        ev.evaluate(tmp_path / "absent")
    with pytest.raises(InputError):
        ev.evaluate(mail_root, ["nobody"])

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", "from closeknit.cli.main import run; run()", "eval", "intros",
                               *args], capture_output=True, text=True, env=os.environ, timeout=300)

    proc = run(str(mail_root), "--owner", "owner_a", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["cases"] == 1
    table = run(str(mail_root))
    assert table.returncode == 0 and "recent" in table.stdout and "1 cases from 1 owners" in table.stdout
    bad = run(str(tmp_path / "absent"))
    assert bad.returncode != 0 and "not a folder" in bad.stderr and "Traceback" not in bad.stderr


def test_real_enron_owners() -> None:
    root = shared("enron", "mbox_xz")
    # three small mailboxes, chosen by size so no owner is named here
    sizes = sorted((sum(f.stat().st_size for f in d.iterdir()), d.name) for d in root.iterdir() if d.is_dir())
    owners = [name for _, name in sizes[7:10]]
    out = ev.evaluate(root, owners, workers=2)
    assert out["owners_total"] == 3 and out["cases"] >= 10
    assert out["cases"] == sum(p["cases"] for p in out["per_owner"])
    assert out["model"]["hit3"] > out["baselines"]["bfs"]["hit3"]
    lo, hi = out["hit3_diff_ci95"]
    assert -1 <= lo <= out["hit3_diff"] <= hi <= 1
