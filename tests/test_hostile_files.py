"""Hostile files: zip bombs, odd folders, a stray NUL, a huge Cc line, formula-like cells."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from closeknit.pipeline.detect import detect
from closeknit.pipeline.importer import run_import
from closeknit.sources import csvutil, linkedin, mail
from closeknit.store import Store

pytestmark = pytest.mark.faults

HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
ROW = "Ann,Archer,https://www.linkedin.com/in/ann-archer,ann@example.org,Acme,CEO,1 Jan 2020\r\n"
COMMAND = [sys.executable, "-c", "from closeknit.cli.main import run; run()"]


def _zip(path: Path, text: str | bytes, repeat: int = 1) -> Path:
    """A LinkedIn export zip whose Connections.csv is `text` written `repeat` times (streamed)."""
    data = text.encode() if isinstance(text, str) else text
    with (zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
          archive.open("Connections.csv", "w", force_zip64=True) as member):
        member.write(HEADER.encode() + ROW.encode())
        for _ in range(repeat):
            member.write(data)
    return path


def _import(tmp_path: Path, target: Path) -> tuple[int, list[str]]:
    with Store(tmp_path / "c.db") as db:
        result = run_import(db, target)
        people = int(db.scalar("SELECT count(*) FROM people"))
    return people, [e["reason"] for e in result.errors]


# ---------------------------------------------------------------- item: zip bombs and limits


def test_zip_member_bigger_than_the_limit_is_refused_after_reading_only_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csvutil, "MAX_BYTES", 1 << 20)
    bomb = _zip(tmp_path / "bomb.zip", "\r\n" * (1 << 16), repeat=64)  # 8 MB of blank lines, 20 KB zipped
    assert bomb.stat().st_size < 100_000
    items = list(linkedin.parse(bomb))
    assert len(items) == 1 and "larger than 1 MB" in items[0].reason  # type: ignore[union-attr]


def test_declared_size_is_not_trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bytes really read are counted, whatever the zip says: a stream longer than the limit is refused."""
    monkeypatch.setattr(csvutil, "MAX_BYTES", 1000)
    stream = io.BytesIO(b"x" * 5000)
    result = csvutil.read_capped(stream, "f.csv")
    assert not isinstance(result, bytes) and "larger than" in result.reason
    assert stream.tell() == 1001  # read the limit and one byte more, then stopped
    assert csvutil.read_capped(io.BytesIO(b"x" * 1000), "f.csv") == b"x" * 1000


def test_too_many_lines_refused_whole_with_one_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csvutil, "MAX_LINES", 1000)
    bomb = _zip(tmp_path / "blank.zip", "\r\n", repeat=5000)
    people, reasons = _import(tmp_path, bomb)
    assert people == 0 and reasons == ["more than 1,000 lines: not read"]


def test_comma_bomb_line_and_wide_rows_are_set_aside_and_the_rest_lands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csvutil, "MAX_LINE", 10_000)
    monkeypatch.setattr(csvutil, "MAX_COLUMNS", 50)
    text = "," * 20_000 + "\r\n" + ",".join(["x"] * 60) + "\r\n" + ROW.replace("Ann", "Bea").replace("ann", "bea")
    export = _zip(tmp_path / "commas.zip", text)
    people, reasons = _import(tmp_path, export)
    assert people == 2  # Ann before the bad lines, Bea after them
    assert [r.split()[:2] for r in reasons] == [["line", "longer"], ["more", "than"]]


def test_a_wide_character_does_not_widen_every_line() -> None:
    """Decoding a piece at a time gives the same lines as decoding the whole, for every codec path."""
    samples = [
        ("Ann\r\n\U0001f600\n" + "b,c\r" * 50 + "end").encode(),
        ("caf\u00e9,x\n" * 40).encode("cp1252"),
        b"\xef\xbb\xbf" + "é\r\nx\n".encode() * 30,
        ("a,b\n" * 40 + "\u20ac").encode()[:-1],  # cut inside the last character
        "a\u2028b\r\nc\x0bd\n".encode() * 20,
    ]
    from closeknit.sources import textio

    for data in samples:
        assert textio.decode_lines(data, csvutil.split_lines, piece=16) == csvutil.split_lines(textio.decode(data))


# ---------------------------------------------------------------- item: odd folders


def _odd_folder(root: Path) -> Path:
    folder = root / "in"
    folder.mkdir()
    (folder / "ok.csv").write_text("name,email\nAnn,ann@example.org\n", encoding="utf-8")
    (folder / "sub").mkdir()
    (folder / "sub" / "more.csv").write_text("name,email\nBea,bea@example.org\n", encoding="utf-8")
    odd = os.fsencode(folder) + b"/caf\xe9.csv"
    with open(odd, "wb") as f:
        f.write(b"name,email\nCy,cy@example.org\n")
    os.symlink(".", folder / "loop1")  # two symlink loops
    os.symlink("..", folder / "sub" / "loop2")
    os.mkfifo(folder / "pipe.csv")  # opening it would block forever
    os.symlink("nowhere.csv", folder / "broken.csv")
    # A file no one can read, root included: /proc/self/mem gives EIO at offset 0.
    os.symlink("/proc/self/mem", folder / "mem.csv")
    return folder


