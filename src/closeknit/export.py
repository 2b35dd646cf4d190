"""Export people as vCard 3.0, CSV or JSON, readable by other address books."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

FORMATS = ("vcard", "csv", "json")
CSV_COLUMNS = ["id", "name", "given", "family", "organization", "title", "emails", "phones", "profiles", "tags",
               "birthday", "connected_on", "notes", "strength", "tier"]


def _vc_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace(",", "\\,").replace(";", "\\;")


def _fold(line: str) -> str:
    """Fold at 75 octets as RFC 6350 asks, never inside a UTF-8 character."""
    out, cur, size = [], "", 0
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > 75:
            out.append(cur)
            cur, size = " ", 1
        cur += ch
        size += n
    out.append(cur)
    return "\r\n".join(out)


def vcard(person: dict[str, Any]) -> str:
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"FN:{_vc_escape(person['name'] or '')}",
             f"N:{_vc_escape(person['family'])};{_vc_escape(person['given'])};;;"]
    lines += [f"EMAIL;TYPE=INTERNET:{e}" for e in person["emails"]]
    lines += [f"TEL:{p}" for p in person["phones"]]
    lines += [f"URL:https://www.{u}" for u in person["profiles"]]
    if person["organization"]:
        lines.append(f"ORG:{_vc_escape(person['organization'])}")
    if person["title"]:
        lines.append(f"TITLE:{_vc_escape(person['title'])}")
    if person["birthday"]:
        lines.append(f"BDAY:{person['birthday']}")
    if person["tags"]:
        lines.append("CATEGORIES:" + ",".join(_vc_escape(t) for t in person["tags"]))
    for note in person["notes"]:
        lines.append(f"NOTE:{_vc_escape(note['text'])}")
    lines.append(f"UID:closeknit-{person['id']}")
    lines.append("END:VCARD")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def json_array(items: Iterable[Any]) -> Iterator[str]:
    """The text of `json.dumps(list(items), ensure_ascii=False, indent=2)`, an item at a time."""
    sep = "[\n"
    for item in items:
        yield sep + "  " + json.dumps(item, ensure_ascii=False, indent=2, default=str).replace("\n", "\n  ")
        sep = ",\n"
    yield "[]" if sep == "[\n" else "\n]"


def chunks(people: Iterable[dict[str, Any]], fmt: str) -> Iterator[str]:
    """The export text for people given as `person_detail` dicts, a person at a time."""
    if fmt == "vcard":
        yield from map(vcard, people)
    elif fmt == "json":
        keep = [*CSV_COLUMNS, "urls", "roles", "sources"]
        yield from json_array({k: p.get(k) for k in keep} for p in people)
        yield "\n"
    else:
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(CSV_COLUMNS)
        for p in people:
            w.writerow([
                p["id"], p["name"], p["given"], p["family"], p["organization"], p["title"], " ::: ".join(p["emails"]),
                " ::: ".join(p["phones"]), " ::: ".join(p["profiles"]), " ::: ".join(p["tags"]), p["birthday"],
                p["connected_on"], " ::: ".join(n["text"] for n in p["notes"]), p.get("strength"), p.get("tier"),
            ])
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
