"""Mail reader: mbox/maildir/.eml layouts, compression, headers, dates, bulk, broken input, Enron."""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from closeknit.demo import mailgen
from closeknit.errors import InputError
from closeknit.records import InteractionRecord, Party, RecordError
from closeknit.sources import mail
from conftest import shared


def _records(path: Path | str, **kwargs: object) -> list[InteractionRecord | RecordError]:
    return list(mail.parse(path, **kwargs))  # type: ignore[arg-type]


def _ok(items: list[InteractionRecord | RecordError]) -> list[InteractionRecord]:
    return [i for i in items if isinstance(i, InteractionRecord)]


def _errors(items: list[InteractionRecord | RecordError]) -> list[RecordError]:
    return [i for i in items if isinstance(i, RecordError)]


MBOX = b"""From alice@example.com Mon Mar  4 10:00:00 2024
Return-Path: <alice@example.com>
Message-ID: <m1@example.com>
Date: Mon, 4 Mar 2024 11:00:00 +0100
From: Alice Example <Alice@Example.com>
To: Bob <bob@example.org>, carol@example.net
Cc: "Dan, the Man" <dan@example.com>
Subject: Project kickoff
Content-Type: text/plain

Hello all,
>From the minutes: nothing.
From here on the line is not a separator (no blank line before it).

From bob@example.org Mon Mar  4 12:30:00 2024
Message-ID: <m2@example.org>
In-Reply-To: <m1@example.com>
References: <m0@example.com>
 <m1@example.com>
Date: Mon, 4 Mar 2024 12:29:00 +0000
From: bob@example.org
To: alice@example.com
Subject: Re: Project
 kickoff

Thanks!

From carol@example.net Tue Mar  5 09:00:00 2024
Message-ID: <m3@example.net>
Date: Tue, 5 Mar 2024 09:00:00 -0500
From: carol@example.net
To: alice@example.com
Bcc: erin@example.com
Subject: no body follows

"""


def test_mbox_messages_headers_and_threading(tmp_path: Path) -> None:
    path = tmp_path / "inbox.mbox"
    path.write_bytes(MBOX)
    items = _records(path)
    assert [i.record for i in items] == [1, 2, 3]
    first, second, third = _ok(items)
    assert first.source == "mail" and first.channel == "email"
    assert first.file == str(path) and first.folder == "inbox"
    assert first.key == "m1@example.com"
    assert first.when == datetime(2024, 3, 4, 10, 0, tzinfo=UTC)
    assert first.when_flagged == ""
    assert first.parties == [
        Party("alice@example.com", "Alice Example", "from"),
        Party("bob@example.org", "Bob", "to"),
        Party("carol@example.net", "", "to"),
        Party("dan@example.com", "Dan, the Man", "cc"),
    ]
    assert first.size == 3
    assert first.subject == "Project kickoff"
    assert first.raw.startswith("Return-Path:") and "Hello all" not in first.raw
    assert first.raw.endswith("Content-Type: text/plain\n")
    assert second.in_reply_to == "m1@example.com"
    assert second.references == ["m0@example.com", "m1@example.com"]
    assert second.subject == "Re: Project kickoff"
    assert third.parties[-1] == Party("erin@example.com", "", "bcc")
    assert third.size == 2
    assert third.when == datetime(2024, 3, 5, 14, 0, tzinfo=UTC)
    assert all(not i.bulk for i in (first, second, third))


def test_crlf_mbox_gives_the_same_records(tmp_path: Path) -> None:
    lf = tmp_path / "lf.mbox"
    crlf = tmp_path / "crlf.mbox"
    lf.write_bytes(MBOX)
    crlf.write_bytes(MBOX.replace(b"\n", b"\r\n"))
    a, b = _ok(_records(lf)), _ok(_records(crlf))
    assert len(a) == len(b) == 3
    for x, y in zip(a, b, strict=True):
        assert (x.key, x.when, x.parties, x.subject, x.raw, x.references) == (
            y.key, y.when, y.parties, y.subject, y.raw, y.references,
        )  # fmt: skip


@pytest.mark.parametrize("compress", ["gz", "bz2", "xz"])
def test_compressed_mbox_is_transparent(tmp_path: Path, compress: str) -> None:
    plain = mailgen.write_mbox(tmp_path / "all.mbox", 60, 20, seed=3, style="plain")
    packed = mailgen.write_mbox(tmp_path / f"all.mbox.{compress}", 60, 20, seed=3, style="plain", compress=compress)
    assert mail.sniff(packed)
    a, b = _ok(_records(plain)), _ok(_records(packed))
    assert len(a) == len(b) == 60
    assert [r.key for r in a] == [r.key for r in b]
    assert {r.folder for r in b} == {"all"}


