"""Contacts import benchmark: full import (resolve + store) vs. parsing alone with the same parsers.

Generates a LinkedIn Connections.csv, a vCard file and a Google CSV describing N overlapping
contacts, then, each in its own process (so peak memory is its own):
  - baseline: the same parsers merely iterating the files (parse only);
  - import:   `run_import` of the folder holding them into a fresh SQLite database, as
              `closeknit import FOLDER` does (detection, parsing, identity resolution, storing,
              the review pass).

    python bench/bench_contacts_import.py                    # 20,000 and 100,000 contacts
    python bench/bench_contacts_import.py --sizes 5000
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from _phases import arguments, parser_peak_mb, peak_mb, run_phase, run_requested_phase

FILES = {"Connections.csv": "linkedin", "contacts.vcf": "vcard", "google_contacts.csv": "csv"}


def files_in(folder: Path) -> list[tuple[str, Path]]:
    return [(FILES[p.name], p) for p in sorted(folder.rglob("*")) if p.name in FILES and p.is_file()]


def phase_parse(folder: Path) -> dict[str, float]:
    from closeknit import sources

    start = time.perf_counter()
    n = 0
    for kind, path in files_in(folder):
        for _ in sources.get(kind).parse(path):
            n += 1
    return {"seconds": time.perf_counter() - start, "records": n, "peak_mb": peak_mb()}


def phase_import(folder: Path, db: Path) -> dict[str, float]:
    from closeknit.pipeline.importer import run_import
    from closeknit.store import Store

    start = time.perf_counter()
    with Store(db) as store:
        result = run_import(store, folder)
        people = int(store.scalar("SELECT count(*) FROM people"))
    return {"seconds": time.perf_counter() - start, "people": people, "records": result.added + result.updated,
            "peak_mb": peak_mb(), "parser_peak_mb": parser_peak_mb()}

def main() -> None:
    opts = arguments(__doc__, "20000,100000", "comma-separated contact counts").parse_args()
    if run_requested_phase(opts, {"parse": phase_parse, "import": phase_import}):
        return

    from closeknit.demo.files import write_contacts

    imports: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="closeknit-bench-") as tmp:
        for size in (int(s) for s in opts.sizes.split(",")):
            folder = Path(tmp, f"contacts-{size}")
            t0 = time.perf_counter()
            write_contacts(folder, size, seed=3)
            records = sum(1 for _ in files_in(folder))
            print(f"\n== {size:,} contacts in {records} files (generated in {time.perf_counter() - t0:.1f} s)")
            parse = run_phase(__file__, "parse", str(folder))
            imp = run_phase(__file__, "import", str(folder), str(Path(tmp, f"bench-{size}.db")))
            imports[size] = imp["seconds"]
            print(f"baseline parse only:  {parse['seconds']:7.2f} s  peak {parse['peak_mb']:6.0f} MB  "
                  f"({parse['records']:,} records)")
            print(f"full import:          {imp['seconds']:7.2f} s  peak {imp['peak_mb']:6.0f} MB  "
                  f"({imp['people']:,} people after identity resolution)")
            print(f"  its parser process: {'':9} peak {imp['parser_peak_mb']:6.0f} MB  "
                  "(pages shared with the import counted too)")
            print(f"ratio import / parse: {imp['seconds'] / parse['seconds']:.2f}x (aim: at most 2x)")
        sizes = sorted(imports)
        if len(sizes) >= 2:
            small, large = sizes[0], sizes[-1]
            print(f"\ngrowth: {large:,} vs {small:,} contacts took {imports[large] / imports[small]:.2f}x "
                  f"the time for {large / small:.0f}x the contacts (aim: at most 6x for 5x)")


if __name__ == "__main__":
    main()
