"""A newsletter stays bulk both ways: the user's "unsubscribe" reply makes no tie of it."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from closeknit.store import Store, derive, pending
from test_cli import cli

ME = "me@home.example"
NEWS = "news@letters.example"
FRIEND = "jane.doe@corp.example"
END = datetime(2026, 11, 20, 9, tzinfo=UTC)


def message(n: int, sender: str, to: str, when: datetime, extra: str = "", reply_to: int | None = None) -> str:
    head = (f"From {sender} {when.strftime('%a %b %d %H:%M:%S %Y')}\nFrom: {sender}\nTo: {to}\n"
            f"Date: {format_datetime(when)}\nMessage-ID: <m{n}@test.example>\nSubject: issue {n}\n{extra}")
    if reply_to is not None:
        head += f"In-Reply-To: <m{reply_to}@test.example>\n"
    return head + "\nhello\n\n"


def mailbox(path: Path, friend_bulk: int = 1) -> Path:
    """Weekly newsletters with list headers and one reply to them; weekly exchanges with a friend, `friend_bulk`
    of whose messages carry a bulk flag (a message sent through a list)."""
    out, n = [], 0
    for week in range(8):
        when = END - timedelta(days=7 * week)
        out.append(message(n, NEWS, ME, when, "List-Unsubscribe: <mailto:leave@letters.example>\n"))
        out.append(message(n + 1, ME, FRIEND, when + timedelta(hours=1)))
        flag = "Precedence: bulk\n" if week < friend_bulk else ""
        out.append(message(n + 2, FRIEND, ME, when + timedelta(hours=3), flag, reply_to=n + 1))
        n += 3
    out.append(message(n, ME, NEWS, END - timedelta(days=3), "", reply_to=0))  # "unsubscribe"
    path.write_text("".join(out), encoding="utf-8")
    return path


def person(db: Path, address: str) -> dict[str, object]:
    return json.loads(cli(db, "show", address, "--json").stdout)  # type: ignore[no-any-return]


def test_an_unsubscribe_reply_makes_no_tie(tmp_path: Path) -> None:
    db = tmp_path / "b.db"
    cli(db, "import", "mail", str(mailbox(tmp_path / "box.mbox")), "--me", ME)
    cli(db, "score", "--as-of", END.date().isoformat())
    circle = {p["id"] for p in json.loads(cli(db, "circle", "--json").stdout)}
    news, friend = person(db, NEWS), person(db, FRIEND)
    assert news["id"] not in circle and news["tier"] in (None, "collected"), news
    assert friend["id"] in circle and friend["tier"] not in (None, "collected"), friend  # once bulk, still a tie
    with sqlite3.connect(db) as con:
        reply = con.execute("SELECT bulk FROM interactions WHERE direction = 'out' AND subject = 'issue 24'").fetchone()
        to_friend = con.execute("SELECT count(*) FROM interactions WHERE direction = 'out' AND bulk != ''").fetchone()
    assert reply == (derive.TO_BULK_SENDER,) and to_friend == (1,)  # the reply alone; raw rows kept
    explained = json.loads(cli(db, "explain", NEWS, "--json", check=False).stdout or "{}")
    assert not explained.get("features", {}).get("n_out")  # nothing the user sent counts toward it


def test_the_derivation_is_redone_and_undone(tmp_path: Path) -> None:
    # A correspondent whose mail was mostly bulk at first: once they write in person, the user's mail to them counts.
    db = tmp_path / "u.db"
    cli(db, "import", "mail", str(mailbox(tmp_path / "box.mbox", friend_bulk=8)), "--me", ME)
    with Store(db) as store:
        friend = store.scalar("SELECT person_id FROM identifiers WHERE value = :v", {"v": FRIEND})
        assert friend in derive.bulk_senders(store)
        marked = store.scalar("SELECT count(*) FROM interactions WHERE bulk = :r", {"r": derive.TO_BULK_SENDER})
        assert marked == 9  # eight messages to the friend and the reply to the newsletter
        assert derive.derive_bulk_replies(store) == 0  # done once, done
        store.execute("UPDATE interactions SET bulk = '' WHERE direction = 'in' AND bulk LIKE 'Precedence%'")
        store.set_setting(pending.DERIVE, True)  # as an import that stored rows and was cut before deriving
        pending.finish(store, "US")
        assert friend not in derive.bulk_senders(store)
        assert store.rows("SELECT count(*) FROM interactions WHERE bulk = :r", {"r": derive.TO_BULK_SENDER}) == [(1,)]
