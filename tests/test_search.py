"""Capability search on a small network the test writes (vCards, a CSV, a mailbox): stemming, prefixes,
accents, ranking by tie strength, why each hit matched, opt-in subjects, an index in step with every write,
and queries that can never crash."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from closeknit.errors import InputError
from closeknit.search.find import combined, find
from closeknit.search.query import parse
from closeknit.store import Store
from test_cli import cli

ME = "me@home.example"
END = datetime(2026, 11, 20, 12, tzinfo=UTC)


def card(name: str, email: str, title: str = "", org: str = "", note: str = "") -> str:
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"FN:{name}", f"EMAIL:{email}"]
    lines += [f"TITLE:{title}"] if title else []
    lines += [f"ORG:{org}"] if org else []
    lines += [f"NOTE:{note}"] if note else []
    return "\r\n".join([*lines, "END:VCARD"]) + "\r\n"


BOOK = "".join([
    card("Ana Sousa", "ana@lidar.example", "Perception Engineering Lead", "Lidar Works",
         "built the calibration rig for the lidar team"),
    card("José Álvarez", "jose@harbor.example", "Product Manager", "Harbor Labs"),
    card("Cai Wen", "cai@cai.example", "Robotics Engineer", "Cai Robotics"),
    card("Dee Marsh", "dee@dee.example", "Robotics Engineer", "Dee Robotics"),
    card("Ben Okafor", "ben@seedfund.example", "Partner", "Seed Fund"),
])


def mailbox(path: Path, who: str, subjects: list[str]) -> Path:
    """A weekly exchange with `who`, one subject a week: I write, they answer."""
    out = []
    for i, subject in enumerate(subjects):
        when = END - timedelta(days=7 * i)
        for j, (a, b) in enumerate(((ME, who), (who, ME))):
            at = when + timedelta(hours=j)
            out.append(f"From {a} {at.strftime('%a %b %d %H:%M:%S %Y')}\nFrom: {a}\nTo: {b}\n"
                       f"Date: {format_datetime(at)}\nMessage-ID: <m{i}-{j}@{path.stem}.example>\n"
                       f"Subject: {'Re: ' if j else ''}{subject}\n\nhello\n\n")
    path.write_text("".join(out), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("net")
    db = folder / "c.db"
    (folder / "book.vcf").write_text(BOOK, encoding="utf-8")
    cli(db, "import", str(folder / "book.vcf"))
    box = mailbox(folder / "dee.mbox", "dee@dee.example",
                  ["lidar calibration workshop", *(f"weekly sync {i}" for i in range(11))])
    cli(db, "import", "mail", str(box), "--me", ME)
    cli(db, "score", "--as-of", "2026-11-25")
    return db


@pytest.fixture
def net(built: Path, tmp_path: Path) -> Path:
    """A copy of the network for one test (built once: imports and scoring take a few seconds)."""
    db = tmp_path / "c.db"
    src = sqlite3.connect(built)
    dst = sqlite3.connect(db)
    src.backup(dst)
    src.close()
    dst.close()
    return db


def found(db: Path, query: str, *flags: str) -> dict:
    """`closeknit find QUERY FLAGS --json`, called in process (the command line is tested below)."""
    limit = int(flags[flags.index("--limit") + 1]) if "--limit" in flags else 20
    with Store(db) as s:
        result = find(s, query, limit=limit, subjects="--subjects" in flags, include_ignored="--all" in flags)
    return json.loads(json.dumps(result))


def test_the_command_gives_what_the_library_gives(net: Path) -> None:
    for args in (["engineer"], ["workshop", "--subjects"], ["example", "--limit", "2"]):
        assert json.loads(cli(net, "find", *args, "--json").stdout) == found(net, *args)


def names(result: dict) -> list[str]:
    return [r["name"] for r in result["results"]]


def why(result: dict, name: str) -> dict[str, dict]:
    [hit] = [r for r in result["results"] if r["name"] == name]
    return {w["field"]: w for w in hit["why"]}


def test_stemming_prefixes_and_accents(net: Path) -> None:
    engineer = found(net, "engineer")
    assert set(names(engineer)) == {"Ana Sousa", "Cai Wen", "Dee Marsh"}  # "Engineering" too, by its stem
    assert why(engineer, "Ana Sousa")["title"]["matched"] == ["Engineering"]
    assert set(names(found(net, "eng*"))) == {"Ana Sousa", "Cai Wen", "Dee Marsh"}
    assert names(found(net, "lid")) == ["Ana Sousa"]  # a bare word is also the start of a longer one
    assert names(found(net, "jose")) == ["José Álvarez"]  # accents removed both ways
    assert names(found(net, "ÁLVAREZ")) == ["José Álvarez"]
    assert names(found(net, "seedfund.example")) == ["Ben Okafor"]  # an email domain
    assert names(found(net, '"engineering lead"')) == ["Ana Sousa"]  # a phrase
    assert found(net, '"engineering lead"')["results"][0]["why"][0]["field"] == "title"
    assert names(found(net, "title:robotics")) == ["Dee Marsh", "Cai Wen"]
    assert names(found(net, "org:robotics -dee")) == ["Cai Wen"]
    assert set(names(found(net, "partner OR manager"))) == {"Ben Okafor", "José Álvarez"}
    assert found(net, "nobody-like-this")["results"] == []


def test_a_question_as_it_would_be_said(net: Path) -> None:
    """The common words of a question are left out; a word that is all there is stays a word to find."""
    result = found(net, "who knows calibration")
    assert names(result) == ["Ana Sousa"] and result["ignored"] == ["who", "knows"] and result["every_word"]
    assert names(found(net, "someone working on robotics in Dee Robotics")) == ["Dee Marsh"]
    fielded = found(net, "title:who calibration")  # a field named: kept, so no one matches every word
    assert fielded["ignored"] == [] and fielded["every_word"] is False
    assert found(net, '"in" calibration')["ignored"] == []  # quoted: kept
    alone = found(net, "who")
    assert alone["ignored"] == [] and alone["terms"] == ["who"]
    proc = cli(net, "find", "who knows calibration")
    assert "left out as common words: who, knows" in proc.stderr and "Ana Sousa" in proc.stdout


def test_when_no_one_matches_every_word_some_words_answer(net: Path) -> None:
    result = found(net, "calibration robotics")
    assert result["every_word"] is False
    assert set(names(result)) == {"Ana Sousa", "Cai Wen", "Dee Marsh"} and result["total"] == 3
    assert set(names(found(net, "calibration robotics -dee"))) == {"Ana Sousa", "Cai Wen"}  # still left out
    assert found(net, "calibration lidar")["every_word"] is True  # Ana has both: only she is shown
    assert names(found(net, "calibration lidar")) == ["Ana Sousa"]
    # Who matches more of the words comes first: Ana's note has lidar and calibration, the others neither.
    assert names(found(net, "lidar calibration zither"))[0] == "Ana Sousa"
    proc = cli(net, "find", "calibration robotics")
    assert "no one matches every word" in proc.stderr and "3 people match" in proc.stderr
    assert found(net, "zither oboe")["results"] == []  # none of the words: no one


def test_equal_matches_rank_by_tie_strength(net: Path) -> None:
    result = found(net, "robotics engineer")
    assert names(result) == ["Dee Marsh", "Cai Wen"]  # the same title; Dee writes every week, Cai never
    dee, cai = result["results"]
    assert dee["strength"] > (cai["strength"] or 0) and dee["score"] > cai["score"]
    assert dee["relevance"] == pytest.approx(cai["relevance"], rel=0.2)
    # The documented combination: a stranger needs twice the relevance of a strength-100 tie.
    assert combined(1.0, 100) == 1.0 and combined(1.0, None) == combined(1.0, 0) == 0.5
    assert combined(0.5, 100) == combined(1.0, 0)


def test_each_hit_says_why_it_matched(net: Path) -> None:
    result = found(net, "calibration")
    assert names(result) == ["Ana Sousa"]
    note = why(result, "Ana Sousa")["note"]
    assert note["snippet"] == "built the calibration rig for the lidar team" and note["matched"] == ["calibration"]
    assert result["mode"] == "lexical" and result["semantic"] is False and "lexical" in result["note"]
    proc = cli(net, "find", "calibration")
    assert "note: built the calibration rig" in proc.stdout
    assert proc.stderr.startswith("search is lexical") and "1 person matches" in proc.stderr


def test_subjects_of_past_interactions_are_opt_in(net: Path) -> None:
    alone = found(net, "workshop")
    assert names(alone) == [] and alone["subjects_might_help"] is True  # nothing found, and mail has subjects
    assert "were not searched: searching them too may find who knows this (--subjects)" in cli(
        net, "find", "workshop").stderr
    assert found(net, "calibration lidar")["subjects_might_help"] is False  # every word matched: no hint
    result = found(net, "workshop", "--subjects")
    assert names(result) == ["Dee Marsh"] and result["subjects"] is True and result["subjects_might_help"] is False
    subject = why(result, "Dee Marsh")["subject"]
    assert subject["matched"] == ["workshop"] and "lidar calibration workshop" in subject["snippet"]
    assert subject["interactions"] == 2  # the message and its reply
    assert subject["on"] == "2026-11-20"
    # Subjects add to the other fields: Ana by her note, Dee by a subject.
    assert set(names(found(net, "calibration", "--subjects"))) == {"Ana Sousa", "Dee Marsh"}
    assert names(found(net, "title:workshop", "--subjects")) == []  # a field named: subjects have none


def test_the_index_is_in_step_with_every_write(net: Path, tmp_path: Path) -> None:
    cai = found(net, "title:robotics")["results"][1]["id"]
    cli(net, "edit", str(cai), "--title", "Lidar Perception Researcher", "--name", "Cairo Lindqvist")
    assert names(found(net, "researcher")) == ["Cairo Lindqvist"]
    assert names(found(net, "lindqvist")) == ["Cairo Lindqvist"]
    assert names(found(net, "wen")) == []  # the old name is gone from the index
    cli(net, "tag", "Cairo Lindqvist", "mentor")
    cli(net, "note", "Cairo Lindqvist", "knows everyone in underwater acoustics")
    cli(net, "offer", "Cairo Lindqvist", "sonar signal processing")
    assert names(found(net, "mentor acoustics sonar")) == ["Cairo Lindqvist"]
    assert set(why(found(net, "mentor acoustics sonar"), "Cairo Lindqvist")) == {"tag", "note", "offer"}
    cli(net, "tag", "Cairo Lindqvist", "mentor", "--remove")
    assert names(found(net, "mentor")) == []

    dee = found(net, "dee")["results"][0]["id"]
    cli(net, "merge", str(dee), str(cai))
    merged = found(net, "sonar")
    assert [r["id"] for r in merged["results"]] == [dee]  # Cai's offer went with the merge, their id is gone
    assert names(found(net, "cai.example")) == ["Dee Marsh"]

    more = tmp_path / "more.csv"
    more.write_text("First Name,Last Name,E-mail Address,Organization Name,Organization Title\n"
                    "Eve,Stone,eve@stone.example,Quarry Ltd,Hydrogeologist\n", encoding="utf-8")
    cli(net, "import", "csv", str(more))
    assert names(found(net, "hydrogeolog*")) == ["Eve Stone"]  # a new import is found at once


def test_a_split_gives_each_person_their_own_fields(net: Path, tmp_path: Path) -> None:
    extra = tmp_path / "extra.vcf"
    extra.write_text(card("Ana Sousa", "ana@lidar.example", "Board Member", "Ocean Trust"), encoding="utf-8")
    cli(net, "import", str(extra))
    [ana] = found(net, "ocean")["results"]
    detail = json.loads(cli(net, "show", str(ana["id"]), "--json").stdout)
    newest = max(r["id"] for r in detail["records"])
    new = int(cli(net, "split", str(ana["id"]), str(newest)).stdout)
    assert [r["id"] for r in found(net, "ocean")["results"]] == [new]
    assert [r["id"] for r in found(net, "calibration")["results"]] == [ana["id"]]


def test_ignored_people_are_found_only_with_all(net: Path) -> None:
    cli(net, "ignore", "Ben Okafor")
    assert names(found(net, "partner")) == []
    assert names(found(net, "partner", "--all")) == ["Ben Okafor"]


def test_imported_text_is_inert_on_the_terminal(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    (tmp_path / "b.vcf").write_text(card("[red]Mallory[/red] \\", "m@evil.example", "Chief [bold]Hacker",
                                         note="escape \x1b[2J here"), encoding="utf-8")
    cli(db, "import", str(tmp_path / "b.vcf"))
    proc = cli(db, "find", "hacker")
    assert "[red]Mallory[/red]" in proc.stdout and "Chief [bold]Hacker" in proc.stdout
    assert "\x1b" not in proc.stdout
    result = found(db, "escape")
    assert result["results"][0]["why"][0]["snippet"] == "escape \x1b[2J here"  # JSON keeps the data exact
    assert "\\x1b[2J" in cli(db, "find", "escape").stdout


HOSTILE = ['"', '"unbalanced', "-", "--", "*", "AND", "OR", "NOT", "NEAR", "a AND", "OR lidar", "lidar OR",
           "lidar NOT", "NOT lidar", "-lidar", '""', "()", "(lidar", "lidar)", "{name}:x", "name:", ":", "title:",
           "lidar^2", "NEAR(lidar perception)", "'", "\\", "%", "_", "x" * 5000, "a " * 500, "\x00", "ünïcödé",
           "漢字", "🙂", "col:lidar", "rowid:1", "search_people", "* *", "-*", "lid*ar", "\"a\" \"b", "email:@",
           "🙂 lidar", "0\x00", "lidar\x00perception", "\"li\x00dar\"", "a\tb\x1b"]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_crash(net: Path, query: str) -> None:
    with Store(net) as db:
        try:
            result = find(db, query)
        except InputError as exc:
            assert "\n" not in str(exc) and str(exc).startswith("nothing to search for")
        else:
            assert isinstance(result["results"], list)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(alphabet=st.sampled_from('ab "*-:()^{}ORNDTé_\\\'.\x00\t'), max_size=30))
def test_any_query_gives_results_or_a_one_line_error(net: Path, query: str) -> None:
    with Store(net) as db:
        try:
            find(db, query, subjects=True)
        except InputError as exc:
            assert "\n" not in str(exc)


def test_hostile_queries_through_the_command_line(net: Path) -> None:
    for query in ('"', "-", "AND", "x" * 5000):
        proc = cli(net, "find", query, check=False)
        assert proc.returncode in (0, 2), proc.stderr
        assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
        if proc.returncode:
            assert proc.stderr.startswith("error: nothing to search for") and proc.stderr.count("\n") == 1


def test_reading_queries() -> None:
    assert parse("lidar").fts() == '("lidar" OR "lidar"*)'
    assert parse("eng*").fts() == '"eng"*'
    assert parse('"lidar perception" ai').fts() == '"lidar perception" AND "ai"'
    q = parse("title:cto OR ceo -intern")
    assert [[t.text for t in g] for g in q.groups] == [["cto", "ceo"]] and [t.text for t in q.excluded] == ["intern"]
    assert q.groups[0][0].column == "titles" and q.groups[0][1].column is None
    assert parse('say "hi').words() == ["say", "hi"]
    with pytest.raises(InputError):
        parse("-lidar")


def test_limit_and_total(net: Path) -> None:
    result = found(net, "example", "--limit", "2")
    assert len(result["results"]) == 2 and result["total"] >= 5
    assert "--limit for more" in cli(net, "find", "example", "--limit", "2").stderr


def test_an_older_database_is_indexed_on_upgrade(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine

    from closeknit.db.engine import MIGRATIONS

    path = tmp_path / "old.db"
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:  # a database as release 0006 wrote it
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0006")
        conn.exec_driver_sql("INSERT INTO people(id, name, title, created_at)"
                             " VALUES (7, 'Old Timer', 'Glassblower', '2026-01-01')")
    engine.dispose()
    with Store(path) as db:
        assert [r["id"] for r in find(db, "glassblow*")["results"]] == [7]
    con = sqlite3.connect(path)
    assert con.execute("SELECT count(*) FROM search_dirty").fetchone() == (0,)
    con.close()


def test_a_row_added_where_a_deleted_one_was_is_still_indexed(net: Path) -> None:
    """New rows of the tables imports fill are found by rowid: a delete must not hide the next one's."""
    with Store(net) as db:
        ana, ben = (int(db.scalar("SELECT id FROM people WHERE name = :n", {"n": n})) for n in ("Ana Sousa",
                                                                                               "Ben Okafor"))
        db.execute("INSERT INTO tags(person_id, tag) VALUES (:p, 'zither')", {"p": ana})
        assert [r["id"] for r in find(db, "zither")["results"]] == [ana]
        top = db.scalar("SELECT max(rowid) FROM tags")
        db.execute("DELETE FROM tags WHERE rowid = :r", {"r": top})  # the newest row: its rowid comes free
        db.execute("INSERT INTO tags(person_id, tag) VALUES (:p, 'oboe')", {"p": ben})
        assert db.scalar("SELECT rowid FROM tags WHERE tag = 'oboe'") == top  # the same rowid, for someone else
        assert find(db, "zither")["results"] == []
        assert [r["id"] for r in find(db, "oboe")["results"]] == [ben]


def test_reindex_rebuilds_everything_from_the_tables(net: Path) -> None:
    from closeknit.store import search as index

    with Store(net) as db:
        before = find(db, "workshop", subjects=True)["results"]
        db.execute("DELETE FROM search_people")  # an index lost (or copied without its tables' changes)
        assert find(db, "engineer")["results"] == []
        index.reindex(db)
        assert {r["name"] for r in find(db, "engineer")["results"]} == {"Ana Sousa", "Cai Wen", "Dee Marsh"}
        assert find(db, "workshop", subjects=True)["results"] == before
