"""Normalise emails, phones, profile URLs and names into matchable keys."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import unquote, urlsplit

import phonenumbers

_EMAIL_RE = re.compile(r"^[^@\s<>()\[\],;:\"]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")
_DOMAIN_ALIASES = {"googlemail.com": "gmail.com"}
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md", "mba", "esq", "dds", "cpa", "pe"})
_HONORIFICS = {"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "madam", "mx", "herr", "frau", "mme", "mlle", "m",
               *_SUFFIXES}
_ORG_WORDS = frozenset({"inc", "llc", "ltd", "llp", "lp", "plc", "corp", "co", "gmbh", "ag", "sa", "bv", "nv"})
# Names that stand for no one: an exporter's or a mail client's stand-in, never evidence of a person.
PLACEHOLDER_NAMES = frozenset({
    "email", "e mail", "mail", "linkedin member", "unknown", "unknown unknown", "no name", "noname", "none", "null",
    "n a", "na", "user", "contact", "anonymous", "undisclosed recipients", "undisclosed recipient", "recipient",
    "recipients", "me", "test", "nobody",
})
# Words that say how someone relates to a named person ("Y father"): they name another person.
RELATION_WORDS = frozenset({
    "father", "mother", "dad", "daddy", "mom", "mum", "mummy", "mommy", "papa", "pappa", "brother", "sister", "bro",
    "sis", "son", "daughter", "wife", "husband", "uncle", "aunt", "aunty", "auntie", "cousin", "grandpa", "grandma",
    "grandfather", "grandmother", "nephew", "niece", "bhai", "bhaiya", "bhaia", "didi", "di", "bhabhi", "jiju",
    "mama", "mami", "mausi", "masi", "chacha", "chachi", "kaka", "kaki", "nana", "nani", "dada", "dadi", "tau", "tai",
    "beta", "friend", "neighbour", "neighbor", "inlaw", "law",
})
_PUNCT_RE = re.compile(r"[^\w\s]", re.UNICODE)
_SPACE_RE = re.compile(r"\s+")


def email(value: str) -> str | None:
    """A lower-cased address, or None when `value` is not an email address."""
    v = value.strip().strip("<>").strip()
    if v[:7].lower() == "mailto:":
        v = unquote(v[7:]).split("?", 1)[0]
    v = v.lower().strip("'\"")
    if "@" not in v:
        return None
    local, domain = v.rsplit("@", 1)
    # Quotes around a local part ("'jane.doe'@x", "'jane.doe@x"), as some mail clients copy a quoted
    # display name, are no part of the mailbox: the same address without them.
    local = local.strip("'")
    if not local or not _EMAIL_RE.match(f"{local}@{domain}"):
        return None
    return f"{local}@{_DOMAIN_ALIASES.get(domain, domain)}"


_PLAIN_INTL = re.compile(r"^\+[\d \-.]{7,22}$")
_PLAIN_NANP = re.compile(r"^(?:\+?1[ \-.]?)?\(?([2-9]\d\d)\)?[ \-.]?(\d{3})[ \-.]?(\d{4})$")
_NANP_REGIONS = {"US", "CA"}


def _fast_phone(v: str, region: str) -> str | None:
    """E.164 for the plain spellings that need no metadata; None to use phonenumbers."""
    if _PLAIN_INTL.match(v):
        digits = "".join(c for c in v if c.isdigit())
        if digits.startswith("0"):  # no country calling code starts with 0
            return None
        for cc_len in (1, 2, 3):
            if int(digits[:cc_len]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
                rest = digits[cc_len:]
                # A trunk "0" after the country code needs the country's rules.
                if rest.startswith("0") or not 6 <= len(rest) <= 14:
                    return None
                return "+" + digits
        return None
    if region in _NANP_REGIONS:
        m = _PLAIN_NANP.match(v)
        if m:
            return "+1" + "".join(m.groups())
    return None


@lru_cache(maxsize=200_000)
def phone(value: str, region: str = "US") -> str | None:
    """The E.164 form of a phone number, or None when it cannot be one."""
    v = value.strip()
    if v[:4].lower() == "tel:":
        v = v[4:]
    v = v.split(";", 1)[0]
    fast = _fast_phone(v, region)
    if fast:
        return fast
    digits = sum(c.isdigit() for c in v)
    if digits < 5 or digits > 17:
        return None
    if v.startswith("00"):
        v = "+" + v[2:]
    try:
        num = phonenumbers.parse(v, None if v.startswith("+") else region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(num):
        return None
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


_LIST_SEPARATOR = re.compile(r"\s*(?:[,;]|\s/\s|:::)\s*")


def phone_list(value: str) -> list[str]:
    """The numbers in one phone field: "+91 98200 11111, +91 98200 22222" holds two."""
    parts = [p for p in _LIST_SEPARATOR.split(value) if p]
    if len(parts) > 1 and all(sum(c.isdigit() for c in p) >= 5 for p in parts):
        return parts
    return [value]


def country_code(value: str) -> int | None:
    """The country calling code of a number written with one ("+91 …", "0044 …"), else None."""
    v = value.strip()
    if v[:4].lower() == "tel:":
        v = v[4:]
    if v.startswith("00"):
        v = "+" + v[2:]
    if not v.startswith("+"):
        return None
    e164 = phone(v)
    if not e164:
        return None
    for cc_len in (1, 2, 3):
        if int(e164[1:1 + cc_len]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            return int(e164[1:1 + cc_len])
    return None


def is_region(code: str) -> bool:
    """True for a region phone numbers can be read in ("IN", "GB")."""
    return code.upper() in phonenumbers.SUPPORTED_REGIONS


def region_of(code: int) -> str:
    """The main region of a country calling code ("US" for 1, "IN" for 91)."""
    return str(phonenumbers.region_code_for_country_code(code))


_PLAIN_PROFILE = re.compile(r"^(?:https?://)?(?:[a-z]{2,3}\.)?linkedin\.com/(?:in|pub)/([^/?#%\s]+)/?$", re.I)


def linkedin_url(value: str) -> str | None:
    """`linkedin.com/in/<slug>` for a LinkedIn profile URL in any spelling, else None."""
    v = value.strip()
    plain = _PLAIN_PROFILE.match(v)
    if plain:
        return "linkedin.com/in/" + plain.group(1).lower()
    if "linkedin." not in v.lower():
        return None
    if "://" not in v:
        v = "https://" + v
    try:
        parts = urlsplit(v)
    except ValueError:  # not a URL at all, e.g. an unbalanced "[" read as an IPv6 host
        return None
    host = parts.netloc.lower()
    if not (host == "linkedin.com" or host.endswith(".linkedin.com")):
        return None
    segs = [s for s in unquote(parts.path).split("/") if s]
    if len(segs) >= 2 and segs[0].lower() in ("in", "pub"):
        return "linkedin.com/in/" + segs[1].lower()
    return None


def strip_accents(text: str) -> str:
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def split_name(name: str) -> tuple[str, str]:
    """(given, family) from a display name, understanding "Last, First" and honorifics."""
    n = _SPACE_RE.sub(" ", name).strip()
    if not n or "@" in n:
        return "", ""
    if n.count(",") == 1:
        last, first = (p.strip() for p in n.split(","))
        if first and last and first.lower().strip(".") not in _HONORIFICS:
            return first, last
        n = last if first.lower().strip(".") in _HONORIFICS else n
    tokens = [t for t in n.replace(",", " ").split() if t.lower().strip(".") not in _HONORIFICS]
    if not tokens:
        return "", ""
    if len(tokens) == 1:
        return tokens[0], ""
    return " ".join(tokens[:-1]), tokens[-1]


# Words that make a name an organisation's, a team's or a service's rather than a person's.
_COLLECTIVE_WORDS = _ORG_WORDS | {
    "association", "associates", "team", "group", "department", "dept", "office", "center", "centre", "council",
    "committee", "services", "service", "support", "news", "newsletter", "club", "society", "foundation",
    "institute", "university", "company", "corporation", "desk", "helpdesk", "staff", "announcement",
    "announcements", "administrator", "solutions", "marketing",
}


def collective_name(name: str) -> bool:
    """True for a name that is an organisation's or a team's ("The Power Association", "ETS Solution Center"),
    greeted as a group, not by a first name."""
    words = _PUNCT_RE.sub(" ", name.lower()).split()
    return bool(words) and (words[0] == "the" or any(w in _COLLECTIVE_WORDS for w in words))


def first_name(name: str) -> str:
    """The name to greet someone by: the first given name ("Ana" of "Ana Maria Sousa", of "Sousa, Ana" and of
    "Dr. Ana Sousa"); the name itself when it has no parts (an address, a single word); "" for an
    organisation's or a team's name (`collective_name`)."""
    if collective_name(name):
        return ""
    given, _ = split_name(name)
    return given.split()[0] if given else " ".join(name.split())


def name_key(name: str) -> str:
    """A comparable form of a name: no accents, case, punctuation, honorifics; "Last, First" turned."""
    given, family = split_name(name)
    text = f"{given} {family}" if (given or family) else name
    text = _PUNCT_RE.sub(" ", strip_accents(text).lower())
    return " ".join(t for t in text.split() if t not in _HONORIFICS)


def display_name(name: str, given: str, family: str) -> tuple[str, str, str, str]:
    """(name, given, family, name_key), each filled from the others where missing."""
    name = name or " ".join(x for x in (given, family) if x)
    if name and not (given or family):
        given, family = split_name(name)
    return name, given, family, name_key(name) if name else ""


def block_keys(key: str) -> list[str]:
    """Blocking keys for candidate pairs: family name + first initial, in both name orders.

    Relation words and labels with digits ("father", "10th") are left out: they name no one.
    """
    tokens = [t for t in key.split() if t not in RELATION_WORDS and not any(c.isdigit() for c in t)] or key.split()
    if not tokens:
        return []
    if len(tokens) == 1:
        return [tokens[0]]
    first, last = tokens[0], tokens[-1]
    return [f"{last}|{first[0]}", f"{first}|{last[0]}"]


def local_words(address: str) -> str:
    """The words of an address's local part as a name key: "dana.whitfield@…" gives "dana whitfield"."""
    return name_key(" ".join(re.split(r"[^a-z]+", address.split("@")[0].lower())))


