"""Hostile-input benchmark: the peak memory of importing bombs, against a normal file of the same size.

Builds, in a temporary folder, a normal LinkedIn export zip of about 1 MB (the baseline) and the
worst inputs found so far:
  - zip bombs of about the same compressed size: a Connections.csv of blank lines, of lines of
    commas, of one endless line of commas (each about 1 GB unpacked);
  - zips just under the reader's 64 MB limit once unpacked: 60 MB of blank lines, of lines of
    1,000 commas, of one line, of short lines after one wide character; a plain 60 MB CSV too;
  - one mail message with a 20 MB Cc line; a vCard with 200,000 properties, one with a 20 MB note,
    one with 100,000 nested BEGIN:VCARD lines.
Each is imported with `run_import` into a fresh database in a process of its own; its peak memory
(VmHWM, and that of its parser process) is compared with the baseline's. Aim: under 300 MB each.

    PYTHONPATH=src python bench/bench_hostile.py          # every input
    python bench/bench_hostile.py --sizes blank-zip,cc
"""

from __future__ import annotations

import random
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from _phases import arguments, parser_peak_mb, peak_mb, run_phase, run_requested_phase

HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
BOMB = 1 << 30  # unpacked bytes of a zip bomb
NEAR = 60 << 20  # bytes of a file just under the reader's 64 MB limit
AIM_MB = 300


def _zip(path: Path, chunks: Iterator[bytes]) -> Path:
    with (zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
          archive.open("Connections.csv", "w", force_zip64=True) as member):
        for chunk in chunks:
            member.write(chunk)
    return path


def _repeat(head: str, unit: bytes, total: int) -> Iterator[bytes]:
    yield head.encode()
    block = unit * max(1, (1 << 20) // len(unit))
    for _ in range(total // len(block)):
        yield block


def _normal_rows(n: int, seed: int = 1) -> Iterator[bytes]:
    rnd = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"

    def word(k: int) -> str:
        return "".join(rnd.choice(letters) for _ in range(k)).capitalize()

    yield HEADER.encode()
    for i in range(n):
        first, last = word(rnd.randint(3, 9)), word(rnd.randint(4, 11))
        yield (f"{first},{last},https://www.linkedin.com/in/{first.lower()}-{last.lower()}-{i},"
               f"{first.lower()}.{last.lower()}@{word(6).lower()}.com,{word(8)} Inc,{word(7)} {word(9)},"
               f"{rnd.randint(1, 28)} Mar {rnd.randint(2005, 2025)}\r\n").encode()


def _write(path: Path, chunks: Iterator[bytes]) -> Path:
    with path.open("wb") as f:
        for chunk in chunks:
            f.write(chunk)
    return path


def _mbox(path: Path) -> Path:
    cc = ", ".join(f"Person {i} <p{i}@example.org>" for i in range(700_000))[: 20 << 20]
    body = (f"From sender@example.org Mon Jan  1 00:00:00 2024\nFrom: sender@example.org\nTo: me@example.org\n"
            f"Cc: {cc}\nSubject: hello\nMessage-ID: <huge-cc@example.org>\nDate: Mon, 1 Jan 2024 10:00:00 +0000\n"
            f"\nhello\n")
    path.write_text(body, encoding="utf-8")
    return path


def _vcard(path: Path, kind: str) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        if kind == "props":
            f.write("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Many Props\r\n")
            f.writelines(f"EMAIL:p{i}@example.org\r\n" for i in range(200_000))
            f.write("END:VCARD\r\n")
        elif kind == "note":
            f.write("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Long Note\r\nNOTE:" + "x" * (20 << 20) + "\r\nEND:VCARD\r\n")
        else:
            f.write("BEGIN:VCARD\r\nVERSION:3.0\r\n" * 100_000 + "FN:Deep\r\n" + "END:VCARD\r\n" * 100_000)
    return path


def inputs(folder: Path) -> dict[str, Callable[[], Path]]:
    """name -> a function building that input in `folder`."""
    return {
        "baseline": lambda: _zip(folder / "normal.zip", _normal_rows(25_000)),
        "blank-zip": lambda: _zip(folder / "blank.zip", _repeat(HEADER, b"\r\n", BOMB)),
        "comma-zip": lambda: _zip(folder / "comma.zip", _repeat(HEADER, b"," * 4095 + b"\n", BOMB)),
        "endless-line-zip": lambda: _zip(folder / "endless.zip", _repeat(HEADER, b",", BOMB)),
        "blank-60mb-zip": lambda: _zip(folder / "blank60.zip", _repeat(HEADER, b"\r\n", NEAR)),
        "comma-60mb-zip": lambda: _zip(folder / "comma60.zip", _repeat(HEADER, b"," * 999 + b"\n", NEAR)),
        "line-60mb-zip": lambda: _zip(folder / "line60.zip", _repeat(HEADER, b",", NEAR)),
        "wide-60mb-zip": lambda: _zip(folder / "wide60.zip",
                                      _repeat(HEADER + "\U0001f600\r\n", b"a" * 97 + b",b\r\n", NEAR)),
        "blank-60mb-csv": lambda: _write(folder / "blank.csv", _repeat(HEADER, b"\r\n", NEAR)),
        "cc": lambda: _mbox(folder / "cc.mbox"),
        "vcard-props": lambda: _vcard(folder / "props.vcf", "props"),
        "vcard-note": lambda: _vcard(folder / "note.vcf", "note"),
        "vcard-deep": lambda: _vcard(folder / "deep.vcf", "deep"),
    }


def phase_import(path: Path, db: Path) -> dict[str, object]:
    from closeknit.errors import InputError
    from closeknit.pipeline.importer import run_import
    from closeknit.store import Store

    start = time.perf_counter()
    with Store(db) as store:
        try:
            result = run_import(store, path)
            outcome = f"{result.people:,} people, {result.skipped:,} set aside"
            if result.errors:
                outcome += f" (first: {result.errors[0]['reason']})"
        except InputError as exc:
            outcome = f"refused: {exc}"
    return {"seconds": time.perf_counter() - start, "peak_mb": peak_mb(), "parser_peak_mb": parser_peak_mb(),
            "outcome": outcome[:150]}


def main() -> None:
    opts = arguments(__doc__, "all", "comma-separated input names (all: every one)").parse_args()
    if run_requested_phase(opts, {"import": phase_import}):
        return
    with tempfile.TemporaryDirectory(prefix="closeknit-hostile-") as tmp:
        folder = Path(tmp)
        builders = inputs(folder)
        wanted = list(builders) if opts.sizes == "all" else ["baseline", *opts.sizes.split(",")]
        base_mb = 0.0
        print(f"{'input':18} {'file MB':>8} {'peak MB':>8} {'x base':>7} {'seconds':>8}  outcome")
        for name in dict.fromkeys(wanted):
            path = builders[name]()
            size = path.stat().st_size / (1 << 20)
            res = run_phase(__file__, "import", str(path), str(folder / f"{name}.db"))
            peak = max(float(res["peak_mb"]), float(res["parser_peak_mb"]))
            base_mb = base_mb or peak
            flag = "" if peak < AIM_MB else f"  ABOVE {AIM_MB} MB"
            print(f"{name:18} {size:8.1f} {peak:8.0f} {peak / base_mb:7.2f} {res['seconds']:8.1f}  "
                  f"{res['outcome']}{flag}")
            path.unlink()


if __name__ == "__main__":
    main()
