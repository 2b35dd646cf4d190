"""Export then import: every export carries all a person has, and reads back into the same people."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from closeknit import export as exporter
from closeknit.demo import run_demo
from closeknit.pipeline.importer import run_import
from closeknit.store import Store
from closeknit.store import people as people_store
from closeknit.store.writer import database_id
from conftest import shared

FORMATS = ("json", "csv", "vcard")
FORMULA_NAME = "=HYPERLINK(\"http://x\";\"y\")"

# Someone with a formula-like name, organisation and note, a non-LinkedIn URL and a phone starting with +,
# and a second job for a demo person (the same email) that only the JSON export can carry as a role.
_QUOTED_NAME = '"' + FORMULA_NAME.replace('"', '""') + '"'
EXTRA_CSV = (
    "name,email,phone,organization,website,notes,labels\n"
    + _QUOTED_NAME + ",formula@example.org,+1 212 555 0100,+Acme,https://blog.example.org/x,@note,-tag\n"
)


def _people_data(db: Store, roles: bool = True) -> Counter[str]:
    """Everyone's data but ids and provenance (which the re-import changes by design), as a multiset."""
    out: Counter[str] = Counter()
    for p in people_store.people_details(db, people_store.person_ids(db)):
        keep = {k: p[k] for k in ("name", "given", "family", "organization", "title", "emails", "phones",
                                 "profiles", "urls", "tags", "birthday", "connected_on")}
        keep["notes"] = [n["text"] for n in p["notes"]]
        if roles:
            keep["roles"] = sorted((r["organization"], r["title"]) for r in p["roles"])
        out[json.dumps(keep, sort_keys=True)] += 1
    return out


def _export(db_path: Path, fmt: str, out: Path) -> Path:
    with Store(db_path) as db:
        ids = people_store.person_ids(db)
        out.write_text("".join(exporter.chunks(people_store.people_details(db, ids), fmt, database_id(db))),
                       encoding="utf-8")
    return out


def _counts(db_path: Path) -> tuple[int, int]:
    with Store(db_path) as db:
        return int(db.scalar("SELECT count(*) FROM people")), int(db.scalar("SELECT count(*) FROM review_queue"))


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    db_path = folder / "demo.db"
    run_demo(db_path, folder / "files", people=150, seed=5, today=date(2025, 12, 1))
    extra = folder / "extra.csv"
    extra.write_text(EXTRA_CSV, encoding="utf-8")
    with Store(db_path) as db:
        run_import(db, extra)
        someone = people_store.person_ids(db)[3]
        email = people_store.person_detail(db, someone)["emails"]
        people_store.add_note(db, someone, "said twice")
        people_store.add_note(db, someone, "said twice")
    if email:
        second = folder / "second.vcf"
        second.write_text(f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:X\r\nEMAIL:{email[0]}\r\nORG:Second Job Ltd\r\n"
                          "TITLE:Adviser\r\nEND:VCARD\r\n", encoding="utf-8")
        with Store(db_path) as db:
            run_import(db, second)
    return db_path


@pytest.fixture(scope="module")
def linkedin_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    exports = shared("contacts_csv", "linkedin_exports")
    db_path = tmp_path_factory.mktemp("linkedin") / "li.db"
    with Store(db_path) as db:
        for folder in sorted(exports.iterdir()):
            run_import(db, folder)
    return db_path


@pytest.fixture(params=[(s, f) for s in ("demo_db", "linkedin_db") for f in FORMATS], ids="-".join)
def exported(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, str, Path]:
    """(database, format, its export) for each exported database and format."""
    source, fmt = request.param
    db_path: Path = request.getfixturevalue(source)
    return db_path, fmt, _export(db_path, fmt, tmp_path / f"export.{fmt}")


def test_export_into_a_fresh_database_keeps_everything(exported: tuple[Path, str, Path], tmp_path: Path) -> None:
    db_path, fmt, exported_file = exported
    fresh = tmp_path / "fresh.db"
    with Store(fresh) as db:
        run_import(db, exported_file)
    with Store(db_path) as before, Store(fresh) as after:
        # Only the JSON export holds every role (organisation and title) a person has had.
        assert _people_data(after, roles=fmt == "json") == _people_data(before, roles=fmt == "json")