# Outlook's label after a name in an address list: "Ann Lee (E-mail)", "Ann Lee (Business Fax 2)".
_ADDRESS_LABEL = re.compile(r"\s*\((?:business |home |other |mobile )?(?:e-?mail|fax|phone)(?: \d+)?\)\s*$", re.I)
_ESCAPED = re.compile(r"\\(.)")
_DEBRIS = " \t'\"<>\\"
_QUOTING = re.compile(r'[\\"<>()]')  # what a display name needs cleaning of, when it has any


def mail_display_name(name: str) -> str:
    """A display name from a mail header without its quoting debris: backslash escapes (nested ones too), stray
    quotes, backslashes and angle brackets at its ends, and Outlook's "(E-mail)" label."""
    if not _QUOTING.search(name):
        return name
    for _ in range(3):  # a name quoted again by each mail system it passed through
        unescaped = _ESCAPED.sub(r"\1", name)
        if unescaped == name:
            break
        name = unescaped
    name = _ADDRESS_LABEL.sub("", name.strip(_DEBRIS))
    return name.strip(_DEBRIS)


def _name_word(word: str) -> bool:
    """A word that can be part of a person's name: letters, with inner hyphens, apostrophes or a final dot."""
    return word.rstrip(".").replace("-", "").replace("'", "").replace("’", "").isalpha()


