"""Mail import benchmark: end-to-end import vs. Python's mailbox.mbox reading the same headers.

Each phase runs in its own process so its peak memory (VmHWM) is its own. Two cases: generated mail
(11 KB messages, on which the standard library is slow), and real mail — the Enron mailboxes of
../shared/data/enron/mbox_xz decompressed into one mbox of (at most) 100,000 messages, skipped with a
reason when that folder is absent.

    python bench/bench_mail_import.py                       # 100,000 generated messages, then real mail
    python bench/bench_mail_import.py --sizes 100000,1000000
    python bench/bench_mail_import.py --real-only
"""

from __future__ import annotations

import lzma
import mailbox
import tempfile
import time
from pathlib import Path

from _phases import arguments, parser_peak_mb, peak_mb, run_phase, run_requested_phase

HEADERS = ("From", "Sender", "To", "Cc", "Bcc", "Date", "Message-ID", "In-Reply-To", "References", "Subject",
           "List-Id", "List-Unsubscribe", "Precedence", "Auto-Submitted", "X-From", "X-To")
ME = "me@example.com"
ENRON = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "enron" / "mbox_xz"
REAL_MESSAGES = 100_000


def phase_baseline(mbox: Path) -> dict[str, float]:
    """The baseline: mailbox.mbox iterating the file and reading the same headers."""
    start = time.perf_counter()
    n = 0
    for msg in mailbox.mbox(str(mbox), create=False):
        for h in HEADERS:
            msg[h]
        n += 1
    return {"seconds": time.perf_counter() - start, "messages": n, "peak_mb": peak_mb()}


def phase_parse(mbox: Path) -> dict[str, float]:
    """Closeknit's parser alone (no identity resolution, no store)."""
    from closeknit.sources import mail

    start = time.perf_counter()
    n = sum(1 for _ in mail.parse(mbox))
    return {"seconds": time.perf_counter() - start, "messages": n, "peak_mb": peak_mb()}


def phase_import(mbox: Path, db: Path) -> dict[str, float]:
    """End to end: parse, resolve identities, store, derive directions and threads."""
    from closeknit.pipeline.importer import run_import
    from closeknit.store import Store

    start = time.perf_counter()
    with Store(db) as store:
        result = run_import(store, mbox, kind="mail", me=[ME])
    return {"seconds": time.perf_counter() - start, "messages": result.messages,
            "interactions": result.interactions, "peak_mb": peak_mb(), "parser_peak_mb": parser_peak_mb()}

def real_mbox(target: Path, limit: int = REAL_MESSAGES) -> int:
    """Concatenate the real Enron mbox files (sorted by path) into `target`, up to `limit` messages."""
    n = 0
    with target.open("wb") as out:
        for path in sorted(ENRON.glob("*/*.mbox.xz")):
            with lzma.open(path) as src:
                for line in src:
                    if line.startswith(b"From "):
                        if n == limit:
                            return n
                        n += 1
                    out.write(line)
            out.write(b"\n")
    return n


def compare(mbox: Path, db: Path, aim: str) -> None:
    """Import, parse and the mailbox.mbox baseline on one file, each in its own process; print the ratios."""
    imp = run_phase(__file__, "import", str(mbox), str(db))
    parse = run_phase(__file__, "parse", str(mbox))
    base = run_phase(__file__, "baseline", str(mbox))
    print(f"closeknit import (end to end): {imp['seconds']:8.2f} s  peak {imp['peak_mb']:7.0f} MB  "
          f"{imp['messages'] / imp['seconds']:,.0f} msg/s")
    print(f"  its parser process:          {'':8}    peak {imp['parser_peak_mb']:7.0f} MB  "
          "(pages shared with the import counted too)")
    print(f"closeknit parse only:          {parse['seconds']:8.2f} s  peak {parse['peak_mb']:7.0f} MB")
    print(f"baseline mailbox.mbox headers: {base['seconds']:8.2f} s  peak {base['peak_mb']:7.0f} MB")
    print(f"ratio baseline / import: {base['seconds'] / imp['seconds']:.2f}x faster ({aim}); "
          f"import / parse: {imp['seconds'] / parse['seconds']:.2f}x")


def main() -> None:
    ap = arguments(__doc__, "100000", "comma-separated message counts")
    ap.add_argument("--people", type=int, default=5000)
    ap.add_argument("--skip-baseline-over", type=int, default=10**9,
                    help="skip the (slow) mailbox.mbox baseline for sizes above this")
    ap.add_argument("--real-only", action="store_true", help="only the real-mail case")
    opts = ap.parse_args()
    if run_requested_phase(opts, {"baseline": phase_baseline, "parse": phase_parse, "import": phase_import}):
        return

    from closeknit.demo.mailgen import write_mbox

    with tempfile.TemporaryDirectory(prefix="closeknit-bench-") as tmp:
        if not ENRON.is_dir():
            print(f"\n== real mail skipped: {ENRON} is absent (clone ../shared beside the project)")
        else:
            mbox = Path(tmp, "enron.mbox")
            n = real_mbox(mbox)
            print(f"\n== real mail: {n:,} Enron messages, {mbox.stat().st_size / 2**20:,.0f} MiB mbox")
            compare(mbox, Path(tmp, "bench-real.db"), "aim: at least 1.5x")
            mbox.unlink()
        for size in () if opts.real_only else (int(s) for s in opts.sizes.split(",")):
            mbox = Path(tmp, f"gen-{size}.mbox")
            t0 = time.perf_counter()
            write_mbox(mbox, size, opts.people, me=ME, seed=1)
            print(f"\n== {size:,} messages, {mbox.stat().st_size / 2**20:,.0f} MiB mbox "
                  f"(generated in {time.perf_counter() - t0:.1f} s)")
            imp = run_phase(__file__, "import", str(mbox), str(Path(tmp, f"bench-{size}.db")))
            parse = run_phase(__file__, "parse", str(mbox))
            print(f"closeknit import (end to end): {imp['seconds']:8.2f} s  peak {imp['peak_mb']:7.0f} MB  "
                  f"{imp['messages'] / imp['seconds']:,.0f} msg/s")
            print(f"  its parser process:          {'':8}    peak {imp['parser_peak_mb']:7.0f} MB  "
                  "(pages shared with the import counted too)")
            print(f"closeknit parse only:          {parse['seconds']:8.2f} s  peak {parse['peak_mb']:7.0f} MB")
            if size <= opts.skip_baseline_over:
                base = run_phase(__file__, "baseline", str(mbox))
                print(f"baseline mailbox.mbox headers: {base['seconds']:8.2f} s  peak {base['peak_mb']:7.0f} MB")
                print(f"ratio baseline / import: {base['seconds'] / imp['seconds']:.1f}x faster "
                      f"(aim: at least 5x)")
            print(f"import peak memory: {imp['peak_mb']:.0f} MB, its parser process {imp['parser_peak_mb']:.0f} MB "
                  "(aim at 1,000,000 messages: under 500 MB)")


if __name__ == "__main__":
    main()