def test_export_into_the_same_database_changes_nothing(exported: tuple[Path, str, Path], tmp_path: Path) -> None:
    db_path, _, exported_file = exported
    same = tmp_path / "same.db"
    shutil.copy(db_path, same)
    with Store(same) as db:
        result = run_import(db, exported_file)
    assert result.people == 0 and result.skipped == 0
    assert _counts(same) == _counts(db_path)  # no duplicate people, no new review items
    with Store(db_path) as before, Store(same) as after:
        assert _people_data(after) == _people_data(before)


def test_json_export_reads_back_to_the_same_json(demo_db: Path, tmp_path: Path) -> None:
    first = _export(demo_db, "json", tmp_path / "first.json")
    fresh = tmp_path / "fresh.db"
    with Store(fresh) as db:
        run_import(db, first)
    second = _export(fresh, "json", tmp_path / "second.json")

    def data(path: Path) -> list[dict[str, Any]]:
        people = json.loads(path.read_text(encoding="utf-8"))
        for p in people:
            for key in ("id", "closeknit_id", "sources"):  # provenance: the export file, by design
                del p[key]
            p["notes"] = [n["text"] for n in p["notes"]]  # (a note's date is when it was stored)
        return people

    assert data(second) == data(first)
    assert any(len(p["roles"]) > 1 for p in data(second))  # the second job came back too


def test_csv_export_escapes_formulas_and_reads_them_back(demo_db: Path, tmp_path: Path) -> None:
    exported = _export(demo_db, "csv", tmp_path / "export.csv")
    rows = list(csv.DictReader(io.StringIO(exported.read_text(encoding="utf-8"))))
    cells = [c for row in rows for c in row.values() if c]
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    formula = next(row for row in rows if "formula@example.org" in row["emails"])
    assert formula["name"] == "'" + FORMULA_NAME and formula["organization"] == "'+Acme"
    assert formula["phones"].startswith("'+") and formula["notes"] == "'@note" and formula["tags"] == "'-tag"
    fresh = tmp_path / "fresh.db"
    with Store(fresh) as db:
        run_import(db, exported)
        back = people_store.person_detail(db, people_store.find_person(db, "formula@example.org"))
    assert back["name"] == FORMULA_NAME and back["organization"] == "+Acme"
    assert [n["text"] for n in back["notes"]] == ["@note"] and back["tags"] == ["-tag"]
    # JSON stays exact.
    data = json.loads(_export(demo_db, "json", tmp_path / "export.json").read_text(encoding="utf-8"))
    assert any(p["name"] == FORMULA_NAME for p in data)


def test_exports_carry_urls_dates_repeated_notes_and_the_own_id(demo_db: Path, tmp_path: Path) -> None:
    with Store(demo_db) as db:
        people = list(people_store.people_details(db, people_store.person_ids(db)))
        dbid = database_id(db)
    with_url = next(p for p in people if p["urls"])
    dated = next(p for p in people if p["connected_on"])
    twice = next(p for p in people if [n["text"] for n in p["notes"]].count("said twice") == 2)
    card = _export(demo_db, "vcard", tmp_path / "e.vcf").read_text(encoding="utf-8").replace("\r\n ", "")
    assert f"URL:{with_url['urls'][0]}" in card.replace("\\", "")
    assert f"X-CLOSEKNIT-CONNECTED-ON:{dated['connected_on']}" in card
    assert f"UID:closeknit:{dbid}:{twice['id']}" in card
    own = card.split(f"UID:closeknit:{dbid}:{twice['id']}")[0].rsplit("BEGIN:VCARD", 1)[1]
    assert own.count("NOTE:said twice") == 2
    rows = list(csv.DictReader(io.StringIO(_export(demo_db, "csv", tmp_path / "e.csv").read_text(encoding="utf-8"))))
    row = next(r for r in rows if r["closeknit_id"] == f"closeknit:{dbid}:{twice['id']}")
    assert row["notes"].split(" ::: ").count("said twice") == 2