def test_folder_with_loops_odd_names_and_unreadable_entries(tmp_path: Path) -> None:
    folder = _odd_folder(tmp_path)
    targets = detect(folder)
    assert [(k, p.name) for k, p in targets] == [("skipped", "in"), ("csv", "ok.csv"), ("csv", "more.csv")]
    people, reasons = _import(tmp_path, folder)
    assert people == 2
    assert sorted(reasons) == sorted([
        "broken link: its target does not exist",
        "file name is not valid UTF-8 (shown escaped): rename it to import it",
        "cannot read: Input/output error",
        "not a regular file (a pipe, socket or device): not read",
    ])
    with Store(tmp_path / "c.db") as db:
        files = {f for (f,) in db.rows("SELECT file FROM quarantine")}
    assert str(folder / "caf\\xe9.csv") in files  # named, escaped


def test_cli_names_each_odd_entry_and_a_single_unreadable_file_says_cannot_read(tmp_path: Path) -> None:
    folder = _odd_folder(tmp_path)
    env = {**os.environ, "CLOSEKNIT_DB": str(tmp_path / "cli.db"), "COLUMNS": "500"}
    run = subprocess.run([*COMMAND, "import", str(folder)], capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "caf\\xe9.csv" in run.stderr and "pipe.csv" in run.stderr and "2 people added" in run.stderr
    for name, why in (("mem.csv", "cannot read: Input/output error"), ("pipe.csv", "not a regular file")):
        run = subprocess.run([*COMMAND, "import", str(folder / name)], capture_output=True, text=True, env=env,
                             timeout=60)
        assert run.returncode == 2 and why in run.stderr and "not a format" not in run.stderr


def test_mail_tree_and_linkedin_folder_name_what_they_cannot_read(tmp_path: Path) -> None:
    maildir = tmp_path / "mail" / "cur"
    maildir.mkdir(parents=True)
    message = (b"From: Ann <a@example.org>\nTo: b@example.org\nMessage-ID: <%d@x>\n"
               b"Date: Mon, 1 Jan 2024 10:00:00 +0000\n\nhi\n")
    (maildir / "1.eml").write_bytes(message % 1)
    with open(os.fsencode(maildir) + b"/2-\xff.eml", "wb") as f:
        f.write(message % 2)
    with Store(tmp_path / "m.db") as db:
        result = run_import(db, tmp_path / "mail", me=["a@example.org"])
        assert result.interactions == 1 and [e["reason"] for e in result.errors] == [
            "file name is not valid UTF-8 (shown escaped): rename it to import it"]
    export = tmp_path / "export"
    export.mkdir()
    (export / "Connections.csv").write_text(HEADER + ROW, encoding="utf-8")
    os.symlink("/proc/self/mem", export / "messages.csv")  # unreadable, root included
    people, reasons = _import(tmp_path, export)
    assert people == 1 and len(reasons) == 1 and "cannot read" in reasons[0]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode (the /proc case covers root)")
def test_permission_denied_file(tmp_path: Path) -> None:
    locked = tmp_path / "locked.csv"
    locked.write_text("name,email\nAnn,ann@example.org\n", encoding="utf-8")
    locked.chmod(0)
    with pytest.raises(Exception, match="cannot read: Permission denied"):
        detect(locked)


# ---------------------------------------------------------------- item: one NUL, one huge Cc


def test_one_nul_byte_costs_only_its_row(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes(b"name,email\nAnn,ann@example.org\nB\x00b,bob@example.org\nCy,cy@example.org\n")
    people, reasons = _import(tmp_path, path)
    assert people == 2 and reasons == ["NUL byte in the record (a damaged file?)"]
    with Store(tmp_path / "c.db") as db:
        assert db.scalar("SELECT record FROM quarantine") == 3


def test_huge_cc_is_a_mailing_not_people(tmp_path: Path) -> None:
    cc = ", ".join(f"Person {i} <p{i}@example.org>" for i in range(60_000))  # about 2 MB, cut at 1 MB
    box = tmp_path / "huge.mbox"
    box.write_text(
        "From a@example.org Mon Jan  1 00:00:00 2024\nFrom: Ann <a@example.org>\nTo: b@example.org\n"
        f"Cc: {cc}\nSubject: hi\nMessage-ID: <x@example.org>\nDate: Mon, 1 Jan 2024 10:00:00 +0000\n\nhi\n\n"
        "From a@example.org Mon Jan  1 00:00:00 2024\nFrom: Ann <a@example.org>\nTo: b@example.org\n"
        "Cc: c@example.org\nMessage-ID: <y@example.org>\nDate: Tue, 2 Jan 2024 10:00:00 +0000\n\nhi\n",
        encoding="utf-8",
    )
    records = [r for r in mail.parse(box) if not hasattr(r, "reason")]
    big, small = records
    assert big.bulk.startswith(mail.HEADER_CUT) and big.bulk.endswith("recipients, not kept as people")
    assert [p.role for p in big.parties] == ["from"] and big.size > mail.MAX_RECIPIENTS
    assert [p.address for p in small.parties] == ["a@example.org", "b@example.org", "c@example.org"]
    people, _ = _import(tmp_path, box)
    assert people == 3  # Ann, b and c: none of the mailing's recipients


# ---------------------------------------------------------------- item: formula injection


FORMULAS = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "'quoted", "plain"]


def test_tab_separated_people_escape_formula_cells(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "email", "organization"])
        for i, formula in enumerate(FORMULAS):
            w.writerow([formula, f"p{i}@example.org", formula])
    _import(tmp_path, path)
    env = {**os.environ, "CLOSEKNIT_DB": str(tmp_path / "c.db")}
    out = subprocess.run([*COMMAND, "people", "--sort", "name"], capture_output=True, text=True, env=env,
                         timeout=60, check=True).stdout
    cells = [c for line in out.splitlines()[1:] for c in line.split("\t")]
    for formula in FORMULAS:
        expected = formula if formula == "plain" else "'" + formula
        assert expected in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
