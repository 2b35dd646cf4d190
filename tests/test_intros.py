"""Introductions on a small network the test writes (vCards, a mailbox): the double opt-in both ways, declines,
illegal moves, what waits on whom, drafts that parse back and cannot take headers from a name or a why, the favor
recorded once, and merges."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from email.utils import format_datetime
from pathlib import Path

import pytest

from closeknit.identity.normalise import first_name
from closeknit.intros import workflow
from closeknit.intros.drafts import Draft, Person
from test_cli import cli
from test_search import card

ME = "sam.lee@home.example"  # the user, named from their address


BOOK = "".join([
    card("Ana Sousa", "ana@lidar.example", "Perception Lead", "Lidar Works"),
    card("Ben Okafor", "ben@seedfund.example", "Partner", "Seed Fund"),
    card("Cai Wen", "cai@cai.example", "Robotics Engineer", "Cai Robotics"),
])


def mailbox(path: Path, who: list[str], weeks: int = 6) -> Path:
    """A weekly exchange with each of `who`, ending two days ago: Sam (the user) writes, they answer."""
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
    out = []
    for n, addr in enumerate(who):
        for i in range(weeks):
            when = end - timedelta(days=7 * i, hours=n)
            for j, (a, b) in enumerate(((f"Sam Lee <{ME}>", addr), (addr, f"Sam Lee <{ME}>"))):
                at = when + timedelta(hours=j)
                out.append(f"From x {at.strftime('%a %b %d %H:%M:%S %Y')}\nFrom: {a}\nTo: {b}\n"
                           f"Date: {format_datetime(at)}\nMessage-ID: <m{n}-{i}-{j}@{path.stem}.example>\n"
                           f"Subject: catching up {i}\n\nhello\n\n")
    path.write_text("".join(out), encoding="utf-8")
    return path


def js(db: Path, *args: str) -> dict:
    return json.loads(cli(db, *args, "--json").stdout)


def refused(db: Path, *args: str) -> str:
    proc = cli(db, *args, check=False)
    assert proc.returncode != 0, args
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    return lines[0]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "c.db"
    book = tmp_path / "book.vcf"
    book.write_text(BOOK, encoding="utf-8")
    cli(path, "import", "vcard", str(book))
    cli(path, "import", "mail", str(mailbox(tmp_path / "box.mbox", ["ana@lidar.example"])), "--me", ME)
    return path


def ledger(db: Path) -> dict:
    return js(db, "ledger")


def test_you_ask_a_connector_the_whole_double_opt_in(db: Path) -> None:
    intro = js(db, "intro", "request", "ben@seedfund.example", "--via", "ana@lidar.example",
               "--why", "I am raising a seed round")
    iid = intro["id"]
    assert (intro["kind"], intro["state"]) == ("via", "requested")
    assert intro["seeker"]["you"] and intro["connector"]["name"] == "Ana Sousa"
    assert intro["waiting_on"]["role"] == "connector" and intro["waiting_on"]["name"] == "Ana Sousa"
    draft = intro["draft"]
    assert [p["email"] for p in draft["to"]] == ["ana@lidar.example"]
    assert draft["body"].startswith("Hi Ana,") and "Ben Okafor" in draft["body"] and "seed round" in draft["body"]
    assert draft["body"].rstrip().endswith("Sam")  # the user's name, from me
    assert draft["mailto"].startswith("mailto:ana@lidar.example?subject=")
    assert Path(intro["eml"]).parent == db.parent / "drafts"

    assert js(db, "intro", "accept", str(iid))["waiting_on"]["role"] == "target"
    agreed = js(db, "intro", "accept", str(iid), "--by", "target")
    assert agreed["state"] == "target_agreed" and agreed["waiting_on"] == {
        "role": "connector", "id": agreed["connector"]["id"], "name": "Ana Sousa", "what": "to make the introduction"}
    made = js(db, "intro", "done", str(iid))
    assert made["state"] == "introduced" and made["waiting_on"]["role"] == "you"
    assert [p["email"] for p in made["draft"]["to"]] == ["ben@seedfund.example"]

    ana = next(p for p in ledger(db)["people"] if p["name"] == "Ana Sousa")
    assert (ana["gave"], ana["got"]) == (0, 1)
    history = js(db, "ledger", "ana@lidar.example")["favors"]
    assert [(f["direction"], f["kind"], f["what"]) for f in history] == [
        ("got", "intro", "an introduction to Ben Okafor")]

    # Saying done again changes nothing: the favor is recorded once per intro.
    again = cli(db, "intro", "done", str(iid))
    assert "already introduced; nothing changed" in again.stderr
    assert js(db, "intro", "done", str(iid))["state"] == "introduced"
    assert ledger(db)["total"]["got"] == 1

    closed = js(db, "intro", "outcome", str(iid), "they invested", "--value", "250")
    assert (closed["state"], closed["outcome"], closed["value"]) == ("outcome", "they invested", 250)
    assert closed["waiting_on"] is None and closed["draft"]["body"].startswith("Hi Ana,")
    assert ledger(db)["total"]["value_got"] == 250 and ledger(db)["total"]["got"] == 1
    assert js(db, "intro", "outcome", str(iid), "they invested twice", "--value", "300")["value"] == 300
    assert ledger(db)["total"]["value_got"] == 300

    assert [e["state"] for e in js(db, "intro", "show", str(iid))["history"]] == [
        "requested", "connector_agreed", "target_agreed", "introduced", "outcome", "outcome"]
    assert js(db, "intro", "list") == []  # finished: only with --all
    assert [r["id"] for r in js(db, "intro", "list", "--all")] == [iid]


def test_you_introduce_two_contacts_and_wait_on_both(db: Path) -> None:
    intro = js(db, "intro", "request", "ben@seedfund.example", "--for", "Cai Wen", "--why", "robotics seed round")
    iid = str(intro["id"])
    assert (intro["kind"], intro["state"]) == ("for", "connector_agreed")  # your own agreement is implicit
    assert [(e["state"], e["by"]) for e in intro["history"]] == [("requested", "you"), ("connector_agreed", "you")]
    assert intro["waiting_on"]["role"] == "seeker" and intro["waiting_on"]["name"] == "Cai Wen"
    assert intro["draft"]["body"].startswith("Hi Cai,")

    assert refused(db, "intro", "accept", iid, "--by", "target") == (
        f"error: intro {iid} waits on the seeker first, not the target")
    assert js(db, "intro", "accept", iid)["state"] == "seeker_agreed"
    asked = js(db, "intro", "show", iid)
    assert asked["waiting_on"]["role"] == "target" and asked["draft"]["body"].startswith("Hi Ben,")
    both = js(db, "intro", "accept", iid, "--by", "target")
    assert both["waiting_on"]["role"] == "you"
    assert sorted(p["email"] for p in both["draft"]["to"]) == ["ben@seedfund.example", "cai@cai.example"]
    assert "Cai Wen, meet Ben Okafor" in both["draft"]["body"]

    js(db, "intro", "done", iid)
    js(db, "intro", "done", iid)
    cai = next(p for p in ledger(db)["people"] if p["name"] == "Cai Wen")
    assert (cai["gave"], cai["got"]) == (1, 0)


def test_a_decline_closes_the_intro(db: Path) -> None:
    iid = str(js(db, "intro", "request", "ben@seedfund.example", "--via", "ana@lidar.example")["id"])
    js(db, "intro", "accept", iid)
    declined = js(db, "intro", "decline", iid, "--by", "target")
    assert declined["state"] == "declined" and declined["waiting_on"] is None and declined["draft"] is None
    assert declined["history"][-1] == {**declined["history"][-1], "state": "declined", "by": "target"}
    assert refused(db, "intro", "accept", iid) == f"error: intro {iid} is already declined"
    assert refused(db, "intro", "done", iid) == f"error: intro {iid} is already declined"
    assert refused(db, "intro", "decline", iid) == f"error: intro {iid} is already declined"
    assert js(db, "intro", "list") == []
    assert [r["state"] for r in js(db, "intro", "list", "--all")] == ["declined"]
    assert ledger(db)["total"]["got"] == 0

    # The connector may decline at once, too.
    other = str(js(db, "intro", "request", "Cai Wen", "--via", "ana@lidar.example")["id"])
    assert js(db, "intro", "decline", other)["history"][-1]["by"] == "connector"


def test_illegal_moves_are_one_line_errors(db: Path) -> None:
    via = str(js(db, "intro", "request", "ben@seedfund.example", "--via", "ana@lidar.example")["id"])
    mine = str(js(db, "intro", "request", "ben@seedfund.example", "--for", "Cai Wen")["id"])
    assert refused(db, "intro", "done", via).startswith(f"error: intro {via} waits on the connector to agree")
    assert refused(db, "intro", "outcome", via, "great") == (
        f"error: intro {via} is not introduced yet: closeknit intro done {via} once it is")
    assert refused(db, "intro", "accept", via, "--by", "seeker") == (
        f"error: you are the seeker of intro {via}: use --by connector or target")
    assert refused(db, "intro", "accept", mine, "--by", "connector") == (
        f"error: you are the connector of intro {mine}: use --by seeker or target")
    assert "unknown --by 'tagret'" in refused(db, "intro", "accept", via, "--by", "tagret")
    assert refused(db, "intro", "accept", "99") == "error: no intro 99 (see closeknit intro list --all)"
    assert cli(db, "intro", "accept", "99", check=False).returncode == 3
    assert "not both" in refused(db, "intro", "request", "Cai Wen", "--via", "Ana Sousa", "--for", "Ben Okafor")
    assert refused(db, "intro", "request", "me", "--via", "Ana Sousa") == "error: the target cannot be you"
    assert refused(db, "intro", "request", "ben@seedfund.example", "--via", "Ana Sousa") == (
        f"error: intro {via} is already under way between these people (closeknit intro show {via})")
    assert refused(db, "intro", "request", "Ana Sousa", "--via", "Ana Sousa") == (
        "error: the target and the connector are the same person")
    for step in ("accept", "accept"):
        cli(db, "intro", step, via)
    assert "both have agreed" in refused(db, "intro", "accept", via)
    cli(db, "intro", "done", via)
    assert refused(db, "intro", "accept", via).startswith(f"error: intro {via} is already introduced")
    assert refused(db, "intro", "decline", via).startswith(f"error: intro {via} is already introduced")


def test_list_says_whom_each_waits_on_and_for_how_long(db: Path) -> None:
    first = js(db, "intro", "request", "ben@seedfund.example", "--via", "ana@lidar.example")["id"]
    second = js(db, "intro", "request", "ben@seedfund.example", "--for", "Cai Wen")["id"]
    js(db, "intro", "accept", str(second))
    long_ago = (datetime.now(UTC) - timedelta(days=5, hours=1)).replace(microsecond=0).isoformat()
    with sqlite3.connect(db) as con:
        con.execute("UPDATE intros SET updated_at = ? WHERE id = ?", (long_ago, second))
    rows = js(db, "intro", "list")
    assert [r["id"] for r in rows] == [second, first]  # the longest waiting first
    assert (rows[0]["days"], rows[0]["waiting_on"]["role"], rows[0]["waiting_on"]["name"]) == (5, "target",
                                                                                               "Ben Okafor")
    assert (rows[1]["days"], rows[1]["waiting_on"]["role"]) == (0, "connector")
    text = cli(db, "intro", "list").stdout
    assert "target: Ben Okafor to agree" in text and "connector: Ana Sousa" in text
    assert "you introduce Cai Wen to Ben" in text


def test_the_eml_parses_back_and_a_why_or_a_name_adds_no_header(db: Path, tmp_path: Path) -> None:
    cli(db, "edit", "ben@seedfund.example", "--name", "Ben\r\nX-Name-Evil: yes")
    out = tmp_path / "out"
    intro = js(db, "intro", "request", "ben@seedfund.example", "--for", "Cai Wen", "--eml", str(out),
               "--why", "you both like robots\r\nBcc: evil@attacker.example\r\n\r\nX-Evil: 1")
    iid = str(intro["id"])
    js(db, "intro", "accept", iid)
    shown = js(db, "intro", "accept", iid, "--by", "target", "--eml", str(out))
    path = Path(shown["eml"])
    assert path.parent == out and path.name == f"intro-{iid}-target_agreed.eml"
    msg = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert msg["X-Unsent"] == "1"
    assert msg["Bcc"] is None and msg["X-Evil"] is None
    assert sorted(a.addr_spec for a in msg["To"].addresses) == ["ben@seedfund.example", "cai@cai.example"]
    assert msg["From"].addresses[0].addr_spec == ME and msg["From"].addresses[0].display_name == "Sam Lee"
    assert msg["Subject"] == "Introduction: Cai <> Ben"
    body = msg.get_content()
    assert "Bcc: evil@attacker.example" in body and "X-Evil: 1" in body
    assert "Ben\nX-Name-Evil: yes" in body and msg["X-Name-Evil"] is None  # the name's line break stays in the body
    assert [a.display_name for a in msg["To"].addresses if a.username == "ben"] == ["Ben X-Name-Evil: yes"]
    assert not any("attacker" in str(v) for k, v in msg.items() if k != "To")
    assert all("attacker" not in a.addr_spec for a in msg["To"].addresses)


def test_a_draft_folder_that_cannot_be_written_is_a_warning(db: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    proc = cli(db, "intro", "request", "Cai Wen", "--via", "Ana Sousa", "--eml", str(blocker / "sub"))
    assert "warning: cannot write the draft in" in proc.stderr and "Hi Ana," in proc.stdout
    assert js(db, "intro", "show", "1")["state"] == "requested"


def test_a_draft_without_an_address_is_still_written() -> None:
    draft = Draft(step="ask", to=[Person("Dee Marsh")], subject="Hi\nthere", body="hello\n", missing=["Dee Marsh"])
    msg = BytesParser(policy=policy.default).parsebytes(draft.eml())
    assert msg["To"] is None and msg["X-Unsent"] == "1" and msg.get_content() == "hello\n"
    assert draft.mailto() == "mailto:?subject=Hi%0Athere&body=hello%0A"


def test_a_connector_known_only_from_linkedin_gets_the_draft_as_a_linkedin_message(db: Path, tmp_path: Path) -> None:
    export = tmp_path / "export"
    export.mkdir()
    (export / "Connections.csv").write_text(
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        "Eve,Quist,https://www.linkedin.com/in/eve-quist,,Harbor Labs,CTO,1 Mar 2024\n", encoding="utf-8")
    cli(db, "import", str(export))
    shown = js(db, "intro", "request", "Ben Okafor", "--via", "Eve Quist", "--eml", str(tmp_path / "drafts"))
    [to] = shown["draft"]["to"]
    assert to == {"name": "Eve Quist", "email": None, "profile": "https://www.linkedin.com/in/eve-quist"}
    said = cli(db, "intro", "show", str(shown["id"])).stderr
    assert "no email address for Eve Quist: send the text as a LinkedIn message" \
           " (https://www.linkedin.com/in/eve-quist)" in said
    drafts = str(tmp_path / "drafts")
    ana = js(db, "intro", "request", "Ben Okafor", "--via", "Ana Sousa", "--eml", drafts)["draft"]["to"]
    assert ana == [{"name": "Ana Sousa", "email": "ana@lidar.example", "profile": None}]


def test_merging_people_moves_their_intros_and_ignored_people_keep_theirs(db: Path, tmp_path: Path) -> None:
    iid = js(db, "intro", "request", "ben@seedfund.example", "--via", "ana@lidar.example")["id"]
    extra = tmp_path / "more.csv"
    extra.write_text("First Name,Last Name,E-mail Address\nBenjamin,Okafor,benjamin@home.example\n", encoding="utf-8")
    cli(db, "import", "csv", str(extra))
    ids = {e: p["id"] for p in json.loads(cli(db, "people", "--json").stdout) for e in p["emails"]}
    keep = ids["benjamin@home.example"]
    ben = js(db, "intro", "show", str(iid))["target"]["id"]
    cli(db, "merge", str(keep), str(ben))
    moved = js(db, "intro", "show", str(iid))
    assert moved["target"]["id"] == keep
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT count(*) FROM intros WHERE ? IN (seeker_id, connector_id, target_id)",
                           (ben,)).fetchone() == (0,)
    cli(db, "ignore", "ana@lidar.example")
    assert iid in [r["id"] for r in js(db, "intro", "list")]  # an ignored connector's intro still shows
    assert js(db, "intro", "show", str(iid))["connector"]["name"] == "Ana Sousa"


def test_first_name_and_the_workflow_steps() -> None:
    assert [first_name(n) for n in ("Ana Maria Sousa", "Sousa, Ana", "Dr. Ana Sousa", "Cher", "")] == [
        "Ana", "Ana", "Ana", "Cher", ""]
    assert workflow.waiting("via", "requested") == workflow.Waiting("connector", "to agree to introduce you")
    assert workflow.waiting("for", "outcome") is None and workflow.waiting("via", "declined") is None
    assert workflow.accept(1, "for", "seeker_agreed", None) == ("target_agreed", "target")
