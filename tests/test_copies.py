"""Copies of one message filed in several folders count once, whatever Message-ID each copy carries."""

from __future__ import annotations

from pathlib import Path

from closeknit.pipeline.importer import run_import
from closeknit.store import Store

ME = "Robin Hale <robin.hale@firm.example>"


def message(msgid: str, frm: str, to: str, subject: str, minute: int, cc: str = "") -> str:
    return (
        "From MAILER-DAEMON Thu Jan  1 00:00:00 2022\n"
        f"Message-ID: <{msgid}@firm.example>\nDate: Tue, 6 Apr 2021 09:{minute:02d}:00 -0500\n"
        f"From: {frm}\nTo: {to}\n" + (f"Cc: {cc}\n" if cc else "") + f"Subject: {subject}\n\nbody\n\n"
    )


def folders(root: Path) -> Path:
    """sent, all_documents and discussion_threads holding copies of the same messages, each copy its own id."""
    messages = [  # (From, To, Cc, subject, minute): five distinct messages
        (ME, "Ali Khan <ali@client.example>", "", "Budget", 1),
        (ME, "Ali Khan <ali@client.example>", "", "Budget", 2),  # a minute later: another message
        (ME, "Ali Khan <ali@client.example>", "Bo Ek <bo@client.example>", "Budget", 1),  # other recipients
        (ME, "Bo Ek <bo@client.example>", "", "Re: Plans", 5),
        ("Ali Khan <ali@client.example>", ME, "", "Plans", 3),
    ]
    root.mkdir()
    for folder, copies in (("sent", [0, 1, 2, 3]), ("all_documents", [0, 1, 2, 3, 4]),
                           ("discussion_threads", [0, 3, 4]), ("inbox", [4])):
        (root / f"{folder}.mbox").write_text("".join(
            message(f"{folder}.{i}", *messages[i][:2], messages[i][3], messages[i][4], cc=messages[i][2])
            # a copy may spell the subject's prefix otherwise ("RE:" for "Re:")
            .replace("Subject: Re:", "Subject: RE:" if folder == "all_documents" else "Subject: Re:")
            for i in copies), encoding="utf-8")
    return root


def test_copies_in_several_folders_count_once(tmp_path: Path) -> None:
    box = folders(tmp_path / "mail")
    with Store(tmp_path / "t.db") as db:
        first = run_import(db, box)
        assert first.messages == 4 + 5 + 3 + 1
        assert first.interactions == 5 and first.duplicates == 8
        assert db.scalar("SELECT count(*) FROM interactions WHERE direction = 'out'") == 4
        # The message kept is filed where its copies tell most: sent mail in "sent", received in "inbox".
        assert dict(db.fast_rows("SELECT folder, count(*) FROM interactions GROUP BY 1")) == {"sent": 4, "inbox": 1}
        ali = db.scalar("SELECT person_id FROM identifiers WHERE value = 'ali@client.example'")
        assert db.scalar("SELECT count(*) FROM interaction_parties WHERE person_id = :p", {"p": ali}) == 4
        again = run_import(db, box)
        assert (again.interactions, again.unchanged, again.duplicates) == (0, 5, 8)


def test_copies_met_in_a_later_import_are_known(tmp_path: Path) -> None:
    box = folders(tmp_path / "mail")
    with Store(tmp_path / "t.db") as db:
        assert run_import(db, box / "sent.mbox", me=["robin.hale@firm.example"]).interactions == 4
        later = run_import(db, box / "all_documents.mbox")
        assert (later.interactions, later.duplicates) == (1, 4)
        assert db.scalar("SELECT count(*) FROM interactions") == 5
    with Store(tmp_path / "u.db") as db:  # the other way round: the stored copy moves to the sent folder
        run_import(db, box / "all_documents.mbox", me=["robin.hale@firm.example"])
        run_import(db, box / "sent.mbox")
        assert dict(db.fast_rows("SELECT folder, count(*) FROM interactions GROUP BY 1")) == {
            "sent": 4, "all_documents": 1}
