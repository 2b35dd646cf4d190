"""Long lists and exports on the command line: complete, streamed, and inert on a terminal."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from closeknit.demo.files import write_contacts
from closeknit.pipeline.importer import run_import
from closeknit.store import Store
from closeknit.store import people as people_store

# A card whose name and note carry terminal escape sequences, a tab and a line break.
HOSTILE = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Eve \x1b]0;pwned\x07 Tab\there\r\nEMAIL:eve@hostile.example\r\n"
    "NOTE:first line\\nsecond \x1b[2J line\r\nEND:VCARD\r\n"
)
COMMAND = [sys.executable, "-c", "from closeknit.cli.main import run; run()"]


@pytest.fixture(scope="module")
def big_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """More people than a terminal table shows, plus one hostile card."""
    folder = tmp_path_factory.mktemp("lists")
    write_contacts(folder / "files", 2100, seed=11)
    (folder / "files" / "hostile.vcf").write_text(HOSTILE, encoding="utf-8")
    db = folder / "c.db"
    with Store(db) as store:
        run_import(store, folder / "files")
    return db


def env(db: Path) -> dict[str, str]:
    return {**os.environ, "CLOSEKNIT_DB": str(db), "COLUMNS": "200"}


def piped(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMAND, *args], capture_output=True, text=True, env=env(db), timeout=300, check=True)


def on_terminal(db: Path, *args: str) -> tuple[str, str]:
    """stdout (a pseudo-terminal) and stderr (a pipe) of one command."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([*COMMAND, *args], stdout=follower, stderr=subprocess.PIPE, env=env(db))
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([leader], [], [], 120)
        if not ready:
            proc.kill()
            raise AssertionError("no output for 120 s")
        try:
            data = os.read(leader, 65536)
        except OSError:  # the terminal closed: the command has ended
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    assert proc.stderr is not None
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0, stderr
    return b"".join(chunks).decode(), stderr


def test_piped_people_is_every_person_as_tab_separated_lines(big_db: Path) -> None:
    everyone = json.loads(piped(big_db, "people", "--json").stdout)
    proc = piped(big_db, "people")
    lines = proc.stdout.splitlines()
    assert lines[0].split("\t") == ["id", "name", "organization", "title", "strength", "tier", "emails", "sources"]
    rows = [line.split("\t") for line in lines[1:]]
    assert all(len(r) == 8 for r in rows)  # no tab or line break inside a value breaks the layout
    assert [int(r[0]) for r in rows] == [p["id"] for p in everyone]
    assert len(rows) > 2000 and proc.stderr.strip() == f"{len(rows):,} people"
    eve = next(r for r in rows if r[6] == "eve@hostile.example")
    assert eve[1] == "Eve \\x1b]0;pwned\\x07 Tab here"
    assert "\x1b" not in proc.stdout


def test_terminal_table_is_capped_and_shows_control_characters_as_text(big_db: Path) -> None:
    total = len(json.loads(piped(big_db, "people", "--json").stdout))
    screen, stderr = on_terminal(big_db, "people")
    assert screen.startswith("┏") and "\t" not in screen  # a table, not tab-separated lines
    assert f"… and {total - 2000:,} more people" in stderr and f"{total:,} people" in stderr
    _, stderr = on_terminal(big_db, "people", "--limit", "2050")  # a limit the user chose is shown whole
    assert stderr.strip() == "2,050 people"
    pid = next(p["id"] for p in json.loads(piped(big_db, "people", "--name", "Eve", "--json").stdout)
               if p["emails"] == ["eve@hostile.example"])
    screen, _ = on_terminal(big_db, "show", str(pid))
    assert "\\x1b]0;pwned\\x07" in screen and "\\x1b[2J" in screen
    assert "\x1b]0;" not in screen and "\x1b[2J" not in screen and "\x07" not in screen


def test_export_lists_everyone_once_in_every_format(big_db: Path, tmp_path: Path) -> None:
    ids = [p["id"] for p in json.loads(piped(big_db, "people", "--sort", "id", "--json").stdout)]
    exported = json.loads(piped(big_db, "export", "--format", "json").stdout)
    assert [p["id"] for p in exported] == ids
    with Store(big_db) as store:
        assert exported[0]["emails"] == people_store.person_detail(store, ids[0])["emails"]
    rows = list(csv.reader(io.StringIO(piped(big_db, "export", "--format", "csv").stdout)))
    assert [int(r[0]) for r in rows[1:]] == ids
    cards = piped(big_db, "export", "--format", "vcard").stdout
    assert cards.count("BEGIN:VCARD") == len(ids) == cards.count("END:VCARD")
    target = tmp_path / "everyone.vcf"
    piped(big_db, "export", "--format", "vcard", "-o", str(target))
    assert target.read_text(encoding="utf-8") == cards and "FN:Eve \x1b]0\\;pwned\x07" in cards  # exact data
    screen, _ = on_terminal(big_db, "export", "--format", "vcard")
    assert "FN:Eve \\x1b]0\\;pwned\\x07" in screen and "\x07" not in screen
    assert [p.name for p in tmp_path.iterdir()] == ["everyone.vcf"]  # no temporary file left beside it


def test_details_read_in_chunks_match_one_at_a_time(big_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store(big_db) as store:
        ids = [*people_store.person_ids(store)[:60], 10**9]  # an unknown id is left out
        single = [people_store.person_detail(store, i) for i in ids[:-1]]
        monkeypatch.setattr(people_store, "DETAIL_CHUNK", 7)
        assert list(people_store.people_details(store, ids)) == single
        assert sum(len(p["records"]) for p in single) > len(single)  # some people have several sources


def test_piped_review_queue_is_every_open_item(big_db: Path) -> None:
    items = json.loads(piped(big_db, "review", "--json").stdout)
    proc = piped(big_db, "review")
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("item\tperson\t") and len(items) > 0
    assert [int(line.split("\t")[0]) for line in lines[1:]] == [i["id"] for i in items]
    assert proc.stderr.splitlines()[0] == f"{len(items):,} open"


def test_failed_export_leaves_the_previous_file_whole(big_db: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from closeknit import export
    from closeknit.cli.main import run

    target = tmp_path / "everyone.vcf"
    target.write_text("the previous export\n", encoding="utf-8")
    written = export.vcard
    calls = {"n": 0}

    def failing(person: dict[str, object], database: str) -> str:
        calls["n"] += 1
        if calls["n"] == 1500:  # past the first chunk of people
            raise OSError("disk full")
        return written(person, database)

    monkeypatch.setattr(export, "vcard", failing)
    monkeypatch.setattr(sys, "argv", ["closeknit", "--db", str(big_db), "export", "--format", "vcard",
                                      "-o", str(target)])
    with pytest.raises(SystemExit) as stop:
        run()
    assert stop.value.code != 0 and calls["n"] == 1500
    assert target.read_text(encoding="utf-8") == "the previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["everyone.vcf"]


@pytest.mark.parametrize("args", [["people"], ["people", "--json"], ["export", "--format", "csv"]])
def test_a_reader_that_stops_early_ends_the_command_quietly(big_db: Path, args: list[str]) -> None:
    proc = subprocess.Popen([*COMMAND, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env(big_db))
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline()  # like `closeknit people | head -1`
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1
    assert stderr == ""  # no traceback, no "Exception ignored"
