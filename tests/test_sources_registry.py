"""The source registry: every format satisfies the Source protocol, and a new format is one registered object."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from closeknit import sources
from closeknit.pipeline.detect import detect
from closeknit.pipeline.importer import run_import
from closeknit.records import ContactRecord, InteractionRecord, Party, RecordError
from closeknit.sources import registry
from closeknit.sources.base import Format, Item, Owner, Part, Source, Yields
from closeknit.store import Store
from closeknit.store import people as people_store

CARDS = "#closeknit-test-cards"
CHAT = "#closeknit-test-chat"


def _starts_with(marker: str) -> Callable[[Path], bool]:
    def sniff(path: Path) -> bool:
        try:
            with path.open("rb") as handle:
                return handle.read(len(marker)) == marker.encode()
        except OSError:
            return False

    return sniff


def parse_cards(path: Path) -> Iterator[Item]:
    """One contact per line: name;email."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()[1:], 2):
        name, _, email = line.partition(";")
        if "@" not in email:
            yield RecordError(str(path), number, "line without an email", line)
            continue
        yield ContactRecord(source="testcards", file=str(path), record=number, raw=line, name=name, emails=[email])


def parse_chat(path: Path) -> Iterator[Item]:
    """One message per line: ISO time;from;to;text."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()[1:], 2):
        when, sender, to, _ = line.split(";", 3)
        yield InteractionRecord(source="testchat", channel="message", file=str(path), record=number, raw=line,
                                key=f"{path.name}/{number}", when=datetime.fromisoformat(when),
                                parties=[Party(sender, "", "from"), Party(to, "", "to")])


@dataclass(frozen=True)
class Chat(Format):
    """A chat log that names its owner after its marker."""

    def owner_in(self, path: Path, items: Sequence[Item]) -> Owner | None:
        owner = path.read_text(encoding="utf-8").splitlines()[0].removeprefix(CHAT).strip()
        return Owner(emails=(owner,)) if owner and items else None


@pytest.fixture
def new_formats() -> Iterator[tuple[Source, Source]]:
    cards = registry.register(Format("testcards", Yields.CONTACTS, _starts_with(CARDS), parse_cards), before="csv")
    chat = registry.register(Chat("testchat", Yields.INTERACTIONS, _starts_with(CHAT), parse_chat, needs_me=True))
    try:
        yield cards, chat
    finally:
        registry.unregister("testcards")
        registry.unregister("testchat")
    assert "testcards" not in sources.kinds() and "testchat" not in sources.kinds()


def test_every_registered_source_satisfies_the_protocol(tmp_path: Path) -> None:
    other = tmp_path / "other.bin"
    other.write_bytes(b"\x00\x01 nothing any format reads")
    names = [s.name for s in sources.sources()]
    assert len(names) == len(set(names))
    assert {"linkedin", "vcard", "csv", "mail", "ics", "closeknit"} <= set(sources.kinds())
    assert set(names) - set(sources.kinds()) == {"skipped"}  # the walk's set-aside entries: never a kind
    for source in sources.sources():
        assert isinstance(source, Source), source.name
        assert isinstance(source.yields, Yields) and isinstance(source.needs_me, bool)
        assert source.sniff(other) is False, source.name
        parts = source.parts(other)
        assert parts and all(isinstance(p, Part) and isinstance(p.source, Source) for p in parts)
        assert all(isinstance(p.source.yields, Yields) for p in parts)
        assert isinstance(source.owner(other), Owner) and isinstance(source.not_read(other), dict)
        assert source.names_from == "" or source.names_from in names


def test_the_linkedin_export_expands_into_its_sources_contacts_first(tmp_path: Path) -> None:
    export = tmp_path / "export"
    export.mkdir()
    (export / "Connections.csv").write_text("First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
                                            "Ada,Example,https://www.linkedin.com/in/ada,,Acme,Eng,26 Dec 2025\n")
    parts = sources.get("linkedin").parts(export)
    assert [p.source.name for p in parts] == ["linkedin", "linkedin_contacts", "linkedin_messages"]
    assert [p.source.yields for p in parts] == sorted(p.source.yields for p in parts)
    assert [p.source.needs_me for p in parts] == [False, False, True]
    assert parts[2].source.names_from == "linkedin"  # a name alone in a message is that connection
    assert [p.source.name for p in sources.get("linkedin").parts(export / "Connections.csv")] == ["linkedin"]


def test_a_new_format_is_one_registered_object_detected_and_imported(
    tmp_path: Path, new_formats: tuple[Source, Source]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "b-chat.txt").write_text(CHAT + " me@example.org\n"
                                       "2025-03-01T10:00:00+00:00;me@example.org;ann@example.org;hi\n"
                                       "2025-03-02T10:00:00+00:00;ann@example.org;me@example.org;hello\n")
    (folder / "a-cards.txt").write_text(CARDS + "\nAnn Archer;ann@example.org\nBen Bond;ben@example.org\nno email;\n")
    assert {"testcards", "testchat"} <= set(sources.kinds())
    assert sources.kinds().index("testcards") < sources.kinds().index("csv")  # registered ahead of the catch-all
    # Detected by their own sniffers; the chat (interactions) comes after the cards (contacts) though sorted first.
    assert detect(folder) == [("testcards", folder / "a-cards.txt"), ("testchat", folder / "b-chat.txt")]
    with Store(tmp_path / "db.sqlite") as db:
        result = run_import(db, folder)
        assert result.files == {str(folder / "a-cards.txt"): "testcards", str(folder / "b-chat.txt"): "testchat"}
        assert (result.people, result.skipped, result.interactions) == (2, 1, 2)
        assert result.me == ["me@example.org"]  # the chat source told who its owner is
        people = {p["name"]: p for p in people_store.iter_people(db)}
        assert set(people) == {"Ann Archer", "Ben Bond"} and people["Ann Archer"]["sources"] == ["testcards"]
        again = run_import(db, folder / "a-cards.txt", kind="testcards")
        assert (again.people, again.unchanged) == (0, 2)


def test_an_unknown_kind_names_the_registered_ones(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite") as db, pytest.raises(Exception, match="use one of closeknit, linkedin"):
        run_import(db, tmp_path, kind="nope")
