"""Who knows whom on a small network the test writes (a vCard book, two mailboxes): graph_edges kept in step
incrementally equal a rebuild from scratch, large messages say nothing, merges and splits mark people whose
edges follow, and the user and the ignored are left out when the graph is read."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from closeknit.intros.evaluate import MAX_PARTICIPANTS
from closeknit.store import Store, graph
from closeknit.store import people as people_store
from test_cli import cli
from test_search import card

ME = "me@home.example"
NOW = datetime.now(UTC).replace(microsecond=0)


BOOK = "".join([
    card("Ana Sousa", "ana@ana.example", "Perception Lead", "Lidar Works"),
    card("Ben Okafor", "ben@ben.example", "Partner", "Seed Fund"),
    card("Cai Wen", "cai@cai.example", org="Cai Robotics"),
    card("Dee Marsh", "dee@dee.example", "Lidar Engineer", "Harbor Labs"),
    card("Fay Lindqvist", "fay@quarry.example", "Founder", "Quarry Labs"),
    card("Gus Moreau", "gus@quarry.example", "Engineer", "Quarry Labs"),
    card("Hal Brandt", "hal@hal.example"),
    card("Ida Novak", "ida@ida.example"),
])


def message(frm: str, to: list[str], when: datetime, mid: str, subject: str = "hello") -> str:
    return (f"From {frm} {when.strftime('%a %b %d %H:%M:%S %Y')}\nFrom: {frm}\nTo: {', '.join(to)}\n"
            f"Date: {format_datetime(when)}\nMessage-ID: <{mid}@test.example>\nSubject: {subject}\n\nhello\n\n")


def first_box() -> str:
    """Weekly mail with Ana; Ana writes to me and Ben often; Hal to me now and then; a year-old note from Cai
    to me and Dee; a newsletter to thirty people."""
    out = []
    for i in range(12):
        when = NOW - timedelta(days=7 * i + 2)
        out.append(message(ME, ["ana@ana.example"], when, f"a{i}"))
        out.append(message("ana@ana.example", [ME], when + timedelta(hours=2), f"a{i}r", "Re: hello"))
        out.append(message("ana@ana.example", [ME, "ben@ben.example"], when + timedelta(hours=3), f"ab{i}"))
    for i in range(4):
        when = NOW - timedelta(days=30 * i + 5)
        out.append(message(ME, ["hal@hal.example"], when, f"h{i}"))
        out.append(message("hal@hal.example", [ME], when + timedelta(hours=1), f"h{i}r", "Re: hello"))
    out.append(message(ME, ["cai@cai.example"], NOW - timedelta(days=400), "c0"))
    out.append(message("cai@cai.example", [ME, "dee@dee.example"], NOW - timedelta(days=390), "cd0"))
    crowd = [f"reader{i}@crowd.example" for i in range(30)]
    out.append(message("news@crowd.example", [ME, *crowd], NOW - timedelta(days=3), "news"))
    return "".join(out)


def second_box() -> str:
    """Later mail: Ana, Ben and Hal on one thread; a second address of Ana's with Gus."""
    out = []
    for i in range(3):
        when = NOW - timedelta(days=i + 1)
        out.append(message("hal@hal.example", [ME, "ana@ana.example", "ben@ben.example"], when, f"t{i}"))
        out.append(message("ana.work@lidar.example", [ME, "gus@quarry.example"], when, f"w{i}"))
    return "".join(out)


def build(folder: Path, second: bool = True) -> Path:
    db = folder / "c.db"
    (folder / "book.vcf").write_text(BOOK, encoding="utf-8")
    (folder / "one.mbox").write_text(first_box(), encoding="utf-8")
    cli(db, "import", str(folder / "book.vcf"))
    cli(db, "import", "mail", str(folder / "one.mbox"), "--me", ME)
    if second:
        (folder / "two.mbox").write_text(second_box(), encoding="utf-8")
        cli(db, "import", "mail", str(folder / "two.mbox"), "--me", ME)
    return db


def copy(src_path: Path, db: Path) -> Path:
    src, dst = sqlite3.connect(src_path), sqlite3.connect(db)
    src.backup(dst)
    src.close()
    dst.close()
    return db


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("graph"))


@pytest.fixture
def net(built: Path, tmp_path: Path) -> Path:
    return copy(built, tmp_path / "c.db")


def rows(db: Store) -> list[tuple[int, int, int, float, int, int]]:
    return [(a, b, s, round(w, 9), f, last) for a, b, s, w, f, last in
            db.fast_rows("SELECT * FROM graph_edges ORDER BY person_a, person_b")]


def pid(db: Store, email: str) -> int:
    return people_store.find_person(db, email)


def test_the_limit_is_the_broker_evaluations() -> None:
    assert graph.MAX_PARTICIPANTS == MAX_PARTICIPANTS


