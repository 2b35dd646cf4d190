"""Tests for the vCard reader: small hand-written fixtures per feature, plus the real corpus."""

from __future__ import annotations

import base64
import codecs
import re
from collections import Counter
from pathlib import Path

import pytest

from closeknit.errors import InputError
from closeknit.records import ContactRecord, RecordError
from closeknit.sources import textio, vcard
from conftest import shared

CRLF = "\r\n"


def write(tmp_path: Path, text: str | bytes, name: str = "cards.vcf", newline: str = CRLF) -> Path:
    """Write a fixture; str fixtures use `newline` line ends and UTF-8."""
    path = tmp_path / name
    if isinstance(text, str):
        text = text.replace("\n", newline).encode("utf-8")
    path.write_bytes(text)
    return path


def items(path: Path) -> list[ContactRecord | RecordError]:
    return list(vcard.parse(path))


def records(path: Path) -> list[ContactRecord]:
    out = items(path)
    assert all(isinstance(x, ContactRecord) for x in out), [x for x in out if isinstance(x, RecordError)]
    return [x for x in out if isinstance(x, ContactRecord)]


def one(path: Path) -> ContactRecord:
    recs = records(path)
    assert len(recs) == 1
    return recs[0]


def errors(path: Path) -> list[RecordError]:
    return [x for x in items(path) if isinstance(x, RecordError)]


SIMPLE = """BEGIN:VCARD
VERSION:3.0
N:Lovelace;Ada;King;Countess;
FN:Ada Lovelace
EMAIL;TYPE=INTERNET:ada@example.org
TEL;TYPE=CELL:+44 20 7946 0000
ORG:Analytical Engines Ltd;Research
TITLE:Programmer
END:VCARD
"""


# --------------------------------------------------------------------------- sniff


def test_sniff_recognises_vcards(tmp_path: Path) -> None:
    assert vcard.sniff(write(tmp_path, SIMPLE, "a.vcf"))
    assert vcard.sniff(write(tmp_path, "\n  \t\nbegin:vcard\nFN:x\nend:vcard\n", "b.vcf"))
    assert vcard.sniff(write(tmp_path, codecs.BOM_UTF8 + SIMPLE.encode(), "c.vcf"))
    assert vcard.sniff(write(tmp_path, SIMPLE.encode("utf-16"), "d.vcf"))
    assert vcard.sniff(write(tmp_path, SIMPLE.encode("utf-16-be"), "e.vcf"))  # no BOM
    assert vcard.sniff(write(tmp_path, "item1.BEGIN:VCARD\nFN:x\nEND:VCARD\n", "f.vcf"))
    # Only the head of the file is read: a huge photo later on does not matter.
    big = SIMPLE.replace("END:VCARD", "PHOTO;ENCODING=b:" + "A" * 5_000_000 + "\nEND:VCARD")
    assert vcard.sniff(write(tmp_path, big, "g.vcf"))


def test_sniff_rejects_other_files(tmp_path: Path) -> None:
    assert not vcard.sniff(write(tmp_path, "", "empty.vcf"))
    assert not vcard.sniff(write(tmp_path, "First Name,Last Name\nAda,Lovelace\n", "c.csv"))
    assert not vcard.sniff(write(tmp_path, "BEGIN:VCALENDAR\nEND:VCALENDAR\n", "c.ics"))
    assert not vcard.sniff(write(tmp_path, bytes(range(256)) * 20, "bin.vcf"))
    assert not vcard.sniff(write(tmp_path, "junk first\nBEGIN:VCARD\nEND:VCARD\n", "j.vcf"))
    assert not vcard.sniff(tmp_path / "missing.vcf")
    assert not vcard.sniff(tmp_path)  # a directory


# --------------------------------------------------------------------------- basic fields


