"""Web app load test: concurrent clients on the people list, a person page and the dashboard vs. a static file.

Builds (or reuses, cached under bench/out/) the store bench_nudge.py builds: N generated interactions over
P people, scored. Starts `closeknit serve` on 127.0.0.1 in a subprocess (the real command, its own token),
logs in once for the session cookie, then for the given seconds keeps C clients busy (threads, each with its
own keep-alive connection), each request one of:
  - /people?page=K      a random page of the people list,
  - /people/PID         a random person's page,
  - /                   the dashboard.
Then the baseline, the same load on the same server against a static file (/static/app.css): the framework's
floor. Prints throughput, p50/p95/p99 latency per route and overall, errors, and the server's peak RSS
(VmHWM), with the ratios to the baseline. Aim: no errors and p95 under 150 ms.

    python3 bench/bench_web.py                                      # 20,000 people, 1,000,000 interactions
    python3 bench/bench_web.py --people 300 --interactions 5000 --seconds 3    # a smoke run
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench_nudge import build

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
SRC = HERE.parent / "src"
STATIC = "/static/app.css"
AIM_P95_MS = 150.0


def database(people: int, interactions: int, fresh: bool = False) -> Path:
    """The scored benchmark store for this size, built once and kept under bench/out/."""
    from closeknit.pipeline import scoring
    from closeknit.store import Store

    OUT.mkdir(parents=True, exist_ok=True)
    final = OUT / f"web-{people}-{interactions}.db"
    if final.exists() and not fresh:
        print(f"reusing {final}")
        return final
    partial = final.with_name(final.stem + ".partial.db")
    for stale in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm"), Path(f"{final}.web")):
        if stale.is_file():
            stale.unlink()
    t0 = time.perf_counter()
    made = build(partial, interactions, people)
    t1 = time.perf_counter()
    with Store(partial) as store:
        scored = scoring.compute(store)
    print(f"built {final.name} in {t1 - t0:.0f} s, scored in {time.perf_counter() - t1:.0f} s: "
          + ", ".join(f"{v:,} {k}" for k, v in made.items()) + f"; {scored['people']:,} people scored")
    os.replace(partial, final)  # the store is closed: its write-ahead log is checkpointed and gone
    Path(f"{partial}.lock").unlink(missing_ok=True)
    return final


def person_ids(db: Path) -> list[int]:
    from closeknit.store import Store
    from closeknit.store.people import person_ids as ids

    with Store(db) as store:
        return ids(store)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[str]
    port: int
    token: str

    def peak_rss_mb(self) -> float:
        """The server process's peak resident memory (VmHWM), in MB."""
        with open(f"/proc/{self.process.pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return float("nan")


@contextmanager
def serve(db: Path) -> Iterator[Server]:
    """`closeknit --db DB serve` on a free loopback port, in its own process, stopped at the end."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))}
    process = subprocess.Popen([sys.executable, "-m", "closeknit", "--db", str(db), "serve", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        assert process.stdout is not None
        token = ""
        for line in process.stdout:
            found = re.search(r"/login\?token=(\S+)", line)
            if found:
                token = found.group(1)
                break
        if not token:
            raise RuntimeError(f"closeknit serve printed no login link (exit status {process.poll()})")
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("closeknit serve did not start listening") from None
                time.sleep(0.05)
        yield Server(process, port, token)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def login(port: int, token: str) -> str:
    """The session cookie the login link sets."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", f"/login?token={token}")
    r = conn.getresponse()
    r.read()
    conn.close()
    cookie = r.getheader("set-cookie") or ""
    if r.status != 303 or not cookie:
        raise RuntimeError(f"logging in failed: {r.status}")
    return cookie.split(";", 1)[0]


