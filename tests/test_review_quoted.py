"""An address copied with quotes around it ("'jane.doe'@x") is the same address: one person, nothing to review."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from closeknit.identity.normalise import email
from test_cli import cli


@pytest.mark.parametrize(("written", "expected"), [
    ("'jane.doe'@corp.example", "jane.doe@corp.example"),
    ("'jane.doe@corp.example", "jane.doe@corp.example"),
    ("<'jane.doe@corp.example'>", "jane.doe@corp.example"),
    ("o'brien@corp.example", "o'brien@corp.example"),  # a quote inside the name is part of it
    ("''@corp.example", None),
])
def test_quotes_around_an_address_are_not_part_of_it(written: str, expected: str | None) -> None:
    assert email(written) == expected


def test_a_quoted_copy_of_an_address_is_the_same_person(tmp_path: Path) -> None:
    box = tmp_path / "box.mbox"
    box.write_text("".join(
        f"From x Mon Nov {2 + n:02d} 09:00:00 2026\nFrom: Jane Doe <{sender}>\nTo: me@home.example\n"
        f"Date: Mon, {2 + n:02d} Nov 2026 09:00:00 +0000\nMessage-ID: <q{n}@test.example>\nSubject: s{n}\n\nhi\n\n"
        for n, sender in enumerate(["jane.doe@corp.example", "'jane.doe'@corp.example", "'jane.doe@corp.example"])
    ), encoding="utf-8")
    db = tmp_path / "q.db"
    cli(db, "import", "mail", str(box), "--me", "me@home.example")
    people = json.loads(cli(db, "people", "--json").stdout)
    assert [p["emails"] for p in people] == [["jane.doe@corp.example"]]
    assert json.loads(cli(db, "review", "--json").stdout) == []
