"""Property tests: the vCard reader never raises on bad content and never loses track of cards."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from closeknit.errors import CloseknitError
from closeknit.records import ContactRecord, RecordError
from closeknit.sources import vcard

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_counter = itertools.count()


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One directory for the whole module: hypothesis reuses fixtures across examples."""
    return tmp_path_factory.mktemp("vcard_fuzz")


def parse_bytes(directory: Path, data: bytes) -> list[ContactRecord | RecordError]:
    """Write bytes to a fresh file and parse it, checking the invariants every parse must keep."""
    path = directory / f"case{next(_counter)}.vcf"
    path.write_bytes(data)
    try:
        vcard.sniff(path)  # must not raise either
        try:
            out = list(vcard.parse(path))
        except CloseknitError:
            return []  # the only exception allowed (not expected for a readable file)
    finally:
        path.unlink()
    check_items(out, str(path))
    return out


def check_items(out: list[ContactRecord | RecordError], file: str) -> None:
    assert out, "parse yields at least one item (a record-0 error for a file without cards)"
    for item in out:
        assert isinstance(item, ContactRecord | RecordError)
        assert item.file == file
        for text in texts(item):
            assert isinstance(text, str)
            text.encode("utf-8")  # valid Unicode: no lone surrogates reach the store
        if isinstance(item, RecordError):
            assert item.reason
            assert not item.reason.startswith("internal"), item.reason
        else:
            assert item.source == "vcard"
            assert item.name or item.emails or item.phones or item.organization
    numbers = [item.record for item in out]
    if numbers == [0]:
        assert isinstance(out[0], RecordError)
    else:
        assert numbers == list(range(1, len(out) + 1))


def texts(item: ContactRecord | RecordError) -> list[str]:
    if isinstance(item, RecordError):
        return [item.reason, item.raw]
    single = [item.raw, item.name, item.given, item.family, item.organization, item.title, item.birthday]
    lists = item.emails + item.phones + item.urls + item.notes + item.tags + item.addresses
    return [*single, item.uid, *lists]


# --------------------------------------------------------------------------- arbitrary bytes


@FUZZ
@given(data=st.binary(max_size=4000))
def test_arbitrary_bytes(fuzz_dir: Path, data: bytes) -> None:
    parse_bytes(fuzz_dir, data)


@FUZZ
@given(data=st.binary(max_size=2000))
def test_arbitrary_bytes_after_a_card_header(fuzz_dir: Path, data: bytes) -> None:
    out = parse_bytes(fuzz_dir, b"BEGIN:VCARD\r\nVERSION:2.1\r\n" + data)
    assert out and out[0].record == 1


# --------------------------------------------------------------------------- vCard-shaped text

_NAMES = ["FN", "N", "EMAIL", "TEL", "ADR", "ORG", "TITLE", "ROLE", "NOTE", "URL", "BDAY", "CATEGORIES"]
_NAMES += ["UID", "LABEL", "X-SOCIALPROFILE", "X-LINKEDIN", "PHOTO", "AGENT", "VERSION", "X-ABLabel"]
_PARAMS = [
    "",
    ";TYPE=WORK",
    ";WORK;VOICE",
    ";ENCODING=QUOTED-PRINTABLE",
    ";QUOTED-PRINTABLE",
    ";CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE",
    ";CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE",
    ";ENCODING=b",
    ";ENCODING=BASE64",
    ";CHARSET=Shift_JIS",
    ";CHARSET=utf-7",
    ";CHARSET=rot13",
    ";CHARSET=base64",
    ";CHARSET=unicode_escape",
    ";CHARSET=idna",
    ";CHARSET=utf-16",
    ";CHARSET=nonsense",
    ';TYPE="a:b;c"',
    ';TYPE="unbalanced',
    ";type=linkedin;x-user=someone",
    ";VALUE=uri",
]
_FIXED_LINES = [
    "BEGIN:VCARD",
    "END:VCARD",
    "begin:vcard",
    " BEGIN:VCARD",
    "item1.BEGIN:VCARD",
    "AGENT:",
    "AGENT:BEGIN:VCARD",
    "",
    " ",
    "=",
    "=0D=0A=",
    "=C3=",
    " folded continuation",
    "\tTAB continuation",
    "no colon at all",
    ":",
    "\\",
    "=ZZ=\\",
]

value_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
    max_size=40,
)
property_line = st.builds(
    lambda group, name, params, value: f"{group}{name}{params}:{value}",
    st.sampled_from(["", "item1.", "WORK.", "."]),
    st.sampled_from(_NAMES),
    st.sampled_from(_PARAMS),
    value_text,
)
line = st.one_of(property_line, st.sampled_from(_FIXED_LINES), value_text)