def test_compressed_by_magic_not_suffix(tmp_path: Path) -> None:
    path = tmp_path / "archive.dat"
    path.write_bytes(gzip.compress(MBOX))
    assert mail.sniff(path)
    assert len(_ok(_records(path))) == 3
    (tmp_path / "a.bz2").write_bytes(bz2.compress(MBOX))
    (tmp_path / "b.xz").write_bytes(lzma.compress(MBOX))
    assert len(_ok(_records(tmp_path / "a.bz2"))) == len(_ok(_records(tmp_path / "b.xz"))) == 3


def test_corrupt_compressed_file_is_a_record_error(tmp_path: Path) -> None:
    data = gzip.compress(MBOX * 50)
    path = tmp_path / "broken.mbox.gz"
    path.write_bytes(data[: len(data) // 2])
    items = _records(path)
    errors = _errors(items)
    assert errors and "cannot read mailbox" in errors[-1].reason
    assert all(isinstance(i, InteractionRecord) for i in items[:-1])


def test_maildir_cur_new_and_subfolders(tmp_path: Path) -> None:
    root = mailgen.write_maildir(tmp_path / "Maildir", 40, 15, me="me@example.com", seed=5)
    (root / "tmp" / "123.partial").write_bytes(b"From: x@example.com\n")  # being delivered: ignored
    (root / "dovecot.index").write_bytes(b"\x00\x01binary index")
    assert mail.sniff(root)
    items = _records(root)
    files = [p for p in root.rglob("*") if p.is_file() and p.parent.name in ("cur", "new")]
    assert len(items) == len(files) == 40
    ok = _ok(items)
    assert len(ok) == 40
    assert {r.folder for r in ok} == {"inbox", "Sent"}
    assert all(r.record == 1 for r in ok)
    sent = [r for r in ok if r.folder == "Sent"]
    assert sent and all(r.parties[0].address == "me@example.com" for r in sent)
    # the same directory read as cur/ alone still names the folder
    one = next((root / "cur").iterdir())
    (item,) = _records(one)
    assert isinstance(item, InteractionRecord) and item.folder == "inbox"


def test_folder_of_eml_files_skips_other_files(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    first = MBOX.split(b"\n\nFrom ")[0].split(b"\n", 1)[1]  # one message without its separator
    (folder / "b.eml").write_bytes(first)
    (folder / "a.eml").write_bytes(first.replace(b"<m1@example.com>", b"<other@example.com>"))
    (folder / "notes.txt").write_text("just some notes\nnothing to see\n")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(200))
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    assert mail.sniff(folder)
    items = _records(folder)
    assert [Path(i.file).name for i in items] == ["a.eml", "b.eml"]
    assert [i.key for i in _ok(items)] == ["other@example.com", "m1@example.com"]
    assert {i.folder for i in _ok(items)} == {"export"}


def test_enron_style_tree_folder_names(tmp_path: Path) -> None:
    owner = tmp_path / "maildir" / "doe-j"
    msg = b"Message-ID: <%d.x@thyme>\nDate: Mon, 30 Oct 2000 01:14:00 -0800 (PST)\nFrom: j@example.com\n\nbody\n"
    layout = {"inbox": 3, "inbox/project_x": 2, "sent": 2, "notes_folder": 1}
    n = 0
    for folder, count in layout.items():
        (owner / folder).mkdir(parents=True)
        for i in range(1, count + 1):
            n += 1
            (owner / folder / f"{i}.").write_bytes(msg % n)
    for root in (owner, owner.parent):
        ok = _ok(_records(root))
        assert Counter(r.folder for r in ok) == Counter(layout)
    # numbered files sort numerically: 1., 2., 10.
    for i in (10, 11):
        (owner / "sent" / f"{i}.").write_bytes(msg % (100 + i))
    names = [Path(r.file).name for r in _records(owner / "sent")]
    assert names == ["1.", "2.", "10.", "11."]


def test_mbox_folder_names(tmp_path: Path) -> None:
    one = MBOX.split(b"\n\nFrom ")[0] + b"\n"
    cases = {
        "sent_items.mbox.xz": "sent_items",
        "_sent_mail.mbox": "_sent_mail",
        "Inbox": "Inbox",
        "Archive.mbox/mbox": "Archive",  # Apple Mail export
        "Lists.sbd/Python": "Lists/Python",  # Thunderbird subfolder
    }
    for name in cases:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(lzma.compress(one) if name.endswith(".xz") else one)
    got = {Path(r.file).relative_to(tmp_path).as_posix(): r.folder for r in _ok(_records(tmp_path))}
    assert got == cases


def test_gmail_takeout_labels(tmp_path: Path) -> None:
    data = (
        b"From 1712345678901234567@xxx Wed Apr 03 10:12:13 +0000 2024\n"
        b"X-GM-THRID: 1712345678901234567\n"
        b'X-Gmail-Labels: Important,"Work, 2024",Sent,Opened\n'
        b"Message-ID: <g1@mail.example.com>\n"
        b"Date: Wed, 03 Apr 2024 10:12:13 +0000\n"
        b"From: Me <me@example.com>\n"
        b"To: x@example.org\n\nhi\n\n"
        b"From 1712345678901234568@xxx Wed Apr 03 11:00:00 +0000 2024\n"
        b"X-Gmail-Labels: Inbox,Category Updates\n"
        b"Message-ID: <g2@mail.example.com>\n"
        b"Date: Wed, 03 Apr 2024 11:00:00 +0000\n"
        b"From: x@example.org\n"
        b"To: me@example.com\n\nhello\n"
    )
    path = tmp_path / "All mail Including Spam and Trash.mbox"
    path.write_bytes(data)
    sent, received = _ok(_records(path))
    assert sent.folder == "Important,Work, 2024,Sent,Opened"
    assert sent.direction == "out"
    assert received.folder == "Inbox,Category Updates"
    assert received.direction == ""


def test_rfc2047_names_and_subjects(tmp_path: Path) -> None:
    data = (
        b"From: =?UTF-8?B?Sm9zw6kgTXXDsW96?= <jose@example.com>\n"
        b'To: =?iso-8859-1?q?Zo=EB_Br=F6nte?= <zoe@example.org>, "=?utf-8?q?S=C3=B8ren?=" <s@example.net>\n'
        b"Subject: =?utf-8?q?R=C3=A9sum=C3=A9?= for =?utf-8?b?8J+YmA==?= review\n"
        b"Message-ID: <enc@example.com>\n"
        b"Date: Fri, 1 Mar 2024 08:00:00 +0000\n\nbody\n"
    )
    path = tmp_path / "enc.eml"
    path.write_bytes(data)
    (rec,) = _ok(_records(path))
    assert [(p.address, p.name) for p in rec.parties] == [
        ("jose@example.com", "José Muñoz"),
        ("zoe@example.org", "Zoë Brönte"),
        ("s@example.net", "Søren"),
    ]
    assert rec.subject == "Résumé for 😘 review"
    broken = tmp_path / "broken.eml"
    broken.write_bytes(data.replace(b"8J+YmA==", b"8J+Ym").replace(b"iso-8859-1", b"x-no-such-charset"))
    (rec,) = _ok(_records(broken))
    assert rec.subject.startswith("Résumé for =?utf-8?b?8J+Ym?=")  # the broken word stays as written
    assert rec.parties[1].address == "zoe@example.org"


def test_non_utf8_header_bytes_never_raise(tmp_path: Path) -> None:
    data = (
        b"From: Fran\xe7ois Dupr\xe9 <fd@example.fr>\n"
        b"To: \x93Quoted\x94 <q@example.com>\n"
        b"Subject: Caf\xe9 \x80 menu \x81\n"
        b"Message-ID: <latin@example.fr>\n"
        b"Date: Fri, 1 Mar 2024 08:00:00 +0000\n\n\xff\xfe body\n"
    )
    path = tmp_path / "latin.eml"
    path.write_bytes(data)
    (rec,) = _ok(_records(path))
    assert rec.parties[0] == Party("fd@example.fr", "François Dupré", "from")
    assert rec.parties[1].name == "\u201cQuoted\u201d"
    assert rec.subject.startswith("Café")
    utf8 = tmp_path / "utf8.eml"
    # UTF-8 in one header, Latin-1 in another: each line keeps its own encoding
    utf8.write_bytes("From: Łucja Wałęsa <lw@example.pl>\n".encode() + data.split(b"\n", 1)[1])
    (rec2,) = _ok(_records(utf8))
    assert rec2.parties[0].name == "Łucja Wałęsa"
    assert rec2.subject.startswith("Café")


def test_enron_x_headers_fill_display_names(tmp_path: Path) -> None:
    data = (
        b"Message-ID: <1.2.JavaMail.evans@thyme>\n"
        b"Date: Mon, 30 Oct 2000 01:14:00 -0800 (PST)\n"
        b"From: jane.doe@example.com\n"
        b"To: a.one@example.com, b.two@example.com,\n\tc.three@example.com\n"
        b"Cc: d.four@example.com\n"
        b"X-From: Jane Doe\n"
        b'X-To: Anne One, "Two, Bea" <Bea Two/HOU/ECT@ECT>, Carl Three <cthree@example.com> @ ENRON\n'
        b"X-cc: someone@example.com\n"
        b"X-bcc: \n\nbody\n"
    )
    path = tmp_path / "1."
    path.write_bytes(data)
    (rec,) = _ok(_records(path))
    assert [(p.address, p.name, p.role) for p in rec.parties] == [
        ("jane.doe@example.com", "Jane Doe", "from"),
        ("a.one@example.com", "Anne One", "to"),
        ("b.two@example.com", "Two, Bea", "to"),
        ("c.three@example.com", "Carl Three", "to"),
        ("d.four@example.com", "", "cc"),  # X-cc holds an address, not a name
    ]
    assert rec.when == datetime(2000, 10, 30, 9, 14, tzinfo=UTC)


def test_display_names_lose_quoting_debris_and_outlook_labels(tmp_path: Path) -> None:
    data = (
        b"Message-ID: <2.3.JavaMail.evans@thyme>\n"
        b"Date: Mon, 30 Oct 2000 01:14:00 -0800 (PST)\n"
        b'From: "Dora Kern \\(E-mail 3\\)" <dora@example.com>\n'
        b'To: "\\"Rob Brady\\"" <rob@example.com>, lena@example.org\n'
        b'Cc: "Pratt, Sam" <sam@example.net>, "Kim (Kimberly) Ode" <kim@example.net>\n'
        b"X-From: Dora Kern\n"
        b'X-To: "Rob Brady" <rob@example.com>, "Lena Ruiz (E-mail)" <lena@example.org>\n'
        b'X-cc: "Pratt, Sam\"  >, Kim Ode\n'
        b'Bcc: dwin@example.edu\n'
        b'X-bcc: "\\"\\\\"Dylan Win\\\\" <SMTP:dwin@example.edu>\\" <\\"Dylan Win\\"" <SMTP:dwin@example.edu>\n\nbody\n'
    )
    path = tmp_path / "2."
    path.write_bytes(data)
    (rec,) = _ok(_records(path))
    assert [(p.address, p.name) for p in rec.parties] == [
        ("dora@example.com", "Dora Kern"),
        ("rob@example.com", "Rob Brady"),
        ("lena@example.org", "Lena Ruiz"),
        ("sam@example.net", "Pratt, Sam"),
        ("kim@example.net", "Kim (Kimberly) Ode"),  # a parenthesis that is part of the name stays
        ("dwin@example.edu", "Dylan Win"),  # quoted again by each system it passed through
    ]


@pytest.mark.parametrize(
    ("value", "expected", "flag"),
    [
        ("Mon, 30 Oct 2000 01:14:00 -0800 (PST)", datetime(2000, 10, 30, 9, 14, tzinfo=UTC), ""),
        ("30 Oct 2000 01:14:00 GMT", datetime(2000, 10, 30, 1, 14, tzinfo=UTC), ""),
        ("Mon, 30 Oct 00 01:14 EST", datetime(2000, 10, 30, 6, 14, tzinfo=UTC), ""),
        ("Thu, 1 Jan 98 10:00:00 +0000", datetime(1998, 1, 1, 10, 0, tzinfo=UTC), ""),
        ("Tue, 15 May 2001 14:30:00 CEST", datetime(2001, 5, 15, 12, 30, tzinfo=UTC), ""),
        ("Tue, 15 May 2001 14:30:00", datetime(2001, 5, 15, 14, 30, tzinfo=UTC), "no time zone"),
        ("Tue, 15 May 2001 14:30:00 XYZT", datetime(2001, 5, 15, 14, 30, tzinfo=UTC), "unknown time zone"),
        ("Tuesday, May 15, 2001 2:30 PM", datetime(2001, 5, 15, 14, 30, tzinfo=UTC), "no time zone"),
        ("May 15 2001 14:30:00 -0400", datetime(2001, 5, 15, 18, 30, tzinfo=UTC), ""),
        ("15 May 2001 2:30 PM +0200", datetime(2001, 5, 15, 12, 30, tzinfo=UTC), ""),
        ("Tue May 15 14:30:00 2001", datetime(2001, 5, 15, 14, 30, tzinfo=UTC), "no time zone"),
        ("2001-05-15T14:30:00+02:00", datetime(2001, 5, 15, 12, 30, tzinfo=UTC), ""),
        ("2001-05-15 14:30:00", datetime(2001, 5, 15, 14, 30, tzinfo=UTC), "no time zone"),
        ("Tue, 15 May 2001 24:00:00 +0000", datetime(2001, 5, 16, 0, 0, tzinfo=UTC), ""),
        ("Tue, 15 May 101 14:30:00 +0000", datetime(2001, 5, 15, 14, 30, tzinfo=UTC), "three-digit year"),
        ("Tue, 15 May 2001 14:30:00 +9900", datetime(2001, 5, 15, 14, 30, tzinfo=UTC), "impossible time zone"),
        ("Mon, 1 Jan 0001 00:00:00 +0000", None, "implausible"),
        ("Tue, 28 Feb 0002 08:06:44 -0800 (PST)", datetime(2002, 2, 28, 16, 6, 44, tzinfo=UTC),
         "year written as 0002, read as 2002"),
        ("Sat, 26 Nov 0001 07:35:14 -0800", datetime(2001, 11, 26, 15, 35, 14, tzinfo=UTC), "read as 2001"),
        ("Fri, 3 Jul 0098 10:00:00 +0000", datetime(1998, 7, 3, 10, 0, tzinfo=UTC), "read as 1998"),
        ("Mon, 31 Dec 1979 16:00:00 -0800 (PST)", None, "blank clock"),
        ("Tue, 1 Jan 1980 00:00:00 +0000", None, "blank clock"),
        ("Tue, 1 Jan 1980 00:00:01 +0000", datetime(1980, 1, 1, 0, 0, 1, tzinfo=UTC), ""),
        ("Mon, 1 Jan 2999 00:00:00 +0000", None, "implausible"),
        ("Tue, 31 Feb 2001 10:00:00 +0000", None, "unparseable"),
        ("yesterday", None, "unparseable"),
    ],
)
def test_date_forms(value: str, expected: datetime | None, flag: str) -> None:
    when, why = mail._parse_date(value)
    assert when == expected
    if flag:
        assert flag in why
    else:
        assert why == ""


def _message(date_line: bytes = b"", msgid: bytes = b"<d@example.com>") -> bytes:
    return b"Message-ID: " + msgid + b"\nFrom: a@example.com\nTo: b@example.com\n" + date_line + b"\nbody\n"


def test_missing_date_uses_received_then_separator(tmp_path: Path) -> None:
    received = b"Received: from x by y; Tue, 2 Apr 2024 10:00:00 +0000\n"
    path = tmp_path / "m.mbox"
    path.write_bytes(
        b"From a@example.com Mon Apr  1 09:00:00 2024\n" + _message(b"Date: Mon, 1 Apr 2024 08:59:00 +0000\n")
        + b"\nFrom a@example.com Mon Apr  1 10:00:00 2024\n" + _message(msgid=b"<n1@example.com>")
        + b"\nFrom a@example.com Mon Apr  1 11:00:00 2024\n" + received + _message(msgid=b"<n2@example.com>")
    )  # fmt: skip
    dated, from_separator, from_received = _ok(_records(path))
    assert dated.when_flagged == ""
    assert from_separator.when == datetime(2024, 4, 1, 10, 0, tzinfo=UTC)
    assert from_separator.when_flagged == "no Date header, used mbox separator date"
    assert from_received.when == datetime(2024, 4, 2, 10, 0, tzinfo=UTC)
    assert from_received.when_flagged == "no Date header, used Received date"


def _message_files(folder: Path, dated: int, modified: datetime, copied: bool) -> None:
    """An undated message first, modified at `modified`, then `dated` dated ones (October 2000), one file each,
    modified at `modified` too when `copied`, else an hour after their Date."""
    folder.mkdir(parents=True)
    for i in range(dated + 1):
        sent = datetime(2000, 10, 1 + i % 28, 9, 14, tzinfo=UTC)
        date_line = b"" if i == 0 else f"Date: {sent:%a, %d %b %Y %H:%M:%S} +0000\n".encode()
        path = folder / f"{i + 1}."
        path.write_bytes(_message(date_line, b"<f%d@example.com>" % i))
        stamp = modified.timestamp() if copied or i == 0 else sent.timestamp() + 3600
        os.utime(path, (stamp, stamp))


def test_file_times_date_a_message_only_when_they_agree_with_the_dates(tmp_path: Path) -> None:
    # A folder copied at once: every file says when that was, decades after its mail. The undated message
    # comes first, before the clock is decided, and still waits for the verdict.
    _message_files(tmp_path / "copied" / "inbox", 25, datetime(2026, 1, 5, tzinfo=UTC), copied=True)
    items = _ok(_records(tmp_path / "copied"))
    assert [r.key for r in items] == [f"f{i}@example.com" for i in range(26)]  # in order
    assert items[0].when is None and items[0].when_flagged == "no Date header, file modification times untrusted"
    assert all(r.when is not None for r in items[1:])
    # Files modified when their mail arrived: the time stands in.
    arrived = datetime(2000, 10, 5, tzinfo=UTC)
    _message_files(tmp_path / "kept" / "inbox", 25, arrived, copied=False)
    first = _ok(_records(tmp_path / "kept"))[0]
    assert first.when == arrived and first.when_flagged == "no Date header, used file modification time"
    # A lone file: nothing to compare with, its time is used as before.
    lone = _ok(_records(tmp_path / "copied" / "inbox" / "1."))[0]
    assert lone.when == datetime(2026, 1, 5, tzinfo=UTC)


def test_untrusted_separator_dates_leave_when_empty(tmp_path: Path) -> None:
    # Like the Enron conversion: every separator carries the same (conversion) date.
    sep = b"From MAILER-DAEMON Mon Apr 18 14:23:23 2022\n"
    msgs = [_message(msgid=b"<u0@example.com>")]
    msgs += [_message(b"Date: Mon, 30 Oct 2000 01:14:00 -0800\n", b"<u%d@example.com>" % i) for i in (1, 2)]
    msgs += [_message(b"Date: Mon, 32 Oct 2000 01:14:00 -0800\n", b"<u3@example.com>")]
    path = tmp_path / "converted.mbox"
    path.write_bytes(b"\n".join(sep + m for m in msgs))
    items = _ok(_records(path))
    assert [r.key for r in items] == ["u0@example.com", "u1@example.com", "u2@example.com", "u3@example.com"]
    assert items[0].when is None and items[0].when_flagged == "no Date header, mbox separator dates untrusted"
    assert items[3].when is None
    assert items[3].when_flagged == "unparseable Date header, mbox separator dates untrusted"


def test_single_file_without_date_uses_maildir_name_or_mtime(tmp_path: Path) -> None:
    cur = tmp_path / "box" / "cur"
    cur.mkdir(parents=True)
    (cur / "1700000000.M1P1.host:2,S").write_bytes(_message())
    eml = tmp_path / "x.eml"
    eml.write_bytes(_message())
    os.utime(eml, (1600000000, 1600000000))
    (a,) = _ok(_records(cur / "1700000000.M1P1.host:2,S"))
    assert a.when == datetime.fromtimestamp(1700000000, UTC)
    assert a.when_flagged == "no Date header, used maildir delivery time"
    (b,) = _ok(_records(eml))
    assert b.when == datetime.fromtimestamp(1600000000, UTC)
    assert b.when_flagged == "no Date header, used file modification time"


def test_message_without_message_id_gets_a_content_key(tmp_path: Path) -> None:
    data = b"From: a@example.com\nTo: b@example.com\nDate: Fri, 1 Mar 2024 08:00:00 +0000\n\nbody\n"
    (tmp_path / "a.eml").write_bytes(data)
    (tmp_path / "b.eml").write_bytes(data.replace(b"\n", b"\r\n"))
    a, b = _ok(_records(tmp_path))
    assert a.key.startswith("sha:") and a.key == b.key


def test_bulk_detection(tmp_path: Path) -> None:
    base = b"Message-ID: <%d@example.com>\nDate: Fri, 1 Mar 2024 08:00:00 +0000\n"
    cases = [
        (b"From: news@example.com\nTo: me@example.com\nList-Id: <news.example.com>\n", "List-Id"),
        (b"From: news@example.com\nTo: me@example.com\nList-Unsubscribe: <mailto:u@example.com>\n", "List-Unsubscribe"),
        (b"From: x@example.com\nTo: me@example.com\nPrecedence: bulk\n", "Precedence: bulk"),
        (b"From: x@example.com\nTo: me@example.com\nAuto-Submitted: auto-replied\n", "Auto-Submitted: auto-replied"),
        (b"From: x@example.com\nTo: me@example.com\nAuto-Submitted: no\n", ""),
        (b"From: Shop <no-reply@shop.example.com>\nTo: me@example.com\n", "no-reply sender"),
        (b"From: DoNotReply@example.com\nTo: me@example.com\n", "no-reply sender"),
        (b"From: MAILER-DAEMON@example.com\nTo: me@example.com\n", "no-reply sender"),
        (b"From: notifications@example.com\nTo: me@example.com\n", "no-reply sender"),
        (b"From: No Address <no.address@example.com>\nTo: me@example.com\n", "no-reply sender"),
        (b"From: exchange.administrator@example.com\nTo: me@example.com\n", "no-reply sender"),
        (b"From: adminstrator.ann@example.com\nTo: me@example.com\n", ""),
        (b"From: x@example.com\nTo: " + b", ".join(b"p%d@example.com" % i for i in range(26)) + b"\n", "26 recipients"),
        (b"From: x@example.com\nTo: " + b", ".join(b"p%d@example.com" % i for i in range(25)) + b"\n", ""),
        (b"From: x@example.com\nTo: me@example.com\nReturn-Path: <>\n", "null Return-Path"),
        (b"From: x@example.com\nTo: me@example.com\nReturn-Path: <bounces+123@mailer.example.com>\n", "bounce"),
        (b"From: noreen@example.com\nTo: me@example.com\nReturn-Path: <noreen@example.com>\n", ""),
        (b"From: ann@example.com\nTo: me@example.com\nSubject: Out of Office AutoReply: budget\n", "auto-reply"),
        (b"From: ann@example.com\nTo: me@example.com\nSubject: Automatic reply: budget\n", "auto-reply"),
        (b"From: ann@example.com\nTo: me@example.com\nSubject: Out of office on Friday\n", ""),  # a person's note
        (b"From: ann@example.com\nTo: me@example.com\nSubject: Re: autoreply settings\n", ""),
    ]
    for i, (headers, _) in enumerate(cases):
        (tmp_path / f"{i:02d}.eml").write_bytes(base % i + headers + b"\nbody\n")
    got = [r.bulk for r in _ok(_records(tmp_path))]
    for (_, want), bulk in zip(cases, got, strict=True):
        assert (want in bulk) if want else bulk == "", (want, bulk)


def test_broken_messages_are_record_errors(tmp_path: Path) -> None:
    path = tmp_path / "broken.mbox"
    path.write_bytes(
        b"From a Mon Apr  1 09:00:00 2024\n\nno headers at all, just a body\n\n"
        b"From b Mon Apr  1 09:00:00 2024\nthis is not a header line\nnor this\n\n"
        b"From c Mon Apr  1 09:00:00 2024\nSubject: only a subject\nX-Thing: 1\n\nbody\n\n"
        b"From d Mon Apr  1 09:00:00 2024\nMessage-ID: <fine@example.com>\nFrom: a@example.com\n\nbody\n\n"
        b"From e Mon Apr  1 09:00:00 2024\nFrom f Mon Apr  1 09:00:00 2024\nFrom: cut@example.com\n\nbody\n"
    )
    items = _records(path)
    assert [type(i).__name__ for i in items] == [
        "RecordError", "RecordError", "RecordError", "InteractionRecord", "RecordError", "InteractionRecord",
    ]  # fmt: skip
    reasons = [i.reason for i in _errors(items)]
    assert reasons[0] == "no header lines"
    assert reasons[1] == "does not start with a header line"
    assert reasons[2] == "no From or Message-ID header"
    assert reasons[3] == "message cut before its headers"
    assert _errors(items)[1].raw.startswith("this is not a header line")
    assert [i.record for i in items] == [1, 2, 3, 4, 5, 6]


def test_truncated_mailbox(tmp_path: Path) -> None:
    whole = MBOX.rstrip(b"\n")
    cut_in_headers = whole[: whole.index(b"Bcc:")]  # third message cut inside its header block
    path = tmp_path / "cut.mbox"
    path.write_bytes(cut_in_headers)
    items = _records(path)
    assert len(_ok(items)) == 3  # it has From and Message-ID: still usable
    cut_early = whole[: whole.index(b"Message-ID: <m3")] + b"Subject: cut he"
    path.write_bytes(cut_early)
    items = _records(path)
    assert len(_ok(items)) == 2
    (error,) = _errors(items)
    assert error.record == 3
    assert error.reason == "header block cut short, no From or Message-ID"


def test_garbage_empty_and_missing_files(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(bytes(range(256)) * 40)
    assert not mail.sniff(garbage)
    (item,) = _records(garbage)
    assert isinstance(item, RecordError) and item.record == 1
    empty = tmp_path / "empty.eml"
    empty.write_bytes(b"")
    (item,) = _records(empty)
    assert isinstance(item, RecordError) and item.reason == "empty file"
    with pytest.raises(InputError, match=r"missing\.mbox"):
        mail.parse(tmp_path / "missing.mbox")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "locked.mbox"
    path.write_bytes(MBOX)
    path.chmod(0)
    with pytest.raises(InputError, match=r"locked\.mbox"):
        mail.parse(path)


def test_sniff(tmp_path: Path) -> None:
    cases: dict[str, bytes] = {
        "a.mbox": MBOX,
        "noext": MBOX,
        "msg": b"Return-Path: <a@example.com>\nReceived: from x\nSubject: hi\n\nbody\n",
        "x.eml": b"",
        "contacts.vcf": b"BEGIN:VCARD\nVERSION:3.0\nFN:X\nEND:VCARD\n",
        "cal.ics": b"BEGIN:VCALENDAR\nEND:VCALENDAR\n",
        "data.csv": b"name,email\nx,y@example.com\n",
        "notes.txt": b"Note: this is not a message\nAnother: line\n",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    got = {name: mail.sniff(tmp_path / name) for name in cases}
    assert got == {
        "a.mbox": True, "noext": True, "msg": True, "x.eml": True,
        "contacts.vcf": False, "cal.ics": False, "data.csv": False, "notes.txt": False,
    }  # fmt: skip
    assert not mail.sniff(tmp_path / "absent")
    empty_dir = tmp_path / "empty"
    empty_dir.mkdir()
    assert not mail.sniff(empty_dir)
    (tmp_path / "box" / "new").mkdir(parents=True)
    assert mail.sniff(tmp_path / "box")


def test_big_attachment_is_skipped_not_decoded(tmp_path: Path) -> None:
    path = tmp_path / "big.mbox"
    line = b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\n"
    with open(path, "wb") as out:
        out.write(b"From a Mon Apr  1 09:00:00 2024\n" + _message(b"", b"<before@example.com>") + b"\n")
        out.write(
            b"From a Mon Apr  1 09:00:00 2024\nMessage-ID: <big@example.com>\nFrom: a@example.com\n"
            b"Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Transfer-Encoding: base64\n\n"
        )
        for _ in range(50 * 1024 * 1024 // (len(line) * 1000) + 1):
            out.write(line * 1000)
        out.write(b"From the body: not a separator\n--x--\n\n")
        out.write(b"From a Mon Apr  1 09:00:00 2024\n" + _message(b"", b"<after@example.com>"))
    assert path.stat().st_size > 50 * 1024 * 1024
    items = _records(path)
    assert [i.key for i in _ok(items)] == ["before@example.com", "big@example.com", "after@example.com"]
    assert len(_ok(items)[1].raw) < 200


def test_stats_counters(tmp_path: Path) -> None:
    path = tmp_path / "m.mbox"
    path.write_bytes(MBOX + b"From x Mon Apr  1 09:00:00 2024\n\nno headers\n")
    stats: dict[str, int] = {}
    items = _records(path, stats=stats)
    assert stats["messages"] == len(items) == 4
    assert stats["accepted"] == 3 and stats["rejected"] == 1
    assert stats["reason:no header lines"] == 1
    assert stats["files"] == 1


def test_mailgen_is_deterministic_and_varied(tmp_path: Path) -> None:
    a = mailgen.write_mbox(tmp_path / "a.mbox", 400, 50, seed=7)
    b = mailgen.write_mbox(tmp_path / "b.mbox", 400, 50, seed=7)
    c = mailgen.write_mbox(tmp_path / "c.mbox", 400, 50, seed=8)
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()
    records = _ok(_records(a))
    assert len(records) == 400
    assert all(r.when is not None and not r.when_flagged for r in records)
    span = max(r.when for r in records if r.when) - min(r.when for r in records if r.when)
    assert span.days > 600
    assert sum(1 for r in records if r.in_reply_to) > 80
    assert sum(1 for r in records if r.bulk) > 40
    assert any(r.size > 25 for r in records)
    assert any(not p.name.isascii() for r in records for p in r.parties)
    assert all(p.address.endswith(("example.com", "example.org", "example.net")) for r in records for p in r.parties)
    crlf = mailgen.write_mbox(tmp_path / "crlf.mbox", 50, 10, seed=1, crlf=True)
    assert b"\r\n" in crlf.read_bytes()[:200]
    assert len(_ok(_records(crlf))) == 50


# --------------------------------------------------------------------------- real data (Enron)


def _count_mbox_messages(path: Path) -> int:
    """Separator lines ('From ' after a blank line or at the start), counted line by line."""
    count = 0
    previous_blank = True
    with lzma.open(path, "rb") as handle:
        for line in handle:
            if previous_blank and line.startswith(b"From "):
                count += 1
            previous_blank = line in (b"\n", b"\r\n")
    return count


def _check_enron_mboxes(owners: list[Path]) -> dict[str, int]:
    totals = Counter[str]()
    reasons = Counter[str]()
    for owner in owners:
        expected = sum(_count_mbox_messages(p) for p in sorted(owner.glob("*.mbox.xz")))
        items = _records(owner)
        ok = _ok(items)
        errors = _errors(items)
        assert len(ok) + len(errors) == expected, owner.name
        totals["messages"] += expected
        totals["accepted"] += len(ok)
        reasons.update(e.reason for e in errors)
        assert all(e.reason for e in errors)
        assert all(r.folder and not r.folder.endswith((".mbox", ".xz")) for r in ok)
        keys = [r.key for r in ok]
        assert sum(1 for k in keys if k.startswith("sha:")) == 0
        dated = sum(1 for r in ok if r.when is not None)
        assert dated >= 0.95 * len(ok)
        # Undated: a Date that is a blank clock (1980-01-01 00:00 UTC) or none; the separators are the
        # conversion's, so nothing stands in. A year written 0001 or 0002 is read as 2001 or 2002.
        assert all("blank clock" in r.when_flagged or "no Date" in r.when_flagged for r in ok if r.when is None)
        totals["dated"] += dated
        assert sum(1 for r in ok if r.parties and r.parties[0].role == "from") >= 0.99 * len(ok)
    assert totals["accepted"] >= 0.995 * totals["messages"], reasons.most_common(5)
    assert totals["dated"] >= 0.998 * totals["accepted"]
    return dict(totals)


def test_enron_mbox_sample() -> None:
    root = shared("enron", "mbox_xz")
    owners = sorted(p for p in root.iterdir() if p.is_dir())
    sample = owners[:: max(1, len(owners) // 5)][:5]
    totals = _check_enron_mboxes(sample)
    assert totals["messages"] > 5000


@pytest.mark.slow
def test_enron_mbox_all_owners() -> None:
    root = shared("enron", "mbox_xz")
    owners = sorted(p for p in root.iterdir() if p.is_dir())
    assert len(owners) == 100
    totals = _check_enron_mboxes(owners)
    assert totals["messages"] > 200_000


def test_enron_maildirs() -> None:
    root = shared("enron", "maildir")
    files = [p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")]
    items = _records(root)
    ok = _ok(items)
    assert len(items) == len(files) == 24122
    assert len(ok) >= 0.995 * len(files)
    assert all(r.record == 1 and r.folder for r in ok)
    for r in ok:
        parts = Path(r.file).relative_to(root).parts  # owner, folder..., file
        assert r.folder == ("/".join(parts[1:-1]) or parts[0])
    assert sum(1 for r in ok if r.when is not None) >= 0.99 * len(ok)
    named = sum(1 for r in ok for p in r.parties if p.name)
    assert named > len(ok)  # X-From/X-To supplied names
