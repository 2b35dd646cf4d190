"""Weekly plan benchmark: `nudge` vs. scoring (`closeknit score`) over the same store of people and interactions.

Builds a database of N generated interactions over 20,000 people (through the store's writer): threads
with replies, mail still waiting on the user, meetings, calls and list mail, ties that went quiet, birthdays
and LinkedIn connection days, contacts re-imported with a new employer or title, favors, cadences and
snoozes. Then, each in its own process so peak memory is its own:
  - baseline: scoring, `closeknit.pipeline.scoring.compute` (features, model, tiers, explanations, save),
              as `closeknit score` runs it;
  - plan:     `closeknit.care.plan.weekly` on the scores just saved;
  - nudge:    `closeknit nudge --json --ics FILE` through the real command-line entry point, after
              the scoring (as a user runs it);
  - nudge --as-of: the same with `--as-of`, which scores again before planning.

    python bench/bench_nudge.py                            # 1,000,000 interactions, 20,000 people
    python bench/bench_nudge.py --small                    # 100,000 interactions, 2,000 people
    python bench/bench_nudge.py --sizes 200000 --people 5000
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from _phases import arguments, peak_mb, run_phase, run_requested_phase

PEOPLE = 20_000
BUDGET = 5
DAYS = 730  # the span of the generated history, ending today
GIVEN = ("Ana", "Ben", "Cai", "Dee", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea", "Mo", "Nia", "Oto",
         "Pia", "Quin", "Ria", "Sol", "Tao", "Uma", "Vic", "Wen", "Xia", "Yuri", "Zoe", "Ada", "Bo", "Cy", "Dov",
         "Ema", "Finn", "Gia", "Hugo", "Ines", "Jo", "Kim", "Lou", "Max", "Noor")
FAMILY = ("Ruiz", "Ode", "Lin", "Park", "Moss", "Vale", "Reyes", "Sato", "Berg", "Khan", "Novak", "Costa", "Adler",
          "Brandt", "Chen", "Dumas", "Eze", "Fink", "Gray", "Holm", "Ivanov", "Jensen", "Kato", "Lund", "Mora",
          "Nagy", "Olsen", "Pike", "Quist", "Rossi", "Stone", "Toth", "Ueda", "Voss", "Weiss", "Xu", "Yilmaz",
          "Zane", "Abe", "Bauer")
ORGS = tuple(f"{w} {s}" for w in ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Wonka", "Stark",
                                  "Wayne", "Tyrell") for s in ("Labs", "Group", "Partners", "Systems", "Health"))
TITLES = ("Engineer", "Senior Engineer", "Designer", "Product Manager", "Director", "Analyst", "Founder",
          "Consultant", "Researcher", "Head of Sales")
TOPICS = ("the offsite agenda", "quarterly numbers", "intro to a friend", "your talk", "coffee next week",
          "the contract draft", "hiring plans", "the launch", "a quick question", "board deck", "trip photos",
          "the reading list", "feedback on the draft", "moving house", "the conference")


def _name(i: int) -> tuple[str, str, str]:
    """A unique name for person i: given, middle initial, family."""
    given, rest = GIVEN[i % len(GIVEN)], i // len(GIVEN)
    return given, chr(ord("A") + rest // len(FAMILY) % 26), FAMILY[rest % len(FAMILY)]


def _contact(i: int, rng: random.Random, today: date, changed: bool = False) -> Any:
    from closeknit.records import ContactRecord

    given, middle, family = _name(i)
    org, title = ORGS[i % len(ORGS)], TITLES[i % len(TITLES)]
    emails = [f"{given}.{family}.{i}@{org.split()[0].lower()}.example".lower()]
    birthday = connected = ""
    if i % 7 == 0:  # one in seven has a birthday on file, a few without the year
        day = date(1960 + i % 40, 1, 1) + timedelta(days=(i * 37) % 365)
        birthday = day.isoformat() if i % 21 else f"--{day:%m-%d}"
    if i % 3 == 0:  # a LinkedIn connection day
        connected = (today - timedelta(days=400 + (i * 53) % 3000)).isoformat()
    if changed:  # re-imported after a move: a new employer (and address) or a new title
        if rng.random() < 0.6:
            org = ORGS[(i + 7) % len(ORGS)]
            emails.append(f"{given}.{family}.{i}@{org.split()[0].lower()}-new.example".lower())
        else:
            title = f"VP, {title}"
    return ContactRecord("csv", "export-2/contacts.csv" if changed else "export-1/contacts.csv", i + 2,
                         f"row {i}{' changed' if changed else ''}", name=f"{given} {middle}. {family}", given=given,
                         family=family, emails=emails, organization=org, title=title, birthday=birthday,
                         connected_on=connected)


def build(db: Path, n: int, people: int = PEOPLE, seed: int = 1) -> dict[str, int]:
    """N interactions between me and `people` people, skewed like a real network; returns what was made."""
    from closeknit.records import InteractionRecord
    from closeknit.store import Store, care, derive, favors
    from closeknit.store.writer import Writer

    rng = random.Random(seed)
    today = datetime.now(UTC).date()
    end = datetime.combine(today, datetime.min.time(), tzinfo=UTC) + timedelta(hours=18)
    start = end - timedelta(days=DAYS)
    made: Counter[str] = Counter()
    with Store(db) as store:
        derive.set_me(store, ["me@example.com"])
        w = Writer(store, batch_size=20_000)
        w.stamp = f"{today - timedelta(days=400)}T09:00:00+00:00"
        for i in range(people):
            w.add_contact(_contact(i, rng, today))
        w.flush()
        first = int(store.scalar("SELECT min(id) FROM people WHERE is_me = 0"))
        me = int(store.scalar("SELECT id FROM people WHERE is_me = 1"))
        # A second export a week ago: one in fifty has moved or been promoted (life events, news to congratulate).
        w = Writer(store, batch_size=20_000)
        w.stamp = f"{today - timedelta(days=7)}T09:00:00+00:00"
        for i in range(0, people, 50):
            w.add_contact(_contact(i, rng, today, changed=True))
            made["life events"] += 1
        w.flush()

        # Who each conversation is with: a heavy-tailed share (a few people get most of the mail) among
        # two in three contacts (the rest are only in the address book), and each person's active span:
        # a third of ties went quiet some time ago, a fifth began recently.
        cum = list(itertools.accumulate(1 / (k + 8) ** 1.15 for k in range(max(1, people * 2 // 3))))
        quiet = [rng.uniform(20, 700) if rng.random() < 0.33 else 0.0 for _ in range(people)]
        began = [rng.uniform(0, DAYS - 60) if rng.random() < 0.2 else 0.0 for _ in range(people)]
        k = 0

        def draw(top: int = len(cum)) -> int:
            """A person's rank, among the first `top`, drawn by their share of the mail."""
            return bisect.bisect_left(cum, rng.random() * cum[top - 1])

        def add(rec: InteractionRecord, roles: list[tuple[int, str]]) -> None:
            nonlocal k
            w.add_interaction(rec, known=roles)
            k += 1

        w = Writer(store, batch_size=20_000)
        while k < n:
            rank = draw()
            person = first + rank
            seconds = rng.uniform(began[rank], DAYS - quiet[rank]) * 86400
            when = start + timedelta(seconds=seconds)
            kind = rng.random()
            if kind < 0.72:  # a mail thread: started by either side, answered (or not) back and forth
                topic = f"{rng.choice(TOPICS)} #{k}"
                cc = first + draw() if rng.random() < 0.15 else None
                out = rng.random() < 0.5
                length = min(1 + int(rng.expovariate(0.7)), 12)
                previous, refs = "", list[str]()
                for m in range(length):
                    if when >= end or k >= n:
                        break
                    key = f"<m{k}@gen.example>"
                    roles = [(me, "from"), (person, "to")] if out else [(person, "from"), (me, "to")]
                    if cc is not None and cc != person:
                        roles.append((cc, "cc"))
                    add(InteractionRecord("mail", "email", "gen.mbox", k, "", key, when,
                                          subject=f"{'Re: ' if m else ''}{topic}", in_reply_to=previous,
                                          references=list(refs), size=len(roles) - 1,
                                          folder="Sent" if out else "INBOX"), roles)
                    made["mail threads" if not m else "replies"] += 1
                    previous, refs = key, [*refs, key]
                    out = not out if rng.random() < 0.8 else out  # mostly answered by the other side
                    when += timedelta(hours=rng.expovariate(1 / 20))
            elif kind < 0.82:  # a meeting: me and them, sometimes with others
                size = rng.choice((2, 2, 2, 3, 4, 6, 12))
                roles = [(me, "organizer"), (person, "attendee")] if rng.random() < 0.5 else [
                    (person, "organizer"), (me, "attendee")]
                roles += [(first + draw(), "attendee") for _ in range(size - 2)]
                add(InteractionRecord("ics", "meeting", "gen.ics", k, "", f"meet-{k}", when, subject="sync",
                                      size=size), roles)
                made["meetings"] += 1
            elif kind < 0.9:  # a call
                add(InteractionRecord("manual", "call", "gen", k, "", f"call-{k}", when, subject="call", size=1,
                                      direction="both"), [(person, "with")])
                made["calls"] += 1
            elif kind < 0.95:  # a LinkedIn message
                out = rng.random() < 0.5
                roles = [(me, "from"), (person, "to")] if out else [(person, "from"), (me, "to")]
                add(InteractionRecord("linkedin_messages", "linkedin", "messages.csv", k, "", f"li-{k}", when,
                                      subject="", size=1), roles)
                made["linkedin"] += 1
            else:  # list mail from them
                add(InteractionRecord("mail", "email", "gen.mbox", k, "", f"<list{k}@gen.example>", when,
                                      subject=f"Newsletter {k}", size=30, bulk="List-Id", folder="INBOX"),
                    [(person, "from"), (me, "to")])
                made["list mail"] += 1
        w.flush()
        derive.derive_directions(store)
        derive.derive_threads(store)

        # The user's own keeping: favors with close ties, cadences set or off, snoozes running or over.
        for j in range(300):
            pid = first + draw(min(len(cum), 2000))
            favors.record(store, pid, rng.choice(("gave", "got", "got")), rng.choice(favors.KINDS), f"favor {j}",
                          today - timedelta(days=rng.randrange(DAYS)))
            made["favors"] += 1
        for j in range(min(people, 150)):
            pid = first + rng.randrange(min(people, 3000))
            if j % 3 == 0:
                care.snooze(store, pid, (today + timedelta(days=rng.randrange(-30, 60))).isoformat())
                made["snoozes"] += 1
            else:
                care.set_cadence(store, pid, rng.choice((0, 7, 14, 30, 60, 90, None)))
                made["cadences"] += 1
    return dict(made)