def test_simple_card(tmp_path: Path) -> None:
    path = write(tmp_path, SIMPLE)
    rec = one(path)
    assert rec.source == "vcard"
    assert rec.file == str(path)
    assert rec.record == 1
    assert rec.name == "Ada Lovelace"
    assert (rec.given, rec.family) == ("Ada", "Lovelace")
    assert rec.emails == ["ada@example.org"]
    assert rec.phones == ["+44 20 7946 0000"]
    assert rec.organization == "Analytical Engines Ltd"  # first ORG component: the organisation
    assert rec.title == "Programmer"
    assert rec.raw.startswith("BEGIN:VCARD\r\n") and rec.raw.endswith("END:VCARD")
    assert rec.raw == SIMPLE.replace("\n", CRLF).rstrip()


def test_name_built_from_n_without_fn(tmp_path: Path) -> None:
    rec = one(write(tmp_path, "BEGIN:VCARD\nVERSION:2.1\nN:Hopper;Grace;Brewster;RAdm.;\nEND:VCARD\n"))
    assert rec.name == "Grace Brewster Hopper"
    assert (rec.given, rec.family) == ("Grace", "Hopper")


def test_empty_fn_falls_back_to_n(tmp_path: Path) -> None:
    rec = one(write(tmp_path, "begin:vcard\nn:Turing;Alan;;;\nfn:\norg:\nend:vcard\n"))
    assert rec.name == "Alan Turing"
    assert rec.organization == ""


def test_multiple_values_and_order(tmp_path: Path) -> None:
    text = """BEGIN:VCARD
VERSION:3.0
FN:Multi
EMAIL;TYPE=WORK:one@example.com
EMAIL;TYPE=HOME:two@example.com
EMAIL:one@example.com
TEL;TYPE=WORK:111
TEL;TYPE=HOME:222
URL:https://example.com/a
URL;TYPE=WORK:https://www.linkedin.com/in/multi-person
ADR;TYPE=WORK:;Suite 5;1 Main St;Springfield;IL;62701;USA
ADR;TYPE=HOME:;;2 Side Rd;Shelbyville;;;
END:VCARD
"""
    rec = one(write(tmp_path, text))
    assert rec.emails == ["one@example.com", "two@example.com"]  # duplicates dropped
    assert rec.phones == ["111", "222"]
    assert rec.urls == ["https://example.com/a", "https://www.linkedin.com/in/multi-person"]
    assert rec.addresses == ["Suite 5, 1 Main St, Springfield, IL, 62701, USA", "2 Side Rd, Shelbyville"]


def test_note_unescaping_and_escaped_separators(tmp_path: Path) -> None:
    text = r"""BEGIN:VCARD
VERSION:3.0
FN:Doe\, Jane
N:Doe\;Smith;Jane;;;
NOTE:Line one\nLine two\, with comma\; and semicolon\\backslash\Nend
NOTE:second note
CATEGORIES:Friends,Work\, past,  ,Friends
END:VCARD
"""
    rec = one(write(tmp_path, text))
    assert rec.name == "Doe, Jane"
    assert rec.family == "Doe;Smith"
    assert rec.given == "Jane"
    assert rec.notes == ["Line one\nLine two, with comma; and semicolon\\backslash\nend", "second note"]
    assert rec.tags == ["Friends", "Work, past"]


def test_title_role_bday_uid(tmp_path: Path) -> None:
    text = """BEGIN:VCARD
VERSION:3.0
FN:Role Only
ROLE:Software Developer
BDAY:19800118
UID:urn:uuid:1234-abcd
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Both
TITLE:CTO
ROLE:Engineer
BDAY;VALUE=date:1980-03-22T00:00:00Z
END:VCARD
BEGIN:VCARD
VERSION:4.0
FN:No Year
BDAY:--0203
END:VCARD
BEGIN:VCARD
VERSION:4.0
FN:Text Date
BDAY;VALUE=text:circa 1800
END:VCARD
BEGIN:VCARD
VERSION:4.0
FN:Bad Date
BDAY:19801399
END:VCARD
"""
    recs = records(write(tmp_path, text))
    assert [r.title for r in recs[:2]] == ["Software Developer", "CTO"]
    assert [r.birthday for r in recs] == ["1980-01-18", "1980-03-22", "--02-03", "circa 1800", "19801399"]
    assert recs[0].uid == "urn:uuid:1234-abcd"