@dataclass
class Tally:
    """Latencies (seconds) per route and the errors seen."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    first_error: str = ""
    seconds: float = 0.0

    def merge(self, other: Tally) -> None:
        for route, values in other.latencies.items():
            self.latencies[route] += values
        for route, n in other.errors.items():
            self.errors[route] += n
        self.first_error = self.first_error or other.first_error

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values()) + sum(self.errors.values())


Pick = Callable[[random.Random], tuple[str, str]]


def load(port: int, cookie: str, pick: Pick, seconds: float, clients: int) -> Tally:
    """`clients` threads, each with one keep-alive connection, sending `pick`ed requests for `seconds`."""
    tallies = [Tally() for _ in range(clients)]
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(n: int) -> None:
        tally, rng = tallies[n], random.Random(n)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Cookie": cookie, "Connection": "keep-alive"}
        start.wait()
        while time.perf_counter() < stop_at[0]:
            route, path = pick(rng)
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                r = conn.getresponse()
                r.read()
                ok, why = r.status == 200, f"{r.status} on {path}"
            except (OSError, http.client.HTTPException) as exc:
                ok, why = False, f"{type(exc).__name__} on {path}"
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            if ok:
                tally.latencies[route].append(time.perf_counter() - t0)
            else:
                tally.errors[route] += 1
                tally.first_error = tally.first_error or why
        conn.close()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for t in threads:
        t.start()
    t0 = time.perf_counter()
    stop_at[0] = t0 + seconds
    start.wait()
    for t in threads:
        t.join()
    total = Tally(seconds=time.perf_counter() - t0)
    for tally in tallies:
        total.merge(tally)
    return total


def fetch(port: int, cookie: str, path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers={"Cookie": cookie})
    r = conn.getresponse()
    body = r.read().decode("utf-8", "replace")
    conn.close()
    return r.status, body


def last_people_page(body: str) -> int:
    """The highest page number the people list links to (1 when it links to none)."""
    return max([1, *(int(n) for n in re.findall(r"[?&;]page=(\d+)", body))])


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def report(label: str, tally: Tally, base: Tally | None = None) -> None:
    everything = [x for v in tally.latencies.values() for x in v]
    base_all = [x for v in base.latencies.values() for x in v] if base else []
    rate = tally.requests / tally.seconds
    print(f"\n{label}: {tally.requests:,} requests in {tally.seconds:.1f} s = {rate:,.0f} req/s, "
          f"{sum(tally.errors.values())} errors" + (f" (first: {tally.first_error})" if tally.first_error else ""))
    if base:
        print(f"   throughput {rate / (base.requests / base.seconds):.2f}x the static file's")
    print(f"   {'route':22} {'requests':>9} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
          + ("   p50/p95/p99 vs. static" if base else ""))
    rows = [*sorted(tally.latencies.items()), ("overall", everything)]
    for route, values in rows:
        errors = sum(tally.errors.values()) if route == "overall" else tally.errors.get(route, 0)
        ps = [quantile(values, q) for q in (0.5, 0.95, 0.99)]
        ratios = ("   " + " / ".join(f"{p / quantile(base_all, q):.1f}x" for p, q in zip(ps, (0.5, 0.95, 0.99),
                                                                                          strict=True))
                  if base_all else "")
        print(f"   {route:22} {len(values):9,} {errors:6} {ps[0]:8.1f} {ps[1]:8.1f} {ps[2]:8.1f}{ratios}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=20_000, help="people in the generated network (20,000)")
    ap.add_argument("--interactions", type=int, default=1_000_000, help="generated interactions (1,000,000)")
    ap.add_argument("--seconds", type=float, default=30.0, help="seconds of load per phase (30)")
    ap.add_argument("--clients", type=int, default=20, help="concurrent clients (20)")
    ap.add_argument("--fresh", action="store_true", help="build the database again even if cached")
    opts = ap.parse_args()

    db = database(opts.people, opts.interactions, opts.fresh)
    pids = person_ids(db)
    with serve(db) as server:
        cookie = login(server.port, server.token)
        _, body = fetch(server.port, cookie, "/people")
        pages = last_people_page(body)
        routes: list[Callable[[random.Random], tuple[str, str]]] = [
            lambda rng: ("/people?page=K", f"/people?page={rng.randint(1, pages)}"),
            lambda rng: ("/people/PID", f"/people/{rng.choice(pids)}"),
            lambda rng: ("/ (dashboard)", "/"),
        ]
        for route in list(routes):
            label, path = route(random.Random(0))
            if fetch(server.port, cookie, path)[0] == 404:
                print(f"left out: {label} answers 404 (not built yet)")
                routes.remove(route)
        print(f"\nserving {db.name}: {len(pids):,} people, {pages:,} pages of the people list; "
              f"{opts.clients} clients, {opts.seconds:.0f} s per phase")

        def mixed(rng: random.Random) -> tuple[str, str]:
            return rng.choice(routes)(rng)

        def static(rng: random.Random) -> tuple[str, str]:
            return STATIC, STATIC

        warm = load(server.port, cookie, mixed, min(2.0, opts.seconds / 3), 2)  # caches and the store pool
        if warm.first_error:
            print(f"   warming up: {warm.first_error}")
        pages_run = load(server.port, cookie, mixed, opts.seconds, opts.clients)
        baseline = load(server.port, cookie, static, opts.seconds, opts.clients)
        peak = server.peak_rss_mb()
    report(f"baseline: {STATIC} (the framework's floor)", baseline)
    report("pages: people list, person, dashboard", pages_run, baseline)
    p95 = quantile([x for v in pages_run.latencies.values() for x in v], 0.95)
    errors = sum(pages_run.errors.values()) + sum(baseline.errors.values())
    print(f"\nserver peak RSS {peak:,.0f} MB; aim: 0 errors (got {errors}) and p95 under {AIM_P95_MS:.0f} ms "
          f"(got {p95:.1f} ms): {'met' if not errors and p95 < AIM_P95_MS else 'NOT met'}")


if __name__ == "__main__":
    main()
