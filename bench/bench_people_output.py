"""Listing and export benchmark: `people` and `export` over everyone vs. a plain SQL dump of the same rows.

Imports N generated contacts (as bench_contacts_import does), then, each in its own process (so peak
memory is its own), writing to a file:
  - baseline: plain sqlite3 reading every person with their identifiers and source names, one JSON
              line each (no Closeknit code: the least any listing of everyone costs);
  - the commands `people --json`, `people` (piped: tab-separated), `export --format json|csv|vcard`,
    run through the real command-line entry point.

    python bench/bench_people_output.py                    # 100,000 contacts
    python bench/bench_people_output.py --sizes 20000
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from _phases import arguments, peak_mb, run_phase, run_requested_phase

COMMANDS = {
    "people_json": ["people", "--json"],
    "people_tsv": ["people"],
    "export_json": ["export", "--format", "json"],
    "export_csv": ["export", "--format", "csv"],
    "export_vcard": ["export", "--format", "vcard"],
}


def phase_baseline(db: Path, out: Path) -> dict[str, float]:
    start = time.perf_counter()
    con = sqlite3.connect(db)
    idents: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for pid, kind, value in con.execute("SELECT person_id, kind, value FROM identifiers"):
        idents[pid].append((kind, value))
    sources: dict[int, set[str]] = defaultdict(set)
    for pid, source in con.execute("SELECT person_id, source FROM source_records"):
        sources[pid].add(source)
    n = 0
    with out.open("w", encoding="utf-8") as f:
        for pid, name, org, title in con.execute("SELECT id, name, organization, title FROM people ORDER BY id"):
            f.write(json.dumps({"id": pid, "name": name, "organization": org, "title": title,
                                "identifiers": idents[pid], "sources": sorted(sources[pid])}) + "\n")
            n += 1
    con.close()
    return {"seconds": time.perf_counter() - start, "people": n, "bytes": out.stat().st_size, "peak_mb": peak_mb()}


def command_phase(args: list[str]) -> Callable[[Path, Path], dict[str, float]]:
    def phase(db: Path, out: Path) -> dict[str, float]:
        from closeknit.cli.main import run

        start = time.perf_counter()
        sys.argv = ["closeknit", "--db", str(db), *args]
        with out.open("w", encoding="utf-8") as f:
            sys.stdout = f
            try:
                run()
            except SystemExit as stop:
                if stop.code:
                    raise
            finally:
                sys.stdout = sys.__stdout__
        return {"seconds": time.perf_counter() - start, "bytes": out.stat().st_size, "peak_mb": peak_mb()}
    return phase


def main() -> None:
    opts = arguments(__doc__, "100000", "comma-separated contact counts").parse_args()
    phases = {"baseline": phase_baseline, **{name: command_phase(args) for name, args in COMMANDS.items()}}
    if run_requested_phase(opts, phases):
        return

    from closeknit.demo.files import write_contacts
    from closeknit.pipeline.importer import run_import
    from closeknit.store import Store

    with tempfile.TemporaryDirectory(prefix="closeknit-bench-") as tmp:
        for size in (int(s) for s in opts.sizes.split(",")):
            folder, db, out = Path(tmp, f"contacts-{size}"), Path(tmp, f"bench-{size}.db"), Path(tmp, "out")
            write_contacts(folder, size, seed=3)
            with Store(db) as store:
                run_import(store, folder)
            base = run_phase(__file__, "baseline", str(db), str(out))
            print(f"\n== {size:,} contacts: {base['people']:,} people")
            print(f"{'baseline SQL dump':22} {base['seconds']:7.2f} s  peak {base['peak_mb']:6.0f} MB  "
                  f"{base['bytes'] / 1e6:6.1f} MB written")
            for name, args in COMMANDS.items():
                r = run_phase(__file__, name, str(db), str(out))
                print(f"{' '.join(args):22} {r['seconds']:7.2f} s  peak {r['peak_mb']:6.0f} MB  "
                      f"{r['bytes'] / 1e6:6.1f} MB written  {r['seconds'] / base['seconds']:5.1f}x baseline")


if __name__ == "__main__":
    main()
