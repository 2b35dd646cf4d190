""""Me" as a set of addresses: inferred from every sent folder, not fooled by an assistant, managed by hand."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from closeknit.pipeline.importer import run_import
from closeknit.store import Store, derive, scores

EXEC = "Dana Whitfield <dana.whitfield@corp.example>"
EXEC_HOME = "Dana Whitfield <dana@home.example>"
ASSISTANT = "Pat Moreno <pat.moreno@corp.example>"
BOSS = "Lee Carver <lee.carver@corp.example>"


def message(n: int, frm: str, to: str, sender: str = "") -> str:
    return (
        f"From MAILER-DAEMON Thu Jan  1 00:00:00 2022\n"
        f"Message-ID: <m{n}@corp.example>\nDate: Mon, {1 + n % 27} Mar 2021 10:{n % 60:02d}:00 +0000\n"
        f"From: {frm}\n" + (f"Sender: {sender}\n" if sender else "") +
        f"To: {to}\nSubject: note {n}\n\nbody {n}\n\n"
    )


def mailbox(folder: Path, sent: list[tuple[str, str]], inbox_to: list[str]) -> Path:
    """A mail folder: `sent` as (From, Sender) pairs in sent.mbox, and one inbox message to each of `inbox_to`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sent.mbox").write_text(
        "".join(message(i, frm, f"Contact {i % 7} <c{i % 7}@other.example>", sender)
                for i, (frm, sender) in enumerate(sent)), encoding="utf-8")
    (folder / "inbox.mbox").write_text(
        "".join(message(1000 + i, f"Contact {i % 5} <c{i % 5}@other.example>", to) for i, to in enumerate(inbox_to)),
        encoding="utf-8")
    return folder


def contacts_with(db: Store, address: str) -> int:
    return int(db.scalar(
        "SELECT count(*) FROM identifiers i JOIN people p ON p.id = i.person_id WHERE i.value = :a AND p.is_me = 0",
        {"a": address},
    ))


def test_me_given_one_address_takes_in_the_owners_other(tmp_path: Path) -> None:
    box = mailbox(tmp_path / "mail", [(EXEC, "")] * 20 + [(EXEC_HOME, "")] * 6, [EXEC] * 30)
    with Store(tmp_path / "t.db") as db:
        result = run_import(db, box, me=["dana.whitfield@corp.example"])
        assert result.me == ["dana.whitfield@corp.example", "dana@home.example"]
        assert contacts_with(db, "dana@home.example") == 0
        assert derive.not_me_senders(db) == {}
        assert db.scalar("SELECT count(*) FROM interactions WHERE folder = 'sent' AND direction != 'out'") == 0


def test_me_given_an_address_known_by_no_name_takes_in_no_other(tmp_path: Path) -> None:
    # Only a name tells another address is the user's: the mail names neither address given, but the second's
    # local part is a full name, the owner's, whose sent mail this is.
    box = mailbox(tmp_path / "mail", [(EXEC, "")] * 20 + [(EXEC_HOME, "")] * 6, [EXEC] * 30)
    for given, me in (("robin@elsewhere.example", ["robin@elsewhere.example"]),
                      ("dana.whitfield@elsewhere.example",
                       ["dana.whitfield@corp.example", "dana.whitfield@elsewhere.example", "dana@home.example"])):
        with Store(tmp_path / f"{given}.db") as db:
            assert run_import(db, box, me=[given]).me == me


def test_an_assistant_sending_most_of_the_sent_mail_is_not_me(tmp_path: Path) -> None:
    # The assistant sends 45 of the executive's 50 sent messages, but the mail is addressed to the executive.
    box = mailbox(tmp_path / "mail", [(ASSISTANT, "")] * 45 + [(EXEC, "")] * 5, [EXEC] * 40 + [ASSISTANT] * 2)
    with Store(tmp_path / "t.db") as db:
        result = run_import(db, box)
        assert result.me == ["dana.whitfield@corp.example"]
        assert derive.not_me_senders(db) == {"pat.moreno@corp.example": 45}
        assert contacts_with(db, "pat.moreno@corp.example") == 1


def test_delegates_are_recognised_by_their_sender_header(tmp_path: Path) -> None:
    # The executive's mailbox: the assistant sends as the executive (Sender: assistant, From: executive).
    box = mailbox(tmp_path / "exec", [(EXEC, ASSISTANT)] * 30, [EXEC] * 10)
    with Store(tmp_path / "e.db") as db:
        assert run_import(db, box).me == ["dana.whitfield@corp.example"]
        assert derive.not_me_senders(db) == {}  # the delegate sends as me: no warning
        assert db.scalar("SELECT count(*) FROM interactions WHERE folder = 'sent' AND direction = 'out'") == 30
    # The assistant's own mailbox: sent on the boss's behalf (From: boss, Sender: me) is still sent by me.
    box = mailbox(tmp_path / "assistant", [(BOSS, ASSISTANT)] * 12 + [(ASSISTANT, "")] * 3, [ASSISTANT] * 20)
    with Store(tmp_path / "a.db") as db:
        assert run_import(db, box).me == ["pat.moreno@corp.example"]
        assert db.scalar("SELECT count(*) FROM interactions WHERE folder = 'sent' AND direction = 'out'") == 15
        assert derive.not_me_senders(db) == {"lee.carver@corp.example": 12}


def cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CLOSEKNIT_DB": str(db), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-c", "from closeknit.cli.main import run; run()", *args],
                          capture_output=True, text=True, env=env, check=False)


def test_me_add_remove_list(tmp_path: Path) -> None:
    box = mailbox(tmp_path / "mail", [(ASSISTANT, "")] * 8 + [(EXEC, "")] * 10, [EXEC] * 20)
    db = tmp_path / "t.db"
    imported = cli(db, "import", str(box))
    assert imported.returncode == 0
    assert "1 address not yours sent 8 messages from your sent folders" in imported.stderr
    listed = json.loads(cli(db, "me", "list", "--json").stdout)
    assert listed["me"] == ["dana.whitfield@corp.example"]
    assert listed["other_senders"] == {"pat.moreno@corp.example": 8}
    assert cli(db, "me", "add", "dana@home.example").returncode == 0
    assert cli(db, "me", "remove", "dana.whitfield@corp.example").returncode == 0
    assert json.loads(cli(db, "me", "list", "--json").stdout)["me"] == ["dana@home.example"]
    with Store(db) as store:
        assert contacts_with(store, "dana.whitfield@corp.example") == 1
    again = cli(db, "import", str(box))  # a removed address is never inferred again
    assert again.returncode == 0
    listed = json.loads(cli(db, "me", "list", "--json").stdout)
    assert listed["me"] == ["dana@home.example"] and listed["not_me"] == ["dana.whitfield@corp.example"]
    dismissed = cli(db, "me", "remove", "pat.moreno@corp.example")  # the delegate: not suggested again
    assert dismissed.returncode == 0 and "pat.moreno@corp.example is not yours" in dismissed.stderr
    listed = json.loads(cli(db, "me", "list", "--json").stdout)
    assert listed["other_senders"] == {} and "pat.moreno@corp.example" in listed["not_me"]
    assert listed["me"] == ["dana@home.example"]
    bad = cli(db, "me", "remove", "nobody")
    assert bad.returncode != 0 and "not an email address" in bad.stderr


def test_an_address_you_write_to_that_looks_like_yours_is_suggested(tmp_path: Path) -> None:
    """A private address the user forwards mail to (their local part with digits, their full name or its initial
    form) is suggested as theirs at import and in `me list`; another person of the same family name is not;
    `me remove` dismisses."""
    sent = [(EXEC, "")] * 10
    box = mailbox(tmp_path / "mail", sent, [EXEC] * 20)
    extra = "".join(message(2000 + i, EXEC, to) for i, to in enumerate(
        ["dana.whitfield70@home.example", "Dana Whitfield <dw@private.example>", "lee.whitfield@corp.example",
         "dwhitfield@mail.example", "lwhitfield@corp.example"] * 2))
    (box / "sent2.mbox").write_text(extra, encoding="utf-8")
    # Mail filed in a folder of the mailbox, addressed to an old address of the user's that spells their name
    # (too little of it to be taken for the user's without asking).
    (box / "projects.mbox").write_text(message(3000, BOSS, "dana.m.whitfield@old.example"), encoding="utf-8")
    db = tmp_path / "t.db"
    imported = cli(db, "import", str(box))
    assert imported.returncode == 0
    assert "note: your mail goes to dana.whitfield70@home.example, dw@private.example, dwhitfield@mail.example …," \
        " which look like yours" in imported.stderr
    listed = json.loads(cli(db, "me", "list", "--json").stdout)
    assert listed["look_alike"] == {"dana.whitfield70@home.example": 2, "dw@private.example": 2,
                                    "dwhitfield@mail.example": 2, "dana.m.whitfield@old.example": 1}
    assert cli(db, "me", "remove", "dw@private.example").returncode == 0
    assert cli(db, "me", "remove", "dwhitfield@mail.example").returncode == 0
    assert cli(db, "me", "add", "dana.m.whitfield@old.example").returncode == 0
    assert cli(db, "me", "add", "dana.whitfield70@home.example").returncode == 0
    listed = json.loads(cli(db, "me", "list", "--json").stdout)
    assert listed["look_alike"] == {} and "dana.whitfield70@home.example" in listed["me"]


def test_a_delegate_writing_in_my_name_from_their_own_address_is_not_me(tmp_path: Path) -> None:
    in_my_name = "Dana Whitfield <pat.moreno@corp.example>"
    box = mailbox(tmp_path / "mail", [(in_my_name, "")] * 30 + [(EXEC, "")] * 10, [EXEC] * 30)
    with Store(tmp_path / "t.db") as db:
        assert run_import(db, box).me == ["dana.whitfield@corp.example"]
        assert derive.not_me_senders(db) == {"pat.moreno@corp.example": 30}
        # Still my sent mail: sent on my behalf.
        assert db.scalar("SELECT count(*) FROM interactions WHERE folder = 'sent' AND direction = 'out'") == 40
        # ...and the delegate who sent it is no counterpart of it: only its recipients are.
        pat = db.scalar("SELECT person_id FROM identifiers WHERE value = 'pat.moreno@corp.example'")
        counterparts = {row[0] for chunk in scores.interaction_chunks(db, scores.channels(db)) for row in chunk}
        assert pat not in counterparts and len(counterparts) == 7
