"""Property tests through the whole import: damaged contact files never crash it and lose nothing.

The parser tests check each reader alone; these feed mutated files to `run_import` with a real
SQLite store, so normalising, identity resolution, merging and writing see the damage too.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from closeknit import sources
from closeknit.errors import CloseknitError
from closeknit.pipeline.detect import detect
from closeknit.pipeline.importer import run_import
from closeknit.store import Store
from conftest import mutate

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SEEDS = {
    "Connections.csv": (
        "Notes:\n\"When exporting your connection data, you may notice that some of the email addresses are"
        " missing.\"\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        "Ana,Sousa,https://www.linkedin.com/in/ana-sousa-x1,,Lidar Works,Perception Lead,03 Feb 2025\n"
        "Ben,Okafor,https://www.linkedin.com/in/ben-okafor,ben@okafor.example,Seed Fund,Partner,26 Dec 2025\n"
        "\"Wen, Cai\",,linkedin.com/in/cai-wen,BEN@okafor.example,Harbor Labs,CTO,1/8/18\n"
    ),
    "book.vcf": (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Sousa\r\nN:Sousa;Ana;;;\r\n"
        "item1.EMAIL;type=INTERNET:ana@lidar.example\r\n"
        "item1.X-ABLabel:work\r\nTEL;type=CELL:+351 912 345 678\r\nURL:https://linkedin.com/in/ana-sousa-x1/\r\n"
        "ORG:Lidar Works\r\nCATEGORIES:robotics,friends\r\nNOTE:met at the meetup\\nsecond line\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen\r\n"
        "TEL;HOME:(415) 555-0100\r\nEMAIL;INTERNET:jm@example.org\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ben Okafor\r\nEMAIL:ben@okafor.example\r\n"
        "TEL;VALUE=uri:tel:+1-415-555-0100\r\n"
        "UID:urn:uuid:1\r\nEND:VCARD\r\n"
    ),
    "google.csv": (
        "First Name,Middle Name,Last Name,Organization Name,Organization Title,E-mail 1 - Label,"
        "E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value,Labels\n"
        "Ana,,Sousa,Lidar Works,,Work,ana@lidar.example,Mobile,+351912345678,* myContacts ::: robotics\n"
        "Dee,,Marsh,,,,dee@marsh.example ::: DEE@MARSH.EXAMPLE,,,* myContacts\n"
        "Jürgen,,Müller,,,,,Home,415-555-0100,\n"
    ),
}
TOKENS = ["\r\n", "\n", ",", "\"", ";", ":", "=", "\\", "BEGIN:VCARD\r\n", "END:VCARD\r\n", "@", "+1", "\x00",
          "\ufeff", "é", "mailto:", "linkedin.com/in/", "ENCODING=QUOTED-PRINTABLE:", "CHARSET=UTF-7:+2D3-"]

_counter = itertools.count()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """One database for the whole module: each example imports into what the earlier ones left."""
    folder = tmp_path_factory.mktemp("import_fuzz")
    db = Store(folder / "fuzz.db")
    yield db
    db.close()


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    """A seed file with a few byte flips, deletions, insertions, duplications or a cut."""
    name = draw(st.sampled_from(sorted(SEEDS)))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    return name, mutate(draw, SEEDS[name].encode(encoding, errors="replace"), TOKENS)


def check_import(store: Store, folder: Path, name: str, data: bytes) -> None:
    """Import one file; every item its parser yields is counted once in the result, and stored."""
    path = folder / f"{next(_counter)}-{name}"
    path.write_bytes(data)
    try:
        targets = detect(path)
    except CloseknitError:
        return  # not recognisable as any format: a one-line error for the user, nothing stored
    expected = sum(1 for kind, target in targets for _ in sources.get(kind).parse(target))
    quarantined = store.scalar("SELECT count(*) FROM quarantine")
    try:
        result = run_import(store, path)
    except CloseknitError:
        return
    counted = result.added + result.updated + result.unchanged + result.skipped + result.duplicates
    assert counted == expected, (counted, expected)
    assert store.scalar("SELECT count(*) FROM quarantine") <= quarantined + result.skipped
    assert not store.rows("PRAGMA foreign_key_check")
    assert not store.rows("SELECT id FROM people p WHERE NOT EXISTS"
                          " (SELECT 1 FROM source_records s WHERE s.person_id = p.id)")


@FUZZ
@given(case=mutated())
def test_mutated_contact_files_import_without_loss(store: Store, tmp_path_factory: pytest.TempPathFactory,
                                                   case: tuple[str, bytes]) -> None:
    check_import(store, tmp_path_factory.getbasetemp(), *case)


@FUZZ
@given(name=st.sampled_from(sorted(SEEDS)), data=st.binary(max_size=2000))
def test_arbitrary_bytes_import_without_loss(store: Store, tmp_path_factory: pytest.TempPathFactory, name: str,
                                             data: bytes) -> None:
    check_import(store, tmp_path_factory.getbasetemp(), name, data)