def phase_score(db: Path) -> dict[str, Any]:
    from closeknit.pipeline import scoring
    from closeknit.store import Store

    before = peak_mb()
    with Store(db) as store:
        start, cpu = time.perf_counter(), time.process_time()
        summary = scoring.compute(store)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"seconds": seconds, "cpu": cpu, "people": summary["people"], "rows": summary["interaction_rows"],
            "tiers": summary["tiers"], "peak_mb": peak_mb(), "start_mb": before}


def phase_plan(db: Path) -> dict[str, Any]:
    from closeknit.care import plan
    from closeknit.store import Store
    from closeknit.store import scores as score_store

    before = peak_mb()
    with Store(db) as store:
        run = score_store.last_run(store)
        assert run is not None, "score first"
        today = date.fromisoformat(run["as_of"])
        start, cpu = time.perf_counter(), time.process_time()
        week = plan.weekly(store, today, BUDGET)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    reasons = Counter(r.kind for n in week for r in n.reasons)
    return {"seconds": seconds, "cpu": cpu, "plan": len(week), "reasons": dict(reasons), "peak_mb": peak_mb(),
            "start_mb": before}


def command_phase(rescore: bool = False) -> Callable[[Path, Path], dict[str, Any]]:
    """`closeknit nudge --json --ics FILE` through the entry point, its JSON written to `out`; with
    `rescore`, `--as-of` the scores' day (which scores again before planning)."""
    def phase(db: Path, out: Path) -> dict[str, Any]:
        from closeknit.cli.main import run
        from closeknit.store import Store
        from closeknit.store import scores as score_store

        with Store(db) as store:
            last = score_store.last_run(store)
        as_of = ["--as-of", last["as_of"]] if last and rescore else []
        before = peak_mb()
        start, cpu = time.perf_counter(), time.process_time()
        sys.argv = ["closeknit", "--db", str(db), "nudge", "--json", "--budget", str(BUDGET),
                    "--ics", str(out.with_suffix(".ics")), *as_of]
        with out.open("w", encoding="utf-8") as f:
            sys.stdout = f
            try:
                run()
            except SystemExit as stop:
                if stop.code:
                    raise
            finally:
                sys.stdout = sys.__stdout__
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        got = json.loads(out.read_text(encoding="utf-8"))
        return {"seconds": seconds, "cpu": cpu, "plan": len(got["plan"]), "as_of": got["as_of"], "peak_mb": peak_mb(),
                "start_mb": before}
    return phase


