"""The command line end to end: the real entry point in a subprocess, on files the tests write."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

LINKEDIN = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses are missing."\n'
    "\n"
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    "Ana,Sousa,https://www.linkedin.com/in/ana-sousa-x1,,Lidar Works,Perception Lead,03 Feb 2025\n"
    "Ben,Okafor,https://www.linkedin.com/in/ben-okafor,ben@okafor.example,Seed Fund,Partner,26 Dec 2025\n"
    "Cai,Wen,https://www.linkedin.com/in/cai-wen,,Harbor Labs,CTO,1 Mar 2024\n"
)
VCARDS = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Sousa\r\nN:Sousa;Ana;;;\r\n"
    "item1.EMAIL;type=INTERNET:ana@lidar.example\r\nitem1.X-ABLabel:work\r\n"
    "TEL;type=CELL:+351 912 345 678\r\nURL:https://linkedin.com/in/ana-sousa-x1/\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:<script>alert('x')</script> [red]x[/red]\r\n"
    "EMAIL:weird@example.org\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nNOTE:no name and nothing else\r\nEND:VCARD\r\n"
)
GOOGLE = (
    "First Name,Middle Name,Last Name,Organization Name,Organization Title,E-mail 1 - Label,E-mail 1 - Value,"
    "Phone 1 - Label,Phone 1 - Value,Labels\n"
    "Ana,,Sousa,Lidar Works,,Work,ana@lidar.example,Mobile,+351912345678,* myContacts ::: robotics\n"
    "Dee,,Marsh,,,,dee@marsh.example,,,* myContacts\n"
)


def cli(db: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CLOSEKNIT_DB": str(db), "COLUMNS": "200"}
    proc = subprocess.run(
        [sys.executable, "-c", "from closeknit.cli.main import run; run()", *args],
        capture_output=True, text=True, env=env, timeout=120,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"closeknit {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return proc


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {"linkedin": tmp_path / "Connections.csv", "vcard": tmp_path / "book.vcf",
             "google": tmp_path / "google.csv"}
    paths["linkedin"].write_text(LINKEDIN, encoding="utf-8")
    paths["vcard"].write_text(VCARDS, encoding="utf-8")
    paths["google"].write_text(GOOGLE, encoding="utf-8")
    return paths


def test_three_sources_make_one_person_and_reimport_changes_nothing(tmp_path: Path, files: dict[str, Path]) -> None:
    db = tmp_path / "c.db"
    first = json.loads(cli(db, "import", str(files["linkedin"]), "--json").stdout)
    assert (first["added"], first["skipped"]) == (3, 0)
    second = json.loads(cli(db, "import", "vcard", str(files["vcard"]), "--json").stdout)
    assert (second["added"], second["updated"], second["skipped"]) == (1, 1, 1)
    assert second["errors"][0]["record"] == 3 and second["errors"][0]["file"].endswith("book.vcf")
    third = json.loads(cli(db, "import", str(files["google"]), "--json").stdout)
    assert (third["added"], third["updated"]) == (1, 1)
    for path in files.values():
        again = json.loads(cli(db, "import", str(path), "--json").stdout)
        assert (again["added"], again["updated"]) == (0, 0), path

    people = json.loads(cli(db, "people", "--json").stdout)
    assert len(people) == 5
    for p in people:
        assert {"id", "name", "emails", "phones", "organization", "title", "sources"} <= set(p)
    ana = next(p for p in people if p["name"] == "Ana Sousa")
    assert ana["sources"] == ["csv", "linkedin", "vcard"]
    assert ana["emails"] == ["ana@lidar.example"] and ana["phones"] == ["+351912345678"]
    assert ana["organization"] == "Lidar Works" and ana["title"] == "Perception Lead"

    doctor = json.loads(cli(db, "doctor", "--json").stdout)
    assert doctor["people"] == 5 and doctor["quarantined"] == 1 and doctor["interactions"] == 0
    assert doctor["source_records"] == 7 and doctor["schema_version"]
    raw = sqlite3.connect(db).execute("SELECT raw FROM quarantine").fetchone()[0]
    assert "no name and nothing else" in raw


def test_show_tag_note_filters_and_exports(tmp_path: Path, files: dict[str, Path]) -> None:
    db = tmp_path / "c.db"
    for path in files.values():
        cli(db, "import", str(path))
    cli(db, "tag", "ana@lidar.example", "lidar", "robotics")
    cli(db, "note", "Ana Sousa", "knows everyone in perception")
    shown = json.loads(cli(db, "show", "linkedin.com/in/ana-sousa-x1", "--json").stdout)
    assert set(shown["tags"]) == {"lidar", "robotics"}
    assert shown["notes"][0]["text"] == "knows everyone in perception"
    assert len(shown["records"]) == 3
    assert [p["name"] for p in json.loads(cli(db, "people", "--tag", "lidar", "--json").stdout)] == ["Ana Sousa"]
    assert len(json.loads(cli(db, "people", "--source", "linkedin", "--json").stdout)) == 3
    assert [p["name"] for p in json.loads(cli(db, "people", "--org", "seed", "--json").stdout)] == ["Ben Okafor"]

    vcf = tmp_path / "out.vcf"
    cli(db, "export", "--format", "vcard", "-o", str(vcf))
    db2 = tmp_path / "round.db"
    back = json.loads(cli(db2, "import", str(vcf), "--json").stdout)
    assert back["added"] == 5 and back["skipped"] == 0
    assert json.loads(cli(db, "export", "--format", "json").stdout)[0]["id"] >= 1
    assert cli(db, "export", "--format", "csv").stdout.splitlines()[0].startswith("id,name")

    copy = tmp_path / "backup.db"
    cli(db, "backup", str(copy))
    assert sqlite3.connect(copy).execute("SELECT count(*) FROM people WHERE is_me = 0").fetchone()[0] == 5


def test_untrusted_names_stay_text_in_the_terminal(tmp_path: Path, files: dict[str, Path]) -> None:
    db = tmp_path / "c.db"
    cli(db, "import", str(files["vcard"]))
    out = cli(db, "people").stdout
    assert "<script>alert('x')</script> [red]x[/red]" in out  # printed as text, Rich markup not applied


def test_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    for args in (["import", str(tmp_path / "missing.vcf")], ["show", "nobody@example.com"],
                 ["import", "nonsense", str(tmp_path)], ["export", "--format", "xml"]):
        proc = cli(db, *args, check=False)
        assert proc.returncode != 0, args
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (args, proc.stderr)
        assert "Traceback" not in proc.stderr
    binary = tmp_path / "blob.bin"
    binary.write_bytes(bytes(range(256)) * 40)
    proc = cli(db, "import", str(binary), check=False)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "blob.bin" in proc.stderr


def test_manual_log_and_timeline(tmp_path: Path, files: dict[str, Path]) -> None:
    db = tmp_path / "c.db"
    cli(db, "import", str(files["linkedin"]))
    cli(db, "log", "Ben Okafor", "coffee about the seed round", "--channel", "coffee", "--when", "2026-11-20")
    cli(db, "log", "Ben Okafor", "coffee about the seed round", "--channel", "coffee", "--when", "2026-11-20")
    cli(db, "log", "ben@okafor.example", "intro call", "--channel", "call", "--when", "2026-11-22T15:00",
        "--direction", "out")
    rows = json.loads(cli(db, "timeline", "Ben Okafor", "--json").stdout)
    assert [(r["channel"], r["direction"], r["when"][:10]) for r in rows] == [
        ("call", "out", "2026-11-22"), ("coffee", "both", "2026-11-20")]
    assert rows[0]["subject"] == "intro call" and rows[0]["participants"][0]["name"] == "Ben Okafor"
    bad = cli(db, "log", "Ben Okafor", "x", "--channel", "pigeon", check=False)
    assert bad.returncode == 2 and "unknown channel" in bad.stderr
