"""Reply threading on a real SQLite store: header and subject rules, arrival order, cycles, and a reference check."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from closeknit.mailconv import SUBJECT_PREFIX, normal_subject
from closeknit.records import InteractionRecord, Party
from closeknit.store import Store
from closeknit.store.derive import derive_threads
from closeknit.store.writer import Writer

T0 = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "t.db")
    yield store
    store.close()


def mail(
    key: str,
    minute: int,
    sender: str = "a@x.org",
    to: tuple[str, ...] = ("b@x.org",),
    subject: str = "hi",
    reply_to: str = "",
    refs: tuple[str, ...] = (),
    channel: str = "email",
) -> InteractionRecord:
    """A message sent `minute` minutes after T0."""
    parties = [Party(sender, role="from")] + [Party(a, role="to") for a in to]
    return InteractionRecord(
        source="mail",
        channel=channel,
        file="box.mbox",
        record=minute,
        raw=f"Message-ID: <{key}>",
        key=key,
        when=T0 + timedelta(minutes=minute),
        parties=parties,
        subject=subject,
        in_reply_to=reply_to,
        references=list(refs),
    )


def add(db: Store, *records: InteractionRecord) -> None:
    w = Writer(db)
    for rec in records:
        w.add_interaction(rec)
    w.flush()


def links(db: Store) -> dict[str, tuple[str | None, str | None]]:
    """Each email's (thread root key, parent key)."""
    rows = db.rows(
        "SELECT i.key, t.key, p.key FROM interactions i LEFT JOIN interactions t ON t.id = i.thread_id"
        " LEFT JOIN interactions p ON p.id = i.parent_id WHERE i.channel = 'email'"
    )
    return {k: (t, p) for k, t, p in rows}


def parents(db: Store) -> dict[str, str | None]:
    return {k: p for k, (_t, p) in links(db).items()}


def test_in_reply_to_links_parent_and_groups_the_thread(db: Store) -> None:
    add(db, mail("a", 0), mail("b", 1, reply_to="a", refs=("x",)), mail("c", 2, reply_to="b"), mail("d", 3))
    assert links(db)["a"] == ("a", None)  # stored as its own thread before any linking
    assert derive_threads(db) == 2  # only the replies change
    assert links(db) == {"a": ("a", None), "b": ("a", "a"), "c": ("a", "b"), "d": ("d", None)}
    assert derive_threads(db) == 0


def test_references_fallback_takes_the_last_known_reference(db: Store) -> None:
    add(
        db,
        mail("a", 0),
        mail("b", 1),
        mail("c", 2, reply_to="gone", refs=("a", "b", "gone")),
        mail("d", 3, refs=("b", "a", "gone")),
        mail("e", 4, reply_to="a", refs=("b",)),  # In-Reply-To wins over References
        mail("f", 5, refs=("gone",)),
    )
    derive_threads(db)
    assert parents(db) == {"a": None, "b": None, "c": "b", "d": "a", "e": "a", "f": None}


def test_subject_fallback_needs_a_reply_prefix_and_a_shared_participant(db: Store) -> None:
    add(
        db,
        mail("root", 0, "bea@x.org", ("me@x.org",), "Budget"),
        mail("other", 1, "cy@x.org", ("dan@x.org",), "budget"),
        mail("stranger", 2, "eve@x.org", ("fay@x.org",), "Re: Budget"),  # shares no one
        mail("plain", 3, "me@x.org", ("bea@x.org",), "Budget"),  # no reply prefix
        mail("reply", 4, "dan@x.org", ("bea@x.org",), "RE:  budget"),  # the latest sharing someone: "plain"
        mail("later", 5, "cy@x.org", ("gus@x.org",), "Fwd: Re: BUDGET"),  # only "other" had cy
        mail("unrelated", 6, "bea@x.org", ("me@x.org",), "Re: Lunch"),
    )
    derive_threads(db)
    assert links(db) == {
        "root": ("root", None),
        "other": ("other", None),
        "stranger": ("stranger", None),
        "plain": ("plain", None),
        "reply": ("plain", "plain"),
        "later": ("other", "other"),
        "unrelated": ("unrelated", None),
    }


@pytest.mark.parametrize(("fillers", "linked"), [(19, True), (20, False)])
def test_subject_fallback_looks_at_the_last_20_messages(db: Store, fillers: int, linked: bool) -> None:
    records = [mail("root", 0, "bea@x.org", ("me@x.org",), "Topic")]
    records += [mail(f"f{i}", 1 + i, f"p{i}@x.org", ("q@x.org",), "Re: topic") for i in range(fillers)]
    records.append(mail("reply", 100, "me@x.org", ("bea@x.org",), "Re: Topic"))
    add(db, *records)
    derive_threads(db)
    assert parents(db)["reply"] == ("root" if linked else None)


