"""Fuzzing the mail reader: arbitrary and mutated input yields records or RecordErrors, never crashes."""

from __future__ import annotations

import gzip
import tempfile
from datetime import UTC
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from closeknit.demo import mailgen
from closeknit.errors import CloseknitError
from closeknit.records import InteractionRecord, RecordError
from closeknit.sources import mail

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces that steer random input into the interesting code paths.
_PIECES = [
    b"From x@example.com Mon Jan  1 00:00:00 2024\n", b"From \n", b"From: ", b"To: ", b"Cc: ", b"Bcc: ",
    b"Date: ", b"Message-ID: ", b"In-Reply-To: ", b"References: ", b"Subject: ", b"X-Gmail-Labels: ",
    b"List-Id: ", b"Precedence: bulk\n", b"Auto-Submitted: auto-replied\n", b"Return-Path: <>\n",
    b"X-From: ", b"X-To: ", b"Received: from x; ", b"Sender: ", b"\n", b"\r\n", b"\n\n", b"\t", b" ",
    b"<", b">", b",", b";", b":", b'"', b"(", b")", b"@", b"\\", b"=?utf-8?b?", b"=?iso-8859-1?q?", b"?=",
    b"a@example.com", b"Name <n@example.org>", b"Mon, 30 Oct 2000 01:14:00 -0800", b"24:00", b"+9999",
    b"0001", b"PM", b"\x00", b"\xff\xfe", b"\xe9", b"\xc5\x81", b">From ", b"undisclosed-recipients:;",
]  # fmt: skip
_mailish = st.lists(st.one_of(st.sampled_from(_PIECES), st.binary(max_size=12)), max_size=60).map(b"".join)


def _check(path: Path) -> list[InteractionRecord | RecordError]:
    try:
        items = list(mail.parse(path))
    except CloseknitError:
        return []
    numbers = []
    for item in items:
        assert isinstance(item, (InteractionRecord, RecordError))
        if isinstance(item, RecordError):
            assert item.reason and len(item.raw) <= mail.RAW_LIMIT
            continue
        numbers.append(item.record)
        assert item.key
        assert item.when is None or item.when.tzinfo == UTC
        assert item.size == len({p.address or "name:" + p.name.lower() for p in item.parties if p.role != "from"})
        for party in item.parties:
            assert party.address == party.address.lower().strip()
            assert party.address or party.name
    assert numbers == sorted(numbers)
    return items


def _write_and_check(data: bytes, name: str) -> list[InteractionRecord | RecordError]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        mail.sniff(path)
        mail.sniff(Path(folder))
        items = _check(path)
        _check(Path(folder))
        return items


@FUZZ
@given(st.binary(max_size=3000))
def test_arbitrary_bytes(data: bytes) -> None:
    _write_and_check(data, "x.eml")
    _write_and_check(b"From a Mon Jan  1 00:00:00 2024\n" + data, "x.mbox")
    _write_and_check(data, "x.mbox")


@FUZZ
@given(_mailish)
def test_mail_like_bytes(data: bytes) -> None:
    _write_and_check(data, "m.eml")
    items = _write_and_check(b"From a Mon Jan  1 00:00:00 2024\n" + data, "m.mbox")
    assert len(items) >= 1


@FUZZ
@given(st.binary(max_size=2000))
def test_broken_compressed_files(data: bytes) -> None:
    packed = gzip.compress(b"From a Mon Jan  1 00:00:00 2024\nFrom: a@example.com\n\n" + data)
    _write_and_check(packed[: max(10, len(packed) // 2)], "cut.mbox.gz")
    _write_and_check(b"\x1f\x8b" + data, "bad.mbox.gz")
    _write_and_check(b"\xfd7zXZ\x00" + data, "bad.mbox.xz")
    _write_and_check(b"BZh9" + data, "bad.mbox.bz2")


_SAMPLE = b"".join(
    f"From {sender} Mon Jan  1 00:00:00 2024\n{text}\n".encode()
    for sender, _, text in mailgen.iter_messages(12, 8, seed=11, style="plain")
)


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(_SAMPLE)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["delete", "insert", "replace", "duplicate", "truncate", "newline"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "delete":
            del data[at : at + draw(st.integers(1, 400))]
        elif op == "insert":
            data[at:at] = draw(st.one_of(st.sampled_from(_PIECES), st.binary(min_size=1, max_size=40)))
        elif op == "replace" and data:
            data[at] = draw(st.integers(0, 255))
        elif op == "duplicate":
            end = data.find(b"\n", at)
            data[at:at] = data[at : end + 1 if end >= 0 else len(data)]
        elif op == "truncate":
            del data[at:]
        else:
            data[at:at] = b"\n"
    return bytes(data)


@FUZZ
@given(_mutated(), st.booleans())
def test_mutated_generated_mailbox(data: bytes, crlf: bool) -> None:
    if crlf:
        data = data.replace(b"\n", b"\r\n")
    items = _write_and_check(data, "mutated.mbox")
    assert len(items) >= 1 or not data.strip()
    _write_and_check(data, "mutated.eml")


def test_unmutated_sample_parses_cleanly() -> None:
    items = _write_and_check(_SAMPLE, "sample.mbox")
    assert len(items) == 12 and all(isinstance(i, InteractionRecord) for i in items)