def _line(label: str, r: dict[str, Any], base: dict[str, Any] | None = None) -> str:
    """Wall time (CPU time), peak memory (and that before the measured call), the ratio to the baseline."""
    ratio = (f"  {r['seconds'] / base['seconds']:5.2f}x scoring ({r['cpu'] / base['cpu']:.2f}x in CPU time)"
             if base else "")
    return (f"{label:39} {r['seconds']:6.2f} s (cpu {r['cpu']:6.2f} s)  peak {r['peak_mb']:5.0f} MB"
            f" (before the call {r['start_mb']:3.0f} MB){ratio}")


def main() -> None:
    ap: argparse.ArgumentParser = arguments(__doc__, "1000000", "comma-separated interaction counts")
    ap.add_argument("--people", type=int, default=PEOPLE, help=f"people in the network (default {PEOPLE:,})")
    ap.add_argument("--small", action="store_true", help="a quick run: 100,000 interactions over 2,000 people")
    opts = ap.parse_args()
    phases: dict[str, Callable[..., dict[str, Any]]] = {
        "score": phase_score, "plan": phase_plan, "nudge": command_phase(), "nudge_as_of": command_phase(rescore=True),
    }
    if run_requested_phase(opts, phases):
        return
    sizes = [100_000] if opts.small else [int(s) for s in opts.sizes.split(",")]
    people = 2_000 if opts.small else opts.people
    with tempfile.TemporaryDirectory(prefix="closeknit-bench-") as tmp:
        for size in sizes:
            db, out = Path(tmp, f"nudge-{size}.db"), Path(tmp, "nudge.json")
            t0 = time.perf_counter()
            made = build(db, size, people)
            print(f"\n== {size:,} interactions over {people:,} people "
                  f"(database built in {time.perf_counter() - t0:.0f} s)")
            print("   " + ", ".join(f"{v:,} {k}" for k, v in made.items()))
            score: dict[str, Any] = run_phase(__file__, "score", str(db))
            week: dict[str, Any] = run_phase(__file__, "plan", str(db))
            cli: dict[str, Any] = run_phase(__file__, "nudge", str(db), str(out))
            cli_as_of: dict[str, Any] = run_phase(__file__, "nudge_as_of", str(db), str(out))
            print("   tiers: " + ", ".join(f"{v:,} {k}" for k, v in score["tiers"].items()))
            print(_line("baseline: scoring (compute, save)", score))
            print(_line("plan.weekly", week, score) + f"  ({week['plan']} people: "
                  + ", ".join(f"{v} {k}" for k, v in sorted(week["reasons"].items())) + ")")
            print(_line("nudge --json --ics", cli, score))
            print(_line("nudge --json --ics --as-of (rescores)", cli_as_of, score))
            print(f"ratio nudge / scoring: {cli['seconds'] / score['seconds']:.2f}x, plan.weekly / scoring:"
                  f" {week['seconds'] / score['seconds']:.2f}x (aim: at most 0.3x)")


if __name__ == "__main__":
    main()