def test_a_reply_imported_before_its_parent_is_linked_later(db: Store) -> None:
    add(db, mail("reply", 5, reply_to="parent"), mail("ref", 6, refs=("parent",)))
    assert derive_threads(db) == 0  # nothing to link to: each is its own thread, as stored
    assert links(db) == {"reply": ("reply", None), "ref": ("ref", None)}
    add(db, mail("parent", 0))
    assert derive_threads(db) == 2  # both replies
    assert links(db) == {"parent": ("parent", None), "reply": ("parent", "parent"), "ref": ("parent", "parent")}
    assert derive_threads(db) == 0


def test_cycles_and_self_replies_end(db: Store) -> None:
    add(
        db,
        mail("a", 0, reply_to="b"),
        mail("b", 1, reply_to="a"),
        mail("c", 2, reply_to="b"),
        mail("self", 3, reply_to="self"),
        mail("x", 4, refs=("z",)),
        mail("y", 5, refs=("x",)),
        mail("z", 6, refs=("y",)),
    )
    derive_threads(db)
    assert links(db) == {
        "a": ("a", "b"),  # the cycle is cut where it was first entered, in time order
        "b": ("a", "a"),
        "c": ("a", "b"),
        "self": ("self", None),
        "x": ("x", "z"),
        "y": ("x", "x"),
        "z": ("x", "y"),
    }
    assert derive_threads(db) == 0


def test_only_changed_rows_are_written(db: Store) -> None:
    add(db, mail("a", 0), mail("b", 1, reply_to="a"), mail("c", 2, reply_to="b"))
    derive_threads(db)
    con = db.dbapi()
    before = con.total_changes
    assert derive_threads(db) == 0
    assert con.total_changes == before
    db.execute("UPDATE interactions SET thread_id = NULL WHERE key = 'c'")
    before = con.total_changes
    assert derive_threads(db) == 1
    assert con.total_changes == before + 1


def test_no_email_and_other_channels(db: Store) -> None:
    assert derive_threads(db) == 0
    add(db, mail("m", 0, channel="meeting"), mail("a", 1, reply_to="m", refs=("m",)))
    assert derive_threads(db) == 0
    assert links(db) == {"a": ("a", None)}  # a meeting with that key is not a message


def reference_threads(db: Store) -> dict[int, tuple[int, int | None]]:
    """The rules written out plainly over everything in memory: (thread, parent) by message id."""
    rows = db.fast_rows(
        "SELECT id, key, in_reply_to, refs, subject FROM interactions WHERE channel = 'email' ORDER BY ts, id"
    )
    by_key = {r[1]: r[0] for r in rows}
    people: dict[int, set[int]] = {}
    for iid, pid in db.fast_rows("SELECT interaction_id, person_id FROM interaction_parties"):
        people.setdefault(iid, set()).add(pid)
    parent: dict[int, int | None] = {}
    earlier: dict[str, list[int]] = {}
    for iid, _key, irt, refs, subject in rows:
        p = by_key.get(irt) if irt else None
        if p is None:
            p = next((by_key[r] for r in reversed(refs.split()) if r in by_key), None)
        topic = normal_subject(subject)
        if p is None and topic and SUBJECT_PREFIX.match(subject):
            shared = [c for c in earlier.get(topic, [])[-20:] if people.get(c, set()) & people.get(iid, set())]
            p = shared[-1] if shared else None
        parent[iid] = None if p == iid else p
        if topic:
            earlier.setdefault(topic, []).append(iid)
    root: dict[int, int] = {}
    for iid, *_ in rows:
        path: list[int] = []
        i = iid
        while (nxt := parent[i]) is not None and i not in root and i not in path:
            path.append(i)
            i = nxt
        r = root.get(i, i)
        root.update(dict.fromkeys([*path, i], r))
    return {iid: (root[iid], parent[iid]) for iid, *_ in rows}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_matches_the_plain_rules_on_random_mail(db: Store, seed: int) -> None:
    rng = random.Random(seed)
    keys = [f"k{i}" for i in range(400)]
    people = [f"p{i}@x.org" for i in range(12)]
    records = []
    for i, key in enumerate(keys[:300]):
        topic = rng.choice(["Plan", "Lunch", "Budget", "Trip", ""])
        subject = rng.choice(["", "Re: ", "RE:", "Fwd: Re: ", "aw:"]) + topic
        pick = rng.sample(people, rng.randint(1, 3))
        refs = tuple(rng.sample(keys, rng.randint(0, 3)))
        reply_to = rng.choice(["", "", rng.choice(keys), key])
        channel = "meeting" if i % 37 == 0 else "email"
        when = rng.randint(0, 120)  # many equal times: order falls back to ids
        records.append(mail(key, when, pick[0], tuple(pick[1:]), subject, reply_to, refs, channel))
    half = len(records) // 2
    add(db, *records[:half])
    derive_threads(db)
    add(db, *records[half:])
    derive_threads(db)
    rows = db.fast_rows("SELECT id, thread_id, parent_id FROM interactions WHERE channel = 'email'")
    got = {iid: (t, p) for iid, t, p in rows}
    assert got == reference_threads(db)
    assert derive_threads(db) == 0