def test_vcard4_uris_are_stripped(tmp_path: Path) -> None:
    text = """BEGIN:VCARD
VERSION:4.0
FN:Uri Person
EMAIL:mailto:uri@example.net
TEL;VALUE=uri;TYPE="work,voice";PREF=1:tel:+1-418-656-9254;ext=102
TEL;VALUE=uri:TEL:+1-418-262-6501
END:VCARD
"""
    rec = one(write(tmp_path, text))
    assert rec.emails == ["uri@example.net"]
    assert rec.phones == ["+1-418-656-9254 ext. 102", "+1-418-262-6501"]


def test_social_profiles_become_urls(tmp_path: Path) -> None:
    text = """BEGIN:VCARD
VERSION:3.0
FN:Social Person
X-SOCIALPROFILE;type=linkedin:http://www.linkedin.com/in/social-person
X-SOCIALPROFILE;type=linkedin;x-user=other-handle:x-apple:other-handle
X-SOCIALPROFILE;type=twitter:
X-LINKEDIN:linkedin.com/in/third-handle
X-LINKEDIN:plainhandle
item1.URL:http\\://www.example.org/blog
item1.X-ABLabel:_$!<HomePage>!$_
END:VCARD
"""
    rec = one(write(tmp_path, text))
    assert rec.urls == [
        "http://www.linkedin.com/in/social-person",
        "https://www.linkedin.com/in/other-handle",  # built from x-user
        "https://linkedin.com/in/third-handle",
        "https://www.linkedin.com/in/plainhandle",
        "http://www.example.org/blog",
    ]


def test_script_in_fn_is_kept_verbatim(tmp_path: Path) -> None:
    text = "BEGIN:VCARD\nFN:<script>alert('x')</script> & \"Co\"\nNOTE:<b>bold</b>\nEND:VCARD\n"
    rec = one(write(tmp_path, text))
    assert rec.name == "<script>alert('x')</script> & \"Co\""  # escaping is the renderer's job
    assert rec.notes == ["<b>bold</b>"]


# --------------------------------------------------------------------------- syntax variants


def test_line_folding_space_and_tab(tmp_path: Path) -> None:
    text = (
        "BEGIN:VCARD\nVERSION:3.0\nFN:Fold\n ed Name\nNOTE:a long note that\n\t continues here\n"
        "EMAIL;TYPE=INTERNET:fo\n ld@exam\n ple.com\nTEL;TYPE=VOICE,M\n\tSG,WORK:+1 555\n  0100\nEND:VCARD\n"
    )
    rec = one(write(tmp_path, text))
    assert rec.name == "Folded Name"
    assert rec.notes == ["a long note that continues here"]
    assert rec.emails == ["fold@example.com"]
    assert rec.phones == ["+1 555 0100"]


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_line_endings(tmp_path: Path, newline: str) -> None:
    rec = one(write(tmp_path, SIMPLE, newline=newline))
    assert rec.name == "Ada Lovelace"
    assert rec.raw == SIMPLE.replace("\n", newline).rstrip()


def test_quoted_printable_soft_breaks_and_latin1_charset(tmp_path: Path) -> None:
    text = (
        "BEGIN:VCARD\nVERSION:2.1\n"
        "N;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller;J=FCrgen\n"
        "FN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:J=FCrgen M=\n=FCller\n"
        "NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:Erste Zeile=0D=0A=\nZweite Zeile mit Stra=DFe=\n\n"
        "ADR;HOME;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=\n;=\n;=\nM=C3=BCnsterplatz 1;=\nUlm;=\n;=\n89073;=\n\n"
        "TEL;WORK;VOICE:+49 731 0\n"
        "END:VCARD\n"
    )
    rec = one(write(tmp_path, text))
    assert rec.name == "Jürgen Müller"
    assert (rec.given, rec.family) == ("Jürgen", "Müller")
    assert rec.notes == ["Erste Zeile\nZweite Zeile mit Straße"]
    assert rec.addresses == ["Münsterplatz 1, Ulm, 89073"]
    assert rec.phones == ["+49 731 0"]