def test_incremental_refresh_equals_a_rebuild(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db_path = build(tmp_path, second=False)
    monkeypatch.setattr(graph, "CHUNK", 7)  # many chunks, each a transaction of its own
    with Store(db_path) as db:
        first = graph.refresh(db)
        assert first["interactions"] > 7
        assert graph.refresh(db) == {"interactions": 0, "people": 0}  # nothing new: nothing done
    (tmp_path / "two.mbox").write_text(second_box(), encoding="utf-8")
    cli(db_path, "import", "mail", str(tmp_path / "two.mbox"), "--me", ME)
    with Store(db_path) as db:
        assert graph.pending(db)
        assert graph.refresh(db)["interactions"] == 6
        incremental = rows(db)
        graph.rebuild(db)
        assert rows(db) == incremental
        ana, ben = pid(db, "ana@ana.example"), pid(db, "ben@ben.example")
        e = graph.pair(db, ana, ben)["mail"]
        assert e["shared"] == 15  # twelve messages of Ana's to me and Ben, three of Hal's to the four of us
        assert e["weight"] == pytest.approx(12 / 2 + 3 / 3)


def test_large_messages_are_ignored(net: Path) -> None:
    with Store(net) as db:
        graph.refresh(db)
        readers = [pid(db, f"reader{i}@crowd.example") for i in range(2)]
        assert graph.pair(db, *readers)["mail"] is None
        assert not db.scalar("SELECT count(*) FROM graph_edges WHERE person_a IN (SELECT person_id FROM identifiers"
                             " WHERE value LIKE '%@crowd.example')")


def test_merge_marks_the_kept_person_and_edges_follow(net: Path) -> None:
    with Store(net) as db:
        graph.refresh(db)
        ana, work, gus = pid(db, "ana@ana.example"), pid(db, "ana.work@lidar.example"), pid(db, "gus@quarry.example")
        assert ana != work and graph.pair(db, ana, gus)["mail"] is None
        graph.know(db, work, pid(db, "hal@hal.example"), "climbing")
        people_store.merge_into(db, ana, work, "same person")
        assert db.fast_rows("SELECT person_id FROM graph_dirty") == [(ana,)]
        assert not db.scalar("SELECT count(*) FROM graph_edges WHERE :w IN (person_a, person_b)", {"w": work})
        graph.refresh(db)
        assert graph.pair(db, ana, gus)["mail"]["shared"] == 3
        assert graph.pair(db, ana, pid(db, "hal@hal.example"))["knows"] == "climbing"  # recorded follows too
        merged = rows(db)
        graph.rebuild(db)
        assert rows(db) == merged


def test_split_marks_both_and_edges_follow(net: Path) -> None:
    with Store(net) as db:
        ana, work, gus = pid(db, "ana@ana.example"), pid(db, "ana.work@lidar.example"), pid(db, "gus@quarry.example")
        graph.refresh(db)
        people_store.merge_into(db, ana, work, "same person")
        graph.refresh(db)
        moved = [r["id"] for r in people_store.person_detail(db, ana)["records"] if r["source"] != "vcard"
                 and db.scalar("SELECT 1 FROM identifiers WHERE source_record_id = :r AND value = :v",
                               {"r": r["id"], "v": "ana.work@lidar.example"})]
        assert moved
        new = people_store.split(db, ana, moved)
        assert {r[0] for r in db.fast_rows("SELECT person_id FROM graph_dirty")} == {ana, new}
        graph.refresh(db)
        assert graph.pair(db, ana, gus)["mail"] is None
        assert graph.pair(db, new, gus)["mail"]["shared"] == 3
        split = rows(db)
        graph.rebuild(db)
        assert rows(db) == split


def test_me_and_the_ignored_are_left_out_when_read(net: Path) -> None:
    with Store(net) as db:
        graph.refresh(db)
        me = db.scalar("SELECT id FROM people WHERE is_me = 1")
        ben = pid(db, "ben@ben.example")
        assert db.scalar("SELECT count(*) FROM graph_edges WHERE :m IN (person_a, person_b)", {"m": me})  # stored
        ids = set(graph.edges(db).a.tolist()) | set(graph.edges(db).b.tolist())
        assert me not in ids and ben in ids
    cli(net, "ignore", "ben@ben.example")
    with Store(net) as db:
        e = graph.edges(db)
        assert ben not in set(e.a.tolist()) | set(e.b.tolist())
        assert ben not in {n["id"] for n in graph.neighbours(db, pid(db, "ana@ana.example"))}
        assert db.scalar("SELECT count(*) FROM graph_edges WHERE :b IN (person_a, person_b)", {"b": ben})


def test_a_restored_older_database_is_rebuilt(net: Path) -> None:
    with Store(net) as db:
        graph.refresh(db)
        before = rows(db)
        db.execute("UPDATE graph_marks SET upto = upto + 1000 WHERE key = 'interactions'")
        graph.refresh(db)
        assert rows(db) == before


def test_knows_records_updates_and_forgets(net: Path) -> None:
    with Store(net) as db:
        a, b = pid(db, "cai@cai.example"), pid(db, "fay@quarry.example")
        assert graph.know(db, b, a, "  college   friends ")
        assert graph.pair(db, a, b)["knows"] == "college friends"
        assert not graph.know(db, a, b, "old colleagues")
        assert graph.pair(db, a, b)["knows"] == "old colleagues"
        assert graph.forget(db, a, b) and not graph.forget(db, a, b)
