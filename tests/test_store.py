"""The store's write path: identity resolution, idempotency, merge/split, review, interactions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from closeknit.errors import InputError, NotFoundError
from closeknit.records import ContactRecord, InteractionRecord, Party, RecordError
from closeknit.store import Store, derive, review
from closeknit.store import people as ps
from closeknit.store.writer import Writer


def contact(n: int, source: str = "vcard", **kw: object) -> ContactRecord:
    raw = f"{source}-{n}-" + repr(sorted(kw.items()))
    return ContactRecord(source=source, file=f"{source}.file", record=n, raw=raw, **kw)  # type: ignore[arg-type]


@pytest.fixture
def db(tmp_path: Path) -> Store:
    store = Store(tmp_path / "t.db")
    yield store
    store.close()


def import_all(db: Store, records: list[ContactRecord]) -> list[str]:
    w = Writer(db)
    outcomes = [w.add_contact(r) for r in records]
    w.flush()
    return outcomes


def count(db: Store, table: str) -> int:
    return int(db.scalar(f"SELECT count(*) FROM {table}"))


def test_same_email_phone_or_profile_merges_across_sources(db: Store) -> None:
    outcomes = import_all(db, [
        contact(1, "linkedin", name="Jane Doe", urls=["https://www.linkedin.com/in/Jane-Doe/"],
                emails=["Jane.Doe@Example.com"], organization="Acme", title="CTO"),
        contact(2, "vcard", name="Jane D.", emails=[" jane.doe@example.com "], phones=["(415) 555-0100"]),
        contact(3, "csv", name="J. Doe", phones=["+1 415-555-0100"]),
        contact(4, "csv", name="Other Person", urls=["linkedin.com/in/jane-doe?trk=x"]),
    ])
    assert outcomes == ["added", "updated", "updated", "updated"]
    people = list(ps.iter_people(db))
    assert len(people) == 1
    assert people[0]["sources"] == ["csv", "linkedin", "vcard"]
    assert people[0]["emails"] == ["jane.doe@example.com"]
    assert people[0]["phones"] == ["+14155550100"]
    assert people[0]["organization"] == "Acme"
    assert count(db, "source_records") == 4


def test_reimport_is_a_noop(db: Store) -> None:
    recs = [contact(i, name=f"Person {i}", emails=[f"p{i}@example.com"]) for i in range(50)]
    assert import_all(db, recs).count("added") == 50
    before = {t: count(db, t) for t in ("people", "source_records", "identifiers", "roles", "tags")}
    assert set(import_all(db, recs)) == {"unchanged"}
    assert before == {t: count(db, t) for t in before}


def test_a_record_linking_two_people_merges_them_and_keeps_every_record(db: Store) -> None:
    import_all(db, [
        contact(1, name="Ann Lee", emails=["ann@example.com"], tags=["robotics"]),
        contact(2, name="Ann Lee", phones=["+44 20 7946 0958"]),
    ])
    assert count(db, "people") == 2
    import_all(db, [contact(3, "csv", name="Ann Lee", emails=["ann@example.com"], phones=["+442079460958"])])
    assert count(db, "people") == 1
    assert count(db, "source_records") == 3
    pid = ps.find_person(db, "ann@example.com")
    assert ps.person_detail(db, pid)["tags"] == ["robotics"]
    assert db.scalar("SELECT count(*) FROM merge_log WHERE action = 'merge'") == 1


def test_split_moves_records_back_out_and_keeps_them_apart(db: Store) -> None:
    import_all(db, [
        contact(1, "linkedin", name="Sam Roe", emails=["sam@example.com"], organization="Acme"),
        contact(2, "vcard", name="Sam Roe", emails=["sam@example.com"], phones=["+49 30 1234567"],
                notes=["met in Berlin"]),
    ])
    pid = ps.find_person(db, "sam@example.com")
    rec_ids = [r["id"] for r in ps.person_detail(db, pid)["records"]]
    new = ps.split(db, pid, [rec_ids[1]])
    a, b = ps.person_detail(db, pid), ps.person_detail(db, new)
    assert [r["id"] for r in a["records"]] == [rec_ids[0]]
    assert [r["id"] for r in b["records"]] == [rec_ids[1]]
    assert b["phones"] == ["+49301234567"] and b["notes"][0]["text"] == "met in Berlin"
    assert a["name"] == b["name"] == "Sam Roe"
    # Same name, same organisation, but the user said they differ: no review item comes back.
    assert review.find_candidates(db) == (0, 0)
    with pytest.raises(InputError):
        ps.split(db, pid, [rec_ids[0]])


def test_similar_names_go_to_review_never_merge(db: Store) -> None:
    import_all(db, [
        contact(1, "linkedin", name="José Müller", organization="Acme Robotics"),
        contact(2, "vcard", name="Muller, Jose", organization="Acme Robotics GmbH"),
        contact(3, "vcard", name="José Müller", organization="Totally Different Bakery"),
        contact(4, "vcard", name="Maria Müller", organization="Acme Robotics"),
    ])
    assert review.find_candidates(db) == (1, 0)
    items = review.open_items(db)
    assert {items[0]["person_a"], items[0]["person_b"]} == {1, 2}
    assert count(db, "people") == 4
    review.decide(db, items[0]["id"], same=True)
    assert count(db, "people") == 3 and count(db, "source_records") == 4
    with pytest.raises(NotFoundError):
        review.decide(db, items[0]["id"], same=True)


def test_quarantine_keeps_raw_text(db: Store) -> None:
    w = Writer(db)
    w.add_error(RecordError("bad.vcf", 3, "no name, email, phone or organisation", "BEGIN:VCARD\nX:1"), "vcard")
    w.flush()
    assert db.rows("SELECT file, record, reason, raw FROM quarantine")[0] == (
        "bad.vcf", 3, "no name, email, phone or organisation", "BEGIN:VCARD\nX:1")


def mail(key: str, sender: str, to: list[str], when: str, subject: str = "hello", **kw: object) -> InteractionRecord:
    parties = [Party(sender, role="from")] + [Party(a, role="to") for a in to]
    return InteractionRecord(
        source="mail", channel="email", file="box.mbox", record=1, raw=f"Message-ID: <{key}>", key=key,
        when=datetime.fromisoformat(when).replace(tzinfo=UTC), parties=parties, subject=subject, **kw,  # type: ignore[arg-type]
    )


def test_interactions_direction_threads_and_duplicates(db: Store) -> None:
    import_all(db, [contact(1, name="Bea Kim", emails=["bea@example.org"])])
    derive.set_me(db, ["Me@Example.com"])
    w = Writer(db)
    w.add_interaction(mail("a1", "me@example.com", ["bea@example.org"], "2024-01-01T10:00", "Plan"))
    w.add_interaction(mail("a2", "bea@example.org", ["me@example.com", "cy@example.net"],
                           "2024-01-01T12:00", "Re: Plan", in_reply_to="a1"))
    w.flush()
    w.add_interaction(mail("a3", "bea@example.org", ["me@example.com"], "2024-01-02T09:00", "RE: plan"))
    w.add_interaction(mail("a1", "me@example.com", ["bea@example.org"], "2024-01-01T10:00"))  # a later batch
    w.add_interaction(mail("a3", "bea@example.org", ["me@example.com"], "2024-01-02T09:00"))  # the same batch
    w.flush()
    assert w.outcomes == {"added": 3, "duplicate": 2}
    again = Writer(db)
    again.add_interaction(mail("a2", "bea@example.org", ["me@example.com"], "2024-01-01T12:00"))
    again.flush()
    assert again.outcomes == {"unchanged": 1}
    derive.derive_threads(db)
    rows = {k: (d, t, p) for k, d, t, p in db.rows("SELECT key, direction, thread_id, parent_id FROM interactions")}
    assert rows["a1"] == ("out", 1, None)
    assert rows["a2"] == ("in", 1, 1)
    assert rows["a3"][1:] == (1, 2)  # linked by subject to the latest message with a shared participant
    bea = ps.find_person(db, "bea@example.org")
    assert ps.person_detail(db, bea)["sources"] == ["vcard"]  # known by email: no new record
    assert count(db, "people") == 3  # Bea, me, and the collected cy@example.net
    assert ps.find_person(db, "cy@example.net")


def test_find_person_errors(db: Store) -> None:
    import_all(db, [contact(1, name="Ann Lee"), contact(2, name="Ann Leeds")])
    with pytest.raises(NotFoundError):
        ps.find_person(db, "nobody@example.com")
    assert ps.find_person(db, "ann lee") == 1
    with pytest.raises(InputError, match="2 people match"):
        ps.find_person(db, "Ann")


def test_reimport_prepares_only_new_or_changed_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from closeknit.demo.files import write_contacts
    from closeknit.pipeline.importer import run_import
    from closeknit.store import writer

    folder = tmp_path / "files"
    write_contacts(folder, 3000, seed=2)
    google = folder / "google_contacts.csv"
    assert google.stat().st_size < 256 * 1024 < (folder / "linkedin" / "Connections.csv").stat().st_size
    with Store(tmp_path / "c.db") as store:
        first = run_import(store, folder)
        assert first.added > 0 and first.unchanged == 0
        records = count(store, "source_records")
        # Change one Google row and import again: in this process (the Google file is small) only
        # that row is prepared in full; everything else is recognised by its hash alone.
        lines = google.read_text(encoding="utf-8").splitlines(keepends=True)
        lines[1] = lines[1].replace("@", "+changed@", 1)
        google.write_text("".join(lines), encoding="utf-8")
        prepared: list[str] = []
        full = writer.prepare_contact

        def counting(rec: ContactRecord, region: str, known: object = ()) -> writer.PreparedContact:
            out = full(rec, region, known)  # type: ignore[arg-type]
            if out.raw:
                prepared.append(rec.source)
            return out

        monkeypatch.setattr("closeknit.store.writer.prepare_contact", counting)
        second = run_import(store, folder)
        assert prepared == ["csv"]
        assert (second.added + second.updated, second.unchanged) == (1, first.added + first.updated - 1)
        assert count(store, "source_records") == records + 1  # the changed row's text is a new record
        assert store.scalar("SELECT count(*) FROM identifiers WHERE value LIKE '%+changed@%'") == 1


def test_import_collects_cycles_less_often_and_restores_the_collector(tmp_path: Path) -> None:
    import gc

    from closeknit.pipeline.importer import run_import

    path = tmp_path / "c.vcf"
    path.write_text("".join(f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:P{i} Q\r\nEND:VCARD\r\n" for i in range(1200)))
    before = gc.get_threshold()
    during: list[int] = []
    with Store(tmp_path / "c.db") as store:
        run_import(store, path, progress=lambda done, total: during.append(gc.get_threshold()[0]))
    assert during and set(during) == {100_000} != {before[0]}
    assert gc.get_threshold() == before


def test_names_stored_by_earlier_rules_are_read_again_once(db: Store) -> None:
    """A database from an earlier version keeps "Family, Given" names and quoting debris until an import reads them
    again by today's rules, once; a name the user edited stays as they wrote it."""
    from closeknit.store import pending

    import_all(db, [contact(1, name="Ann Lee"), contact(2, name="Raj Iyer"), contact(3, name="Kim Ode"),
                    contact(4, name="Acme, Inc.")])
    ids = {name: pid for pid, name in db.fast_rows("SELECT id, name FROM people")}
    with db.transaction():  # as an earlier version stored them
        db.execute("UPDATE people SET name = 'Lee, Ann' WHERE id = :p", {"p": ids["Ann Lee"]})
        db.execute("UPDATE people SET name = :n WHERE id = :p", {"n": '\\"Raj Iyer\\', "p": ids["Raj Iyer"]})
    ps.edit(db, ids["Kim Ode"], {"name": "Ode, Kim"})  # the user's own way of writing it
    db.delete_setting("name_rules")
    assert pending.finish(db, "US").renamed == 2
    names = {pid: (name, key) for pid, name, key in db.fast_rows("SELECT id, name, name_key FROM people")}
    assert names[ids["Ann Lee"]] == ("Ann Lee", "ann lee") and names[ids["Raj Iyer"]][0] == "Raj Iyer"
    assert names[ids["Kim Ode"]][0] == "Ode, Kim" and names[ids["Acme, Inc."]][0] == "Acme, Inc."
    with db.transaction():
        db.execute("UPDATE people SET name = 'Lee, Ann' WHERE id = :p", {"p": ids["Ann Lee"]})
    assert pending.finish(db, "US").renamed == 0  # once: the rules have not changed since