def test_quoted_printable_without_charset_and_bare_param(tmp_path: Path) -> None:
    text = (
        "BEGIN:VCARD\nVERSION:2.1\nFN;QUOTED-PRINTABLE:Ren=C3=A9\n"
        "LABEL;QUOTED-PRINTABLE;WORK:1 Rue=0ALyon=0AFrance\n"
        "NOTE;ENCODING=QUOTED-PRINTABLE:Caf=E9\nEND:VCARD\n"
    )
    rec = one(write(tmp_path, text))
    assert rec.name == "René"  # UTF-8 bytes without a charset: read as UTF-8
    assert rec.notes == ["Café"]  # not UTF-8: read as cp1252
    assert rec.addresses == ["1 Rue, Lyon, France"]  # LABEL stands in for a missing ADR


def test_base64_text_value(tmp_path: Path) -> None:
    note = base64.b64encode("Grüße aus Köln".encode()).decode()
    text = f"BEGIN:VCARD\nVERSION:3.0\nFN:B64\nNOTE;ENCODING=b;CHARSET=UTF-8:{note}\nEND:VCARD\n"
    assert one(write(tmp_path, text)).notes == ["Grüße aus Köln"]


def test_shift_jis_charset_on_raw_bytes(tmp_path: Path) -> None:
    name = "山田太郎"
    org = "株式会社テスト"
    data = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=SHIFT_JIS:"
        + name.encode("shift_jis")
        + b"\r\nORG;CHARSET=Shift_JIS;ENCODING=QUOTED-PRINTABLE:"
        + "".join(f"={b:02X}" for b in org.encode("shift_jis")).encode()
        + b"\r\nEMAIL:yamada@example.jp\r\nEND:VCARD\r\n"
    )
    rec = one(write(tmp_path, data))
    assert rec.name == name
    assert rec.organization == org


def test_cp1252_file_and_windows_charset(tmp_path: Path) -> None:
    text = "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=windows-1252:Doë;Zoë;;;\r\nFN:Zoë Doë – €\r\nEND:VCARD\r\n"
    rec = one(write(tmp_path, text.encode("cp1252")))
    assert rec.name == "Zoë Doë – €"
    assert (rec.given, rec.family) == ("Zoë", "Doë")


def test_utf8_folded_inside_a_character(tmp_path: Path) -> None:
    # Some writers fold at 75 bytes, splitting a multi-byte character across two lines.
    name = "Длинный комментарий"
    raw = name.encode()
    data = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:" + raw[:5] + b"\r\n " + raw[5:] + b"\r\nEND:VCARD\r\n"
    assert one(write(tmp_path, data)).name == name


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_unicode_encodings_and_bom(tmp_path: Path, encoding: str) -> None:
    text = SIMPLE.replace("Ada Lovelace", "Ǽgean Montè").replace("\n", CRLF)
    rec = one(write(tmp_path, text.encode(encoding)))
    assert rec.name == "Ǽgean Montè"
    assert rec.emails == ["ada@example.org"]
    assert rec.raw.startswith("BEGIN:VCARD")


def test_grouped_properties_and_apple_labels(tmp_path: Path) -> None:
    text = """BEGIN:VCARD
VERSION:3.0
N:Appleseed;Johnny;;;
FN:Johnny Appleseed
item1.EMAIL;type=INTERNET;type=pref:johnny@example.com
item1.X-ABLabel:_$!<Other>!$_
item2.TEL:+1 555 0199
item2.X-ABLabel:_$!<AssistantPhone>!$_
item3.ADR;type=HOME;type=pref:;;1 Infinite Loop;Cupertino;CA;95014;USA
item3.X-ABADR:us
item4.URL;type=pref:https\\://www.linkedin.com/in/johnny
item4.X-ABLabel:LinkedIn
WORK.ORG:Orchards Inc.
END:VCARD
"""
    rec = one(write(tmp_path, text))
    assert rec.emails == ["johnny@example.com"]
    assert rec.phones == ["+1 555 0199"]
    assert rec.addresses == ["1 Infinite Loop, Cupertino, CA, 95014, USA"]
    assert rec.urls == ["https://www.linkedin.com/in/johnny"]
    assert rec.organization == "Orchards Inc."