def natural_order(name: str) -> str:
    """A correspondent's name as it is said: "Lee, Ann M." (an address book's or a directory's order) turns
    into "Ann M. Lee"; a trailing comma goes. Anything else ("Acme, Inc.", "Lee, Jr.", "Team, Sales
    Ops 2") is kept as it is."""
    n = " ".join(name.split()).rstrip(",").rstrip()
    if n.count(",") != 1:
        return n
    family, given = (p.strip() for p in n.split(","))
    fw, gw = family.split(), given.split()
    if not (1 <= len(fw) <= 3 and 1 <= len(gw) <= 3) or not all(_name_word(w) for w in fw + gw):
        return n
    if gw[0].lower().strip(".") in _HONORIFICS or any(
            w.lower().strip(".") in _SUFFIXES or w.lower().strip(".") in _ORG_WORDS for w in fw + gw):
        return n
    return f"{given} {family}"


def placeholder_name(name: str) -> bool:
    """True for a name that names no one: a stand-in ("e-mail", "LinkedIn Member") or an address used as a name."""
    if "@" in name or any(w.lower().startswith(("http://", "https://", "www.")) for w in name.split()):
        return True
    key = name_key(name)
    return not key or key in PLACEHOLDER_NAMES or not any(c.isalpha() for c in key)


def contact_name(name: str, given: str, family: str) -> tuple[str, str, str, str]:
    """`display_name` of a contact record's name parts, where a name that names no one (`placeholder_name`:
    "e-mail", "LinkedIn Member", an address) is no name: its given and family names are used when they are
    real, else the record gives no name and its person is shown by one read from their address
    (`identity.shown.display`). A part without a letter ("." for a family name kept private) is no part; a
    name filed as "Family, Given" is said in its natural order (`natural_order`). The record itself is kept as
    it was."""
    name = natural_order(name)
    if given and not any(c.isalpha() for c in given):
        name, given = (name[len(given):].strip() if name.startswith(given) else name), ""
    if family and not any(c.isalpha() for c in family):
        name, family = (name[:-len(family)].strip() if name.endswith(family) else name), ""
    out = display_name(name, given, family)
    if not out[0] or not placeholder_name(out[0]):
        return out
    given, family = ("" if part and placeholder_name(part) else part for part in (given, family))
    out = display_name("", given, family)
    return out if out[0] and not placeholder_name(out[0]) else ("", "", "", "")