@FUZZ
@given(
    lines=st.lists(line, max_size=40),
    newline=st.sampled_from(["\r\n", "\n", "\r"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "cp1252", "latin-1", "shift_jis"]),
)
def test_vcard_shaped_lines(fuzz_dir: Path, lines: list[str], newline: str, encoding: str) -> None:
    data = newline.join(lines).encode(encoding, errors="replace")
    parse_bytes(fuzz_dir, data)


# --------------------------------------------------------------------------- mutated valid cards

simple_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\\;,:"),
    min_size=1,
    max_size=20,
).filter(lambda s: s.strip() != "")


email = st.from_regex(r"[a-z]{1,8}@[a-z]{1,8}\.com", fullmatch=True)


@st.composite
def valid_card(draw: st.DrawFn) -> str:
    given_name = draw(simple_text)
    family = draw(simple_text)
    lines = ["BEGIN:VCARD", draw(st.sampled_from(["VERSION:2.1", "VERSION:3.0", "VERSION:4.0"]))]
    lines.append(f"N:{family};{given_name};;;")
    if draw(st.booleans()):
        lines.append(f"FN:{given_name} {family}")
    for _ in range(draw(st.integers(0, 3))):
        lines.append(f"EMAIL;TYPE=INTERNET:{draw(email)}")
    for _ in range(draw(st.integers(0, 2))):
        lines.append(f"TEL;TYPE=CELL:+1 555 {draw(st.integers(0, 9999)):04d}")
    if draw(st.booleans()):
        lines.append(f"ORG:{draw(simple_text)};Dept")
    if draw(st.booleans()):
        note = draw(simple_text)
        qp = "".join(f"={b:02X}" for b in note.encode("utf-8"))
        # a quoted-printable value with soft line breaks every 30 characters
        soft = "=\r\n".join(qp[i : i + 30] for i in range(0, len(qp), 30))
        lines.append(f"NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{soft}")
    if draw(st.booleans()):
        lines.append("PHOTO;ENCODING=b;TYPE=JPEG:" + "QUJD" * draw(st.integers(1, 200)))
    if draw(st.booleans()):
        lines.append("BDAY:" + draw(st.sampled_from(["19800322", "1980-03-22", "--0203", "garbage", ""])))
    lines.append("END:VCARD")
    text = "\r\n".join(lines)
    # Fold long lines the way writers do: CRLF + one space every 75 characters.
    folded = []
    for physical in text.split("\r\n"):
        if draw(st.booleans()) and len(physical) > 75:
            physical = "\r\n ".join(physical[i : i + 75] for i in range(0, len(physical), 75))
        folded.append(physical)
    return "\r\n".join(folded) + "\r\n"


@st.composite
def mutated_file(draw: st.DrawFn) -> tuple[bytes, int]:
    cards = draw(st.lists(valid_card(), min_size=1, max_size=5))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    data = "".join(cards).encode(encoding, errors="replace")
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["truncate", "insert", "delete_line", "duplicate_line", "flip"]))
        if not data:
            break
        pos = draw(st.integers(0, len(data) - 1))
        if kind == "truncate":
            data = data[:pos]
        elif kind == "insert":
            data = data[:pos] + draw(st.binary(min_size=1, max_size=20)) + data[pos:]
        elif kind == "flip":
            data = data[:pos] + bytes([data[pos] ^ draw(st.integers(1, 255))]) + data[pos + 1 :]
        else:
            lines = data.split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            if kind == "delete_line":
                del lines[i]
            else:
                lines.insert(i, lines[i])
            data = b"\n".join(lines)
    return data, len(cards)


@FUZZ
@given(case=mutated_file())
def test_mutated_cards(fuzz_dir: Path, case: tuple[bytes, int]) -> None:
    data, _ = case
    parse_bytes(fuzz_dir, data)


@FUZZ
@given(cards=st.lists(valid_card(), min_size=1, max_size=5), encoding=st.sampled_from(["utf-8", "utf-16"]))
def test_valid_cards_all_land(fuzz_dir: Path, cards: list[str], encoding: str) -> None:
    out = parse_bytes(fuzz_dir, "".join(cards).encode(encoding))
    assert len(out) == len(cards)
    assert all(isinstance(item, ContactRecord) for item in out)
    for item, card in zip(out, cards, strict=True):
        assert isinstance(item, ContactRecord)
        assert item.raw == card.rstrip("\r\n")
        assert item.given and item.family
