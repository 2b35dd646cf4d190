"""A LinkedIn export is one network: messages meet connections, replies link, placeholders are nobody."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from closeknit.pipeline import scoring
from closeknit.pipeline.importer import ImportResult, run_import
from closeknit.records import InteractionRecord
from closeknit.sources import linkedin
from closeknit.store import Store
from closeknit.store import scores as score_store
from conftest import shared

PREAMBLE = 'Notes:\n"When exporting your connection data, some of the email addresses may be missing."\n\n'
CONNECTIONS_2022 = "First Name,Last Name,Email Address,Company,Position,Connected On\n"
CONNECTIONS_2025 = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
MESSAGES_2022 = "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,DATE,SUBJECT,CONTENT,FOLDER\n"
MESSAGES_2025 = (
    "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,"
    "FOLDER,ATTACHMENTS,IS MESSAGE DRAFT\n"
)
CONTACTS_2025 = (
    "Source,First Name,Last Name,Companies,Title,Emails,Phone Numbers,Created At,Addresses,Sites,"
    "Instant Message Handles,Full Name,Birthday,Location,Bookmarked At,Profiles\n"
)
IMPORTED_CONTACTS_2018 = (
    "First Name,Last Name,Companies,Title,Email Address,Phone Numbers,Created At,Instant Message Handles,"
    "Addresses,Sites,Full Name,Birthday,Location,Bookmarked At,Profiles\n"
)
GOOGLE = "First Name,Last Name,E-mail 1 - Label,E-mail 1 - Value\n"
IN = "https://www.linkedin.com/in/"
OWNER = f"{IN}ACoAAOwner"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def export_2025(folder: Path) -> Path:
    """An export of the current layout: connections with vanity URLs, messages with member-id URLs."""
    write(folder / "Connections.csv", PREAMBLE + CONNECTIONS_2025
          + f"Ada,Example,{IN}ada-example,,Acme,Engineer,10 Jan 2024\n"
          + f"Bob,Sample,{IN}bob-sample,,Initech,CEO,11 Jan 2024\n"
          + f"Cy,Person,{IN}cy-person,,Globex,Analyst,12 Jan 2024\n")
    write(folder / "Profile.csv", "First Name,Last Name,Headline\nOwner,Person,Builder\n")
    write(folder / "messages.csv", MESSAGES_2025
          # Ada writes first under her member-id URL; I answer; she answers again.
          + f"c1,,Ada Example,{IN}ACoAAAda,Owner Person,{OWNER},2025-01-10 10:00:00 UTC,,hello,INBOX,,No\n"
          + f"c1,,Owner Person,{OWNER},Ada Example,{IN}ACoAAAda,2025-01-10 11:00:00 UTC,,hi,INBOX,,No\n"
          + f"c1,,Ada Example,{IN}ACoAAAda,Owner Person,{OWNER},2025-01-11 09:00:00 UTC,,great,INBOX,,No\n"
          # I write to Bob twice, he answers; newest first, as LinkedIn writes them.
          + f"c2,,Bob Sample,{IN}ACoAABob,Owner Person,{OWNER},2025-02-03 08:00:00 UTC,,sure,INBOX,,No\n"
          + f"c2,,Owner Person,{OWNER},Bob Sample,{IN}ACoAABob,2025-02-02 08:00:00 UTC,,ping,INBOX,,No\n"
          + f"c2,,Owner Person,{OWNER},Bob Sample,{IN}ACoAABob,2025-02-01 08:00:00 UTC,,coffee?,INBOX,,No\n"
          # Two hidden members in unrelated conversations.
          + f"c3,,LinkedIn Member,,Owner Person,{OWNER},2025-03-01 08:00:00 UTC,,job,INBOX,,No\n"
          + f"c4,,LinkedIn Member,,Owner Person,{OWNER},2025-03-05 08:00:00 UTC,,event,INBOX,,No\n"
          # A promotion from LinkedIn itself and a sponsored message from a sender without a profile.
          + f"c5,Try Premium,Dana from LinkedIn Premium,,Owner Person,{OWNER},2025-03-07 08:00:00 UTC,,free,INBOX,,No\n"
          + f"c6,An offer,Eve Marketer,,Owner Person,{OWNER},2025-03-08 08:00:00 UTC,,deal,INBOX,,No\n")
    write(folder / "Invitations.csv", "From,To,Sent At,Message,Direction\n"
          'Owner Person,Cy Person,"1/5/24, 3:45 PM",,OUTGOING\n')
    write(folder / "Contacts.csv", CONTACTS_2025
          + "Phone,Fay,Friend,,,fay@example.com,+44 20 7946 0000,2024-01-01,,,,Fay Friend,,,,\n")
    write(folder / "Positions.csv", "Company Name,Title,Description,Location,Started On,Finished On\nAcme,Eng,,,,\n")
    write(folder / "Skills.csv", "Name\nPython\n")
    return folder


def people_named(db: Store, name: str) -> list[int]:
    return [p for (p,) in db.rows("SELECT id FROM people WHERE lower(name) = lower(:n)", {"n": name})]


def counts(db: Store) -> tuple[int, int, int, int]:
    return (int(db.scalar("SELECT count(*) FROM people")), int(db.scalar("SELECT count(*) FROM review_queue")),
            int(db.scalar("SELECT count(*) FROM interactions")), int(db.scalar("SELECT count(*) FROM identifiers")))


@pytest.fixture
def imported(tmp_path: Path) -> tuple[Store, Path, ImportResult]:
    folder = export_2025(tmp_path / "export")
    db = Store(tmp_path / "n.db")
    result = run_import(db, folder)
    return db, folder, result


# ---------------------------------------------------------------- one person per correspondent


def test_messages_find_connections_by_profile_url_and_name(imported: tuple[Store, Path, ImportResult]) -> None:
    db, _, _ = imported
    for name in ("Ada Example", "Bob Sample", "Cy Person"):
        assert len(people_named(db, name)) == 1, name
    (ada,) = people_named(db, "Ada Example")
    urls = {v for (v,) in db.rows("SELECT value FROM identifiers WHERE person_id = :p AND kind = 'linkedin'",
                                  {"p": ada})}
    assert len(urls) == 2  # the vanity URL of Connections.csv and the member-id URL of messages.csv
    assert [p for (p,) in db.rows("SELECT id FROM people WHERE is_me = 1")] == people_named(db, "Owner Person")
    assert int(db.scalar("SELECT count(*) FROM interaction_parties ip JOIN people p ON p.id = ip.person_id"
                         " WHERE p.name = 'Ada Example'")) == 3


def test_2022_layout_names_without_urls_are_one_person(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    write(folder / "Connections.csv", PREAMBLE + CONNECTIONS_2022
          + "Ada,Example,,Acme,Engineer,29-Aug-22\nBob,Sample,,Initech,CEO,28-Aug-22\n")
    write(folder / "messages.csv", MESSAGES_2022
          # I write to Gil (not a connection) by name first; Gil answers with his profile URL.
          + "g1,,Owner Person,https://www.linkedin.com/in/owner,Gil Stranger,2022-08-01 10:00:00 UTC,,hi,INBOX\n"
          + f"g1,,Gil Stranger,{IN}gil,Owner Person,2022-08-02 10:00:00 UTC,,hello,INBOX\n"
          + f"a1,,Ada Example,{IN}ada,Owner Person,2022-08-03 10:00:00 UTC,,q,INBOX\n"
          + "a1,,Owner Person,https://www.linkedin.com/in/owner,Ada Example,2022-08-04 10:00:00 UTC,,a,INBOX\n"
          + "b1,,Owner Person,https://www.linkedin.com/in/owner,Bob Sample,2022-08-05 10:00:00 UTC,,x,INBOX\n")
    with Store(tmp_path / "n.db") as db:
        run_import(db, folder)
        for name in ("Ada Example", "Bob Sample", "Gil Stranger"):
            assert len(people_named(db, name)) == 1, name
        assert int(db.scalar("SELECT count(*) FROM people")) == 4  # three and me
        assert int(db.scalar("SELECT count(*) FROM review_queue")) == 0


def test_a_namesake_with_another_profile_is_someone_else(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    write(folder / "Connections.csv", PREAMBLE + CONNECTIONS_2022 + "Bob,Sample,,Initech,CEO,28-Aug-22\n")
    write(folder / "messages.csv", MESSAGES_2022
          + f"b1,,Bob Sample,{IN}bob-sample,Owner Person,2022-08-01 10:00:00 UTC,,x,INBOX\n"
          + f"b2,,Bob Sample,{IN}bob-sample-77,Owner Person,2022-08-02 10:00:00 UTC,,y,INBOX\n"
          + f"b1,,Bob Sample,{IN}bob-sample,Owner Person,2022-08-03 10:00:00 UTC,,z,INBOX\n")
    with Store(tmp_path / "n.db") as db:
        run_import(db, folder)
        connection, other = people_named(db, "Bob Sample")
        def messages(pid: int) -> int:
            return int(db.scalar("SELECT count(*) FROM interaction_parties WHERE person_id = :p", {"p": pid}))
        assert (messages(connection), messages(other)) == (2, 1)


# ---------------------------------------------------------------- placeholders and promotions


def test_linkedin_member_is_never_a_person(imported: tuple[Store, Path, ImportResult]) -> None:
    db, _, _ = imported
    assert not people_named(db, "LinkedIn Member")
    # Their messages are kept, with no counterpart: nobody is credited with them.
    lonely = db.rows(
        "SELECT i.id FROM interactions i WHERE i.channel = 'linkedin' AND NOT EXISTS (SELECT 1 FROM"
        " interaction_parties ip JOIN people p ON p.id = ip.person_id WHERE ip.interaction_id = i.id AND p.is_me = 0)"
    )
    assert len(lonely) == 2


def test_promotional_and_sponsored_messages_are_bulk(imported: tuple[Store, Path, ImportResult]) -> None:
    db, _, _ = imported
    bulk = dict(db.rows("SELECT subject || folder || key, bulk FROM interactions WHERE bulk != ''"))
    assert sorted(bulk.values()) == sorted([linkedin.PROMOTIONAL, linkedin.SPONSORED])
    scoring.compute(db, as_of=date(2025, 3, 31))
    for name in ("Dana from LinkedIn Premium", "Eve Marketer"):
        (pid,) = people_named(db, name)
        score = score_store.person_score(db, pid)
        assert score is not None and score["features"].get("n_in", 0) == 0, name
        assert score["tier"] not in ("inner", "close", "favor"), name


def test_parser_flags(tmp_path: Path) -> None:
    f = write(tmp_path / "messages.csv", MESSAGES_2022
              + "m1,,LinkedIn Member,,Owner Person,2022-08-01 10:00:00 UTC,,x,INBOX\n"
              + f"m2,,Ann Lee,{IN}ann,\"Owner Person, LinkedIn Member\",2022-08-01 11:00:00 UTC,,x,INBOX\n"
              + "m3,Title,Hal from LinkedIn,,Owner Person,2022-08-01 12:00:00 UTC,,x,INBOX\n")
    hidden, group, promo = [i for i in linkedin.parse_interactions(f) if isinstance(i, InteractionRecord)]
    assert [(p.role, p.name) for p in hidden.parties] == [("to", "Owner Person")]
    assert [p.name for p in group.parties] == ["Ann Lee", "Owner Person"]
    assert promo.bulk == linkedin.PROMOTIONAL and hidden.bulk == "" and group.bulk == ""
    old = write(tmp_path / "old" / "Messages.csv", "From,To,Date,Subject,Content,Direction,Folder\n"
                'Kim from,Owner Person,"10/16/18, 8:36 AM",Thanks,Body,INCOMING,INBOX\n')
    (cut,) = linkedin.parse_interactions(old)
    assert isinstance(cut, InteractionRecord) and cut.bulk == linkedin.PROMOTIONAL


# ---------------------------------------------------------------- replies


def test_conversation_replies_are_linked(imported: tuple[Store, Path, ImportResult]) -> None:
    db, _, _ = imported
    scoring.compute(db, as_of=date(2025, 3, 31))
    (ada,) = people_named(db, "Ada Example")
    (bob,) = people_named(db, "Bob Sample")
    fa = score_store.person_score(db, ada)["features"]  # type: ignore[index]
    fb = score_store.person_score(db, bob)["features"]  # type: ignore[index]
    assert (fa["their_threads"], fa["their_threads_answered"]) == (1, 1)
    assert (fb["my_threads"], fb["my_threads_answered"]) == (1, 1)


def test_parser_links_each_message_to_the_other_side(tmp_path: Path) -> None:
    f = write(tmp_path / "messages.csv", MESSAGES_2022
              + f"c,,Bob,{IN}bob,Me,2022-08-03 10:00:00 UTC,,3,INBOX\n"
              + f"c,,Me,{IN}me,Bob,2022-08-02 10:00:00 UTC,,2,INBOX\n"
              + f"c,,Me,{IN}me,Bob,2022-08-01 10:00:00 UTC,,1,INBOX\n"
              + f"c,,Bob,{IN}bob,Me,2022-08-04 10:00:00 UTC,,4,INBOX\n"
              + f"d,,Bob,{IN}bob,Me,2022-08-01 09:00:00 UTC,,other,INBOX\n")
    third, second, first, fourth, other = [i for i in linkedin.parse_interactions(f)
                                           if isinstance(i, InteractionRecord)]
    assert first.in_reply_to == "" and other.in_reply_to == ""  # each conversation's start
    assert second.in_reply_to == first.key  # my follow-up: not an answer, one thread still
    assert third.in_reply_to == second.key  # Bob answers my latest
    assert fourth.in_reply_to == second.key  # Bob again: still answering me, not himself
    assert {r.references[0] for r in (second, third, fourth)} == {first.key}


# ---------------------------------------------------------------- every file read or reported


def test_address_book_is_read_and_unread_files_are_listed(imported: tuple[Store, Path, ImportResult]) -> None:
    db, folder, result = imported
    (fay,) = people_named(db, "Fay Friend")
    kinds = {k for (k,) in db.rows("SELECT kind FROM identifiers WHERE person_id = :p", {"p": fay})}
    assert kinds == {"email", "phone"}
    assert {Path(f).name: why for f, why in result.not_read.items()} == {
        "Positions.csv": "about you, not your network", "Skills.csv": "about you, not your network",
    }
    assert "not read: Positions.csv, Skills.csv (about you, not your network)" in result.summary()
    write(folder / "Mystery.csv", "a,b\n1,2\n")
    assert linkedin.unread(folder)[str(folder / "Mystery.csv")] == "not a LinkedIn file Closeknit reads"


def test_2018_imported_contacts_are_read(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    write(folder / "Connections.csv", CONNECTIONS_2022 + 'Ada,Example,ada@example.com,Acme,Eng,"1/8/18, 6:14 PM"\n')
    write(folder / "Imported Contacts.csv", IMPORTED_CONTACTS_2018
          + 'Ada,Example,,,ada@example.com,,"6/20/15, 12:02 AM",,,,,,,,\n'
          + 'Joe,,,,,+1 415 555 0100,"6/20/15, 12:02 AM",,,,,,,,\n')
    with Store(tmp_path / "n.db") as db:
        result = run_import(db, folder)
        assert result.skipped == 0 and not result.not_read
        assert len(people_named(db, "Ada Example")) == 1  # the same address: one person
        assert len(people_named(db, "Joe")) == 1


# ---------------------------------------------------------------- re-import


def export_2022(folder: Path) -> Path:
    """An export of the 2022 layout: no URLs in Connections.csv, recipients named without URLs."""
    me = f"{IN}owner"
    write(folder / "Connections.csv", PREAMBLE + CONNECTIONS_2022
          + "Ada,Example,,Acme,Engineer,29-Aug-22\nBob,Sample,,Initech,CEO,28-Aug-22\n")
    write(folder / "Contacts.csv", CONTACTS_2025 + "Phone,Hana,Nobody,,,hana@example.com,,2022-01-01,,,,,,,,\n")
    write(folder / "messages.csv", MESSAGES_2022
          + f"a1,,Ada Example,{IN}ada,Owner Person,2022-08-03 10:00:00 UTC,,q,INBOX\n"
          + f"a1,,Owner Person,{me},Ada Example,2022-08-04 10:00:00 UTC,,a,INBOX\n"
          + f"b1,,Owner Person,{me},Bob Sample,2022-08-05 10:00:00 UTC,,x,INBOX\n"
          + f"h1,,Owner Person,{me},Hana Nobody,2022-08-06 10:00:00 UTC,,y,INBOX\n")
    write(folder / "Invitations.csv", "From,To,Sent At,Message,Direction\n"
          "Owner Person,Cy Person,8/1/22,,OUTGOING\n")
    return folder


@pytest.mark.parametrize("make", [export_2025, export_2022])
def test_reimport_changes_nothing_also_after_a_google_csv(tmp_path: Path, make: Callable[[Path], Path]) -> None:
    folder = make(tmp_path / "export")
    with Store(tmp_path / "n.db") as db:
        run_import(db, folder)
        before = counts(db)
        again = run_import(db, folder)
        assert (again.people, again.interactions, again.review, again.added) == (0, 0, 0, 0)
        assert counts(db) == before
        # Google contacts that share names with connections, correspondents and the address book.
        google = write(tmp_path / "google.csv", GOOGLE + "".join(
            f"{n.split()[0]},{n.split()[1]},Work,{n.split()[0].lower()}@elsewhere.example\n"
            for n in ("Ada Example", "Bob Sample", "Cy Person", "Eve Marketer", "Fay Friend", "Hana Nobody")
        ))
        run_import(db, google)
        after_google = counts(db)
        third = run_import(db, folder)
        assert (third.people, third.interactions, third.review) == (0, 0, 0)
        assert counts(db) == after_google


# ---------------------------------------------------------------- real exports


def test_real_exports_one_network(tmp_path: Path) -> None:
    root = shared("contacts_csv", "linkedin_exports")
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        with Store(tmp_path / f"{folder.name}.db") as db:
            first = run_import(db, folder)
            before = counts(db)
            again = run_import(db, folder)
            assert (again.people, again.interactions, again.review) == (0, 0, 0), folder.name
            assert counts(db) == before, folder.name
            assert not people_named(db, "LinkedIn Member"), folder.name
            files = {p.name for p in folder.iterdir()}
            listed = {Path(f).name for f in first.not_read}
            read = {f for f in files if f.lower() in linkedin.READ}
            assert listed | read == files, folder.name
            # correspondents and connections of the same name are one person
            assert not db.rows(
                "SELECT p.name_key FROM people p WHERE p.name_key IN (SELECT c.name_key FROM people c JOIN"
                " source_records s ON s.person_id = c.id WHERE s.source = 'linkedin' AND c.name_key != '')"
                " AND EXISTS (SELECT 1 FROM source_records s WHERE s.person_id = p.id AND s.source IN"
                " ('linkedin', 'linkedin_messages', 'linkedin_invitations')) GROUP BY p.name_key HAVING count(*) > 1"
            ), folder.name
            messages = int(db.scalar("SELECT count(*) FROM interactions WHERE source = 'linkedin_messages'"))
            linked = int(db.scalar("SELECT count(*) FROM interactions WHERE source = 'linkedin_messages'"
                                   " AND parent_id IS NOT NULL"))
            assert messages == 0 or linked > 0, folder.name
