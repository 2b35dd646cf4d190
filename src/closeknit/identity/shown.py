"""A readable name for a person known only by an address: "jane.doe@x" shows as "Jane Doe"."""

from __future__ import annotations

import re

_PARTS = re.compile(r"[._\-+]+")
_SLUG = re.compile(r"linkedin\.com/in/([^/?#]+)", re.IGNORECASE)


def _words(token: str) -> str | None:
    """Title-cased words when `token` reads as a name (two or three alphabetic parts, a middle one may be an
    initial: "ann.m.lee"), else None."""
    # Digits are noise ("smith2", a profile's "-1a2b3c" suffix); a part that is not letters without them is dropped.
    parts = [q.strip("0123456789") for q in _PARTS.split(token)]
    parts = [p for p, q in zip(parts, _PARTS.split(token), strict=True) if p and (_alpha(p) or q == p)]
    if 2 <= len(parts) <= 3 and all((len(p) >= 2 or 0 < k < len(parts) - 1) and _alpha(p)
                                    for k, p in enumerate(parts)):
        return " ".join("'".join(w.capitalize() for w in p.split("'")) for p in parts)  # o'neil: O'Neil
    return None


def _alpha(part: str) -> bool:
    """Letters, with apostrophes inside (o'neil) but not at an end."""
    return part.replace("'", "").isalpha() and not part.startswith("'") and not part.endswith("'")


def name_from_address(address: str) -> str:
    """A name read from an email address or a LinkedIn profile; the address itself when it is not name-like."""
    address = address.strip()
    slug = _SLUG.search(address)
    if slug:
        return _words(slug.group(1)) or address
    if "@" in address:
        return _words(address.rsplit("@", 1)[0]) or address
    return address


def display(name: str | None, address: str | None = None) -> str:
    """The name to show: the stored one, else one read from the person's first address."""
    name = (name or "").strip()
    if name and "@" not in name:
        return name
    return name_from_address(address or name)
