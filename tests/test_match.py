"""Matchmaking on a small network the test writes: a need fits an offer, a title or an organisation, pairs
ranked by the user's tie to both, pairs already introduced (or ignored people) left out, and the JSON it gives."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from closeknit.intros.match import tie
from test_cli import cli
from test_intros import ME, mailbox
from test_search import card

BOOK = "".join([
    card("Ana Sousa", "ana@lidar.example", "Perception Lead", "Lidar Works"),
    card("Ben Okafor", "ben@seedfund.example", "Partner", "Seed Fund"),
    card("Cai Wen", "cai@cai.example"),
    card("Dee Marsh", "dee@dee.example", "Robotics Engineer", "Dee Robotics"),
    card("Eve Stone", "eve@eve.example", "Robotics Engineer", "Eve Robotics"),
    card("Fay Lund", "fay@fay.example"),
])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("match")
    db = tmp / "c.db"
    book = tmp / "book.vcf"
    book.write_text(BOOK, encoding="utf-8")
    cli(db, "import", "vcard", str(book))
    # The user writes often with Cai and Eve, never with Dee.
    cli(db, "import", "mail", str(mailbox(tmp / "box.mbox", ["cai@cai.example", "eve@eve.example"], 10)), "--me", ME)
    cli(db, "need", "Cai Wen", "advice on robotics hiring")
    cli(db, "offer", "Dee Marsh", "mentoring on robotics hiring")
    cli(db, "offer", "Eve Stone", "mentoring on robotics hiring")
    cli(db, "need", "Fay Lund", "seed funding")
    cli(db, "need", "Ana Sousa", "underwater basket weaving")  # fits no one
    cli(db, "need", "me", "robotics hiring")  # the user's own need: for find, not an introduction
    cli(db, "score")
    return db


@pytest.fixture
def db(built: Path, tmp_path: Path) -> Path:
    for path in built.parent.glob("c.db*"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path / "c.db"


def suggestions(db: Path, *args: str) -> list[dict]:
    return list(json.loads(cli(db, "match", "--json", *args).stdout)["suggestions"])


def pairs(db: Path) -> list[tuple[str, str]]:
    return [(s["seeker_name"], s["target_name"]) for s in suggestions(db)]


def test_a_need_fits_an_offer_a_title_or_an_organisation(db: Path) -> None:
    found = {(s["seeker_name"], s["target_name"]): s for s in suggestions(db)}
    assert set(found) == {("Cai Wen", "Eve Stone"), ("Cai Wen", "Dee Marsh"), ("Fay Lund", "Ben Okafor")}
    eve = found[("Cai Wen", "Eve Stone")]
    assert eve["need"] == "advice on robotics hiring" and eve["terms"] == ["hiring", "robotics"]
    why = {w["field"]: w for w in eve["why"]}
    assert why["offer"]["text"] == "mentoring on robotics hiring" and why["offer"]["matched"] == ["robotics", "hiring"]
    assert why["title"]["matched"] == ["Robotics"]
    fund = {w["field"]: w for w in found[("Fay Lund", "Ben Okafor")]["why"]}
    assert fund["organization"]["text"] == "Seed Fund" and fund["organization"]["matched"] == ["Seed", "Fund"]
    assert "offer" not in fund  # stemmed: "funding" meets "Fund"

    draft = eve["draft"]
    assert [p["email"] for p in draft["to"]] == ["cai@cai.example"]  # the one with the need is asked first
    assert draft["body"].startswith("Hi Cai,") and "I know Eve Stone (Robotics Engineer at Eve Robotics)" in draft[
        "body"] and "I will ask Eve first" in draft["body"]
    assert draft["mailto"].startswith("mailto:cai@cai.example?subject=An%20introduction%20to%20Eve")
    assert eve["command"] == (f"closeknit intro request {eve['target']} --for {eve['seeker']}"
                              " --why 'needs advice on robotics hiring'")


def test_ranked_by_the_tie_to_both(db: Path) -> None:
    found = suggestions(db)
    assert [(s["seeker_name"], s["target_name"]) for s in found][:2] == [("Cai Wen", "Eve Stone"),
                                                                        ("Cai Wen", "Dee Marsh")]
    eve, dee = found[0], found[1]
    assert eve["fit"] == dee["fit"] and eve["tie"] > dee["tie"] == 0
    assert eve["score"] > dee["score"]
    assert tie(80, 20) == pytest.approx(0.4) and tie(None, 50) == 0


def test_pairs_already_introduced_and_ignored_people_are_left_out(db: Path) -> None:
    eve = next(s for s in suggestions(db) if s["target_name"] == "Eve Stone")
    # The suggested command starts the introduction; the pair is then never suggested again, whatever its end.
    iid = json.loads(cli(db, "intro", "request", str(eve["target"]), "--for", str(eve["seeker"]), "--json").stdout)
    assert ("Cai Wen", "Eve Stone") not in pairs(db)
    cli(db, "intro", "decline", str(iid["id"]))
    assert ("Cai Wen", "Eve Stone") not in pairs(db) and ("Cai Wen", "Dee Marsh") in pairs(db)
    cli(db, "ignore", "dee@dee.example")
    assert pairs(db) == [("Fay Lund", "Ben Okafor")]


def test_json_schema_limit_and_text(db: Path) -> None:
    out = json.loads(cli(db, "match", "--json", "--limit", "1").stdout)
    assert set(out) == {"mode", "note", "stale", "total", "suggestions"}
    assert (out["mode"], out["stale"], out["total"], len(out["suggestions"])) == ("lexical", False, 3, 1)
    s = out["suggestions"][0]
    assert set(s) == {"seeker", "seeker_name", "target", "target_name", "need_id", "need", "terms", "fit", "relevance",
                      "seeker_strength", "target_strength", "tie", "score", "why", "draft", "command"}
    assert set(s["draft"]) == {"step", "to", "subject", "body", "mailto", "missing"}
    assert all(set(w) == {"field", "text", "matched"} for w in s["why"])
    proc = cli(db, "match", "--limit", "1")
    assert "1. Cai Wen ↔ Eve Stone" in proc.stdout and "start it: closeknit intro request" in proc.stdout
    assert "3 possible introductions; the best 1 shown" in proc.stderr