def test_vcard21_bare_type_params(tmp_path: Path) -> None:
    text = """BEGIN:VCARD
VERSION:2.1
N:Mylka;Antoni;;;
TEL;WORK;VOICE:49 631 000
TEL;CELL;PREF:48 91 000
EMAIL;PREF;INTERNET:antoni@example.com
URL;WORK:http://example.com/antoni
ADR;WORK;PARCEL:;;Street 1;Town;;12345;Country
END:VCARD
"""
    rec = one(write(tmp_path, text))
    assert rec.phones == ["49 631 000", "48 91 000"]
    assert rec.emails == ["antoni@example.com"]
    assert rec.urls == ["http://example.com/antoni"]
    assert rec.addresses == ["Street 1, Town, 12345, Country"]


def test_lowercase_names_whitespace_after_begin_and_scrambled_case(tmp_path: Path) -> None:
    text = "  BEGIN:VCARD  \nversion:3.0\nfn:Lower Case\nemail;type=internet:lc@example.com\nEnD:vCaRd \n"
    rec = one(write(tmp_path, text))
    assert rec.name == "Lower Case"
    assert rec.emails == ["lc@example.com"]


def test_quoted_param_with_colon(tmp_path: Path) -> None:
    text = 'BEGIN:VCARD\nFN:Quoted\nTEL;TYPE="work:voice";X-NOTE="a;b":+1 555 0123\nEND:VCARD\n'
    assert one(write(tmp_path, text)).phones == ["+1 555 0123"]


# --------------------------------------------------------------------------- blobs, nesting


def test_photo_and_other_blobs_are_skipped(tmp_path: Path) -> None:
    blob = base64.b64encode(bytes(range(256)) * 12_000).decode()  # ~4 MB of base64
    folded = "\n ".join(blob[i : i + 74] for i in range(0, len(blob), 74))
    text = (
        "BEGIN:VCARD\nVERSION:3.0\nFN:Photo Person\n"
        f"PHOTO;ENCODING=b;TYPE=JPEG:{folded}\n"
        f"LOGO;ENCODING=BASE64;TYPE=PNG:{blob[:200_000]}\n"
        "EMAIL:photo@example.com\nEND:VCARD\n"
        # vCard 2.1 style: base64 continuation lines, the value ends with a blank line.
        "BEGIN:VCARD\nVERSION:2.1\nFN:Old Photo\n"
        "PHOTO;ENCODING=BASE64;JPEG:" + "\n  ".join(blob[i : i + 76] for i in range(0, 200_000, 76)) + "\n\n"
        "SOUND;BASE64:\n" + "\n".join(blob[i : i + 76] for i in range(0, 50_000, 76)) + "\n\n"
        "KEY;X509;ENCODING=BASE64:\n    " + blob[:3000] + "\n\n"
        "TEL;CELL:+1 555 0000\nEND:VCARD\n"
    )
    path = write(tmp_path, text)
    recs = records(path)
    assert [r.name for r in recs] == ["Photo Person", "Old Photo"]
    assert recs[0].emails == ["photo@example.com"]
    assert recs[1].phones == ["+1 555 0000"]
    assert all(len(r.notes) == 0 and len(r.urls) == 0 for r in recs)


def test_nested_agent_card_is_ignored(tmp_path: Path) -> None:
    text = """BEGIN:VCARD
VERSION:2.1
FN:Outer Person
AGENT:
BEGIN:VCARD
VERSION:2.1
FN:Inner Agent
EMAIL:agent@example.com
END:VCARD
EMAIL:outer@example.com
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Third Party
AGENT:BEGIN:VCARD\\nFN:Escaped Agent\\nEND:VCARD\\n
EMAIL:third@example.com
END:VCARD
"""
    recs = records(write(tmp_path, text))
    assert [(r.record, r.name, r.emails) for r in recs] == [
        (1, "Outer Person", ["outer@example.com"]),
        (2, "Third Party", ["third@example.com"]),
    ]
    assert recs[0].raw.count("BEGIN:VCARD") == 2


