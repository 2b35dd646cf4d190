"""The reciprocity ledger: favors recorded once, balances per person and overall, "give first", merges."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from test_cli import cli
from test_cli_people import mailbox

ANA, BEN, CAI = "Ana Ruiz <ana@one.example>", "Ben Ode <ben@two.example>", "Cai Lin <cai@three.example>"


def js(db: Path, *args: str) -> dict:
    return json.loads(cli(db, *args, "--json").stdout)


def setup(tmp_path: Path) -> Path:
    db = tmp_path / "c.db"
    box = mailbox(tmp_path / "mail.mbox", [ANA, BEN], datetime(2026, 11, 20, tzinfo=UTC))
    cli(db, "import", str(box), "--me", "me@home.example")
    cli(db, "import", "csv", str(write_csv(tmp_path / "more.csv")))
    cli(db, "score", "--as-of", "2026-11-25")
    return db


def write_csv(path: Path) -> Path:
    path.write_text("First Name,Last Name,E-mail Address\nCai,Lin,cai@three.example\n", encoding="utf-8")
    return path


def test_ledger_balances_per_person_and_overall(tmp_path: Path) -> None:
    db = setup(tmp_path)
    cli(db, "favor", "got", "ana@one.example", "an intro to a buyer", "--kind", "intro", "--value", "500",
        "--when", "2026-10-01")
    cli(db, "favor", "got", "ana@one.example", "read my draft", "--kind", "advice", "--when", "2026-10-20")
    cli(db, "favor", "give", "ana@one.example", "a reference", "--kind", "referral", "--when", "2026-11-02")
    cli(db, "favor", "give", "cai@three.example", "moved a couch", "--kind", "help", "--value", "40")

    ledger = js(db, "ledger")
    by = {p["name"]: p for p in ledger["people"]}
    assert (by["Ana Ruiz"]["gave"], by["Ana Ruiz"]["got"], by["Ana Ruiz"]["balance"]) == (1, 2, -1)
    assert by["Ana Ruiz"]["value_got"] == 500 and by["Ana Ruiz"]["value_balance"] == -500
    assert by["Ana Ruiz"]["last"] == "2026-11-02"
    assert (by["Cai Lin"]["gave"], by["Cai Lin"]["got"], by["Cai Lin"]["balance"]) == (1, 0, 1)
    assert "Ben Ode" not in by  # no favor either way: not in the ledger
    assert ledger["people"][0]["name"] == "Ana Ruiz"  # the most owed first
    total = ledger["total"]
    assert (total["gave"], total["got"], total["balance"], total["people"], total["owing"]) == (2, 2, 0, 2, 1)
    assert (total["value_gave"], total["value_got"]) == (40, 500)

    one = js(db, "ledger", "ana@one.example")
    assert [f["what"] for f in one["favors"]] == ["a reference", "read my draft", "an intro to a buyer"]
    assert [p["name"] for p in one["people"]] == ["Ana Ruiz"]

    text = cli(db, "ledger").stdout
    assert "overall: you gave 2 and got 2 favors (balance +0)" in text


def test_give_first_lists_strong_ties_you_owe(tmp_path: Path) -> None:
    db = setup(tmp_path)
    cli(db, "favor", "got", "ana@one.example", "an intro", "--kind", "intro")
    cli(db, "favor", "got", "cai@three.example", "a tip", "--kind", "advice")  # owed, but no tie
    tiers = {p["name"]: p["tier"] for p in js(db, "ledger")["people"]}
    first = [p["name"] for p in js(db, "ledger")["give_first"]]
    assert tiers["Ana Ruiz"] in ("inner", "close", "favor")
    assert first == ["Ana Ruiz"]
    assert "give first: Ana Ruiz (-1)" in cli(db, "ledger").stdout


def test_the_same_favor_twice_is_recorded_once(tmp_path: Path) -> None:
    db = setup(tmp_path)
    args = ("favor", "give", "ben@two.example", "an intro to Dee", "--kind", "intro", "--when", "2026-11-01")
    assert js(db, *args)["added"] is True
    assert js(db, *args)["added"] is False
    assert "already recorded" in cli(db, *args).stderr
    assert js(db, "ledger")["total"]["gave"] == 1


def test_favors_follow_a_merge(tmp_path: Path) -> None:
    db = setup(tmp_path)
    cli(db, "favor", "give", "cai@three.example", "a reference", "--kind", "referral")
    ana = js(db, "show", "ana@one.example")["id"]
    cai = js(db, "show", "cai@three.example")["id"]
    cli(db, "merge", str(ana), str(cai))
    ledger = js(db, "ledger")
    assert [(p["person"], p["gave"]) for p in ledger["people"]] == [(ana, 1)]


def test_bad_favors_are_refused_with_one_line(tmp_path: Path) -> None:
    db = setup(tmp_path)
    for args, says in [
        (("favor", "lend", "ana@one.example", "x"), "unknown favor direction 'lend'"),
        (("favor", "give", "ana@one.example", "x", "--kind", "gift"), "unknown favor kind 'gift'"),
        (("favor", "give", "ana@one.example", "x", "--value", "-3"), "a favor's value is an amount of 0 or more"),
        (("favor", "give", "ana@one.example", "x", "--when", "soon"), "--when 'soon'"),
        (("favor", "give", "nobody@none.example", "x"), "nobody@none.example"),
    ]:
        proc = cli(db, *args, check=False)
        assert proc.returncode != 0 and says in proc.stderr, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1
    assert js(db, "ledger")["total"]["people"] == 0


def test_favors_are_an_explained_factor_of_strength(tmp_path: Path) -> None:
    db = setup(tmp_path)
    before = {p["name"]: p for p in js(db, "people")}
    cli(db, "favor", "got", "ben@two.example", "an intro to a buyer", "--kind", "intro", "--when", "2026-10-01")
    cli(db, "favor", "give", "ben@two.example", "a reference", "--kind", "referral", "--when", "2026-11-02")
    cli(db, "favor", "give", "ben@two.example", "a later one", "--kind", "help", "--when", "2026-12-01")
    cli(db, "score", "--as-of", "2026-11-25")
    after = {p["name"]: p for p in js(db, "people")}
    assert after["Ben Ode"]["strength"] > before["Ben Ode"]["strength"]
    assert after["Ana Ruiz"]["strength"] == before["Ana Ruiz"]["strength"]  # no favor: unchanged
    why = js(db, "explain", "ben@two.example")
    points = {f["factor"]: f["points"] for f in why["factors"]["top"]}
    assert points.get("favors", 0) > 0
    # Said in words whatever its rank; the favor after the day scored as of does not count yet.
    assert "favors: 1 given, 1 received" in why["factors"]["why"]
    assert "favors: 1 given, 1 received" in cli(db, "explain", "ben@two.example").stdout
    assert after["Ben Ode"]["tier"] in ("inner", "close", "favor")  # a favor puts a tie on the favor list
