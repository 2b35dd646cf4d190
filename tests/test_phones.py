"""Phone numbers: each file's own region, numbers kept as written, and a named region re-reading stored ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from closeknit.errors import InputError
from closeknit.pipeline.importer import run_import
from closeknit.store import Store
from closeknit.store.writer import AS_WRITTEN, file_region

HEADER = "First Name,Last Name,Phone 1 - Label,Phone 1 - Value\n"


def phones(db: Store) -> dict[str, tuple[str, str]]:
    """Name -> (kind, value) of each person's one number."""
    return {name: (kind, value) for name, kind, value in db.fast_rows(
        "SELECT p.name, i.kind, i.value FROM identifiers i JOIN people p ON p.id = i.person_id"
        " WHERE i.kind IN ('phone', :raw)", {"raw": AS_WRITTEN})}


def indian_export(path: Path) -> Path:
    rows = [f"Intl{i},Kumar,Mobile,+91 98{i:03d} 4{i:04d}" for i in range(12)]  # most numbers carry +91
    rows += [f"Local{i},Shah,Mobile,98{i:03d} 5{i:04d}" for i in range(6)]  # the rest are written nationally
    rows += [f"Trunk{i},Rao,Mobile,098{i:03d} 6{i:04d}" for i in range(3)]  # with the trunk 0
    rows += ["Abroad,Jones,Work,+44 20 7946 0018", "Odd,One,Home,ext 12", "Odd,Two,Home,call the office",
             'Two,Numbers,Mobile,"+91 98111 11111, +91 98111 22222"']
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_region_is_inferred_per_file_and_nothing_is_dropped(tmp_path: Path) -> None:
    with Store(tmp_path / "t.db") as db:
        run_import(db, indian_export(tmp_path / "google.csv"))
        got = phones(db)
    assert len(got) == 12 + 6 + 3 + 3  # "call the office" holds no number
    assert got["Local0 Shah"] == ("phone", "+919800050000")
    assert got["Trunk2 Rao"] == ("phone", "+919800260002")
    assert got["Abroad Jones"] == ("phone", "+442079460018")
    assert got["Odd One"] == (AS_WRITTEN, "ext 12")
    assert sum(kind == "phone" and value.startswith("+91") for kind, value in got.values()) == 22
    with Store(tmp_path / "t.db") as db:
        assert {v for (v,) in db.fast_rows("SELECT i.value FROM identifiers i JOIN people p ON p.id = i.person_id"
                                           " WHERE p.name = 'Two Numbers'")} == {
            "+919811111111", "+919811122222"}


def test_region_needs_a_majority() -> None:
    assert file_region(["+91 98200 11111", "+91 98200 22222", "+44 20 7946 0018"]) == "IN"
    assert file_region(["+91 98200 11111", "+44 20 7946 0018"]) is None
    assert file_region(["98200 11111", "0044 20 7946 0018"]) == "GB"
    assert file_region([]) is None


def test_a_named_region_rereads_stored_numbers(tmp_path: Path) -> None:
    path = tmp_path / "local.csv"  # no number says its country: read as US by default
    path.write_text(HEADER + "Asha,Patel,Mobile,98200 11111\nRavi,Iyer,Mobile,022 2345 6789\n", encoding="utf-8")
    with Store(tmp_path / "t.db") as db:
        run_import(db, path)
        assert phones(db) == {"Asha Patel": ("phone", "+19820011111"), "Ravi Iyer": (AS_WRITTEN, "022 2345 6789")}
        again = run_import(db, path)
        assert again.updated == 0 and again.unchanged == 2
        fixed = run_import(db, path, region="IN")
        assert fixed.updated == 2
        assert phones(db) == {"Asha Patel": ("phone", "+919820011111"), "Ravi Iyer": ("phone", "+912223456789")}
        assert run_import(db, path, region="IN").updated == 0
        with pytest.raises(InputError, match="unknown phone region"):
            run_import(db, path, region="XQ")


def test_a_file_that_does_not_tell_takes_the_owners_region(tmp_path: Path) -> None:
    own = tmp_path / "me.csv"
    own.write_text("First Name,Last Name,E-mail 1 - Value,Phone 1 - Value\n"
                   "Sam,Owner,sam@owner.example,+44 20 7946 0958\n", encoding="utf-8")
    local = tmp_path / "local.csv"
    local.write_text(HEADER + "Kit,Marsh,Mobile,020 7946 0321\n", encoding="utf-8")
    with Store(tmp_path / "t.db") as db:
        run_import(db, own, me=["sam@owner.example"])
        run_import(db, local)
        assert phones(db)["Kit Marsh"] == ("phone", "+442079460321")


def test_the_summary_says_which_region_each_file_was_read_in(tmp_path: Path) -> None:
    indian = indian_export(tmp_path / "google.csv")
    local = tmp_path / "local.csv"
    local.write_text(HEADER + "Ann,Archer,Mobile,020 7946 0019\n", encoding="utf-8")  # no country code to go by
    with Store(tmp_path / "t.db") as db:
        result = run_import(db, tmp_path)
        assert result.regions == {str(indian.resolve()): "IN"}
        assert "phones in google.csv read as IN (inferred from +91 numbers)" in result.summary()
        assert result.as_dict()["regions"] == result.regions
        named = run_import(db, indian, region="GB")  # a region named is used as it is: nothing inferred
        assert named.regions == {} and "read as" not in named.summary()
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(5):  # a folder of many files: three are named, the rest counted
        indian_export(folder / f"book{i}.csv")
    with Store(tmp_path / "m.db") as db:
        summary = run_import(db, folder).summary()
    assert "phones in book0.csv, book1.csv, book2.csv and 2 more files read as IN (inferred from +91 numbers)" in (
        summary)