def test_many_cards_are_numbered_with_exact_raw(tmp_path: Path) -> None:
    cards = [f"BEGIN:VCARD\nVERSION:3.0\nFN:Person {i}\nEMAIL:p{i}@example.com\nEND:VCARD\n" for i in range(1, 251)]
    path = write(tmp_path, "\n".join(cards))  # blank lines between cards are fine
    recs = records(path)
    assert [r.record for r in recs] == list(range(1, 251))
    assert recs[41].name == "Person 42"
    assert recs[41].raw == cards[41].rstrip("\n").replace("\n", CRLF)


# --------------------------------------------------------------------------- bad content


def test_empty_file(tmp_path: Path) -> None:
    for content in ("", "\n\n  \n"):
        (err,) = items(write(tmp_path, content))
        assert isinstance(err, RecordError)
        assert err.record == 0
        assert "no vCard found" in err.reason
        assert err.file.endswith("cards.vcf")


def test_binary_garbage(tmp_path: Path) -> None:
    data = bytes(range(256)) * 40 + b"\x00\xff" * 1000
    (err,) = items(write(tmp_path, data))
    assert isinstance(err, RecordError)
    assert err.record == 0
    assert "no vCard found" in err.reason
    assert "binary" in err.reason


def test_text_without_cards(tmp_path: Path) -> None:
    (err,) = items(write(tmp_path, "VERSION:3.0\nFN:No Begin\nEND:VCARD\n"))
    assert isinstance(err, RecordError)
    assert (err.record, err.reason) == (0, "no vCard found (no BEGIN:VCARD line)")
    assert "No Begin" in err.raw


def test_truncated_last_card_with_name_lands(tmp_path: Path) -> None:
    text = SIMPLE + "BEGIN:VCARD\nVERSION:3.0\nFN:Cut Off\nEMAIL:cut@exa"
    recs = records(write(tmp_path, text))
    assert [(r.record, r.name) for r in recs] == [(1, "Ada Lovelace"), (2, "Cut Off")]
    assert recs[1].emails == ["cut@exa"]
    assert recs[1].raw.endswith("EMAIL:cut@exa")


def test_truncated_last_card_without_name_is_an_error(tmp_path: Path) -> None:
    text = SIMPLE + "BEGIN:VCARD\nVERSION:3.0\nTEL:+1 555 0100\nNOTE:cut"
    out = items(write(tmp_path, text))
    assert isinstance(out[0], ContactRecord)
    err = out[1]
    assert isinstance(err, RecordError)
    assert err.record == 2
    assert "card not terminated" in err.reason
    assert err.raw.startswith("BEGIN:VCARD") and err.raw.endswith("NOTE:cut")


def test_unterminated_card_followed_by_another(tmp_path: Path) -> None:
    text = "BEGIN:VCARD\nFN:First Unended\nBEGIN:VCARD\nFN:Second\nEND:VCARD\n"
    recs = records(write(tmp_path, text))
    assert [(r.record, r.name) for r in recs] == [(1, "First Unended"), (2, "Second")]
    assert recs[0].raw == "BEGIN:VCARD\r\nFN:First Unended"


def test_card_without_identity_is_an_error(tmp_path: Path) -> None:
    text = "BEGIN:VCARD\nVERSION:3.0\nURL:http://example.com\nNOTE:just a note\nEND:VCARD\n" + SIMPLE
    out = items(write(tmp_path, text))
    assert isinstance(out[0], RecordError)
    assert (out[0].record, out[0].reason) == (1, "no name, email, phone or organisation")
    assert out[0].raw.startswith("BEGIN:VCARD") and out[0].raw.endswith("END:VCARD")
    assert isinstance(out[1], ContactRecord) and out[1].record == 2


def test_org_or_phone_alone_is_enough(tmp_path: Path) -> None:
    text = "BEGIN:VCARD\nORG:Only Org Inc.\nEND:VCARD\nBEGIN:VCARD\nTEL:+1 555 0100\nEND:VCARD\n"
    recs = records(write(tmp_path, text))
    assert [(r.name, r.organization, r.phones) for r in recs] == [
        ("", "Only Org Inc.", []),
        ("", "", ["+1 555 0100"]),
    ]


def test_garbage_between_and_inside_cards(tmp_path: Path) -> None:
    text = (
        "some preamble\n\x00\x01junk\nEND:VCARD\n"
        "BEGIN:VCARD\nthis line has no colon\n;;;:\n:\nFN:Survivor\nNOTE;ENCODING=QUOTED-PRINTABLE:=ZZ=G=\nend\n"
        "EMAIL;CHARSET=no-such-charset:surv@example.com\nEND:VCARD\ntrailing junk\n"
    )
    rec = one(write(tmp_path, text))
    assert rec.name == "Survivor"
    assert rec.emails == ["surv@example.com"]
    assert rec.notes == ["=ZZ=Gend"]


def test_unreadable_file_raises_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        list(vcard.parse(tmp_path / "missing.vcf"))
    assert "missing.vcf" in str(exc.value)
    assert "\n" not in str(exc.value)
    with pytest.raises(InputError):
        list(vcard.parse(tmp_path))  # a directory


# --------------------------------------------------------------------------- speed


def test_speed_on_generated_cards(tmp_path: Path) -> None:
    n = 20_000
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Family{0};Given{0};;;\r\nFN:Given{0} Family{0}\r\n"
        "EMAIL;TYPE=INTERNET:user{0}@example.com\r\nTEL;TYPE=CELL:+1 555 {0:07d}\r\n"
        "ORG:Company {0}\r\nTITLE:Engineer\r\nEND:VCARD\r\n"
    )
    path = tmp_path / "many.vcf"
    path.write_bytes("".join(card.format(i) for i in range(n)).encode())
    recs = records(path)
    assert len(recs) == n
    assert recs[-1].emails == [f"user{n - 1}@example.com"]


# --------------------------------------------------------------------------- real corpus

_BEGIN_LINE = re.compile(r"[ \t]*(?:[A-Za-z0-9_-]*\.)?BEGIN[ \t]*:[ \t]*VCARD[ \t]*", re.IGNORECASE)


def count_begin_lines(path: Path) -> int:
    """Cards in a file, counted independently of the parser: lines that say BEGIN:VCARD."""
    text = textio.read_text(path)
    return sum(1 for line in re.split(r"\r\n|\r|\n", text) if _BEGIN_LINE.fullmatch(line))


def test_real_vcard_corpus() -> None:
    root = shared("vcards")
    files = sorted(p for p in root.rglob("*") if p.is_file())
    assert files
    found = landed = rejected = 0
    per_source: Counter[str] = Counter()
    for path in files:
        expected = count_begin_lines(path)
        out = list(vcard.parse(path))
        assert all(isinstance(x, ContactRecord | RecordError) for x in out)
        cards = [x for x in out if x.record > 0]
        # Nothing disappears: every BEGIN:VCARD line gives exactly one record or error.
        assert len(cards) == expected, path
        assert [x.record for x in cards] == list(range(1, expected + 1)), path
        if expected == 0:
            (err,) = out
            assert isinstance(err, RecordError) and err.record == 0 and err.reason, path
        for x in out:
            if isinstance(x, RecordError):
                assert x.reason and not x.reason.startswith("internal"), (path, x.reason)
                assert x.file == str(path)
                if x.record > 0:
                    assert x.raw.strip(), path
            else:
                assert x.source == "vcard" and x.raw.strip(), path
        found += expected
        landed += sum(isinstance(x, ContactRecord) for x in cards)
        rejected += sum(isinstance(x, RecordError) for x in cards)
        per_source[path.relative_to(root).parts[0]] += expected
    assert landed + rejected == found
    assert found >= 200
    assert len(per_source) >= 5
    assert landed / found >= 0.97, f"{landed}/{found} cards landed"


def test_indented_line_after_begin_is_not_folded_into_it(tmp_path: Path) -> None:
    rec = one(write(tmp_path, "BEGIN:VCARD\n VERSION:3.0\nFN:Indented\nEND:VCARD\n"))
    assert rec.name == "Indented"
