"""Export people as vCard 3.0, CSV or JSON, readable by other address books."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from closeknit.records import OWN_ID
from closeknit.sources.csvutil import spreadsheet_safe
from closeknit.sources.vcard import CONNECTED_ON

FORMATS = ("vcard", "csv", "json")
# The CSV export's columns: the last names it as Closeknit's own (read back exactly, escapes undone).
ID_COLUMN = "closeknit_id"
CSV_COLUMNS = ["id", "name", "given", "family", "organization", "title", "emails", "phones", "profiles",
               "urls", "tags", "birthday", "connected_on", "notes", ID_COLUMN]
JSON_KEYS = [ID_COLUMN, "id", "name", "given", "family", "organization", "title", "emails", "phones", "profiles",
             "urls", "tags", "birthday", "connected_on", "notes", "roles", "sources"]
LIST_SEP = " ::: "  # between the values of one CSV cell (Google's convention)

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


def own_id(database: str, person: dict[str, Any]) -> str:
    """The person's id as an export writes it, so that importing it here again finds the same person."""
    return f"{OWN_ID}{database}:{person['id']}"


def vcard(person: dict[str, Any], database: str) -> str:
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"FN:{_vc_escape(person['name'] or '')}",
             f"N:{_vc_escape(person['family'])};{_vc_escape(person['given'])};;;"]
    lines += [f"EMAIL;TYPE=INTERNET:{e}" for e in person["emails"]]
    lines += [f"TEL:{p}" for p in person["phones"]]
    lines += [f"URL:https://www.{u}" for u in person["profiles"]]
    lines += [f"URL:{_vc_escape(u)}" for u in person["urls"]]
    if person["organization"]:
        lines.append(f"ORG:{_vc_escape(person['organization'])}")
    if person["title"]:
        lines.append(f"TITLE:{_vc_escape(person['title'])}")
    if person["birthday"]:
        lines.append(f"BDAY:{person['birthday']}")
    if person["connected_on"]:
        lines.append(f"{CONNECTED_ON}:{person['connected_on']}")
    if person["tags"]:
        lines.append("CATEGORIES:" + ",".join(_vc_escape(t) for t in person["tags"]))
    for note in person["notes"]:
        lines.append(f"NOTE:{_vc_escape(note['text'])}")
    lines.append(f"UID:{own_id(database, person)}")
    lines.append("END:VCARD")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def csv_row(person: dict[str, Any], database: str) -> list[str]:
    """The CSV export's cells for one person, each safe to open in a spreadsheet."""
    cells = [str(person["id"]), person["name"], person["given"], person["family"], person["organization"],
             person["title"], LIST_SEP.join(person["emails"]), LIST_SEP.join(person["phones"]),
             LIST_SEP.join(person["profiles"]), LIST_SEP.join(person["urls"]), LIST_SEP.join(person["tags"]),
             person["birthday"], person["connected_on"], LIST_SEP.join(n["text"] for n in person["notes"]),
             own_id(database, person)]
    return [spreadsheet_safe(c or "") for c in cells]


def json_array(items: Iterable[Any]) -> Iterator[str]:
    """The text of `json.dumps(list(items), ensure_ascii=False, indent=2)`, an item at a time."""
    sep = "[\n"
    for item in items:
        yield sep + "  " + json.dumps(item, ensure_ascii=False, indent=2, default=str).replace("\n", "\n  ")
        sep = ",\n"
    yield "[]" if sep == "[\n" else "\n]"


def chunks(people: Iterable[dict[str, Any]], fmt: str, database: str) -> Iterator[str]:
    """The export text for people given as `person_detail` dicts, a person at a time.

    `database` is the database's id (store.writer.database_id): each person is exported with
    Closeknit's own id, so that importing the export into the same database again finds them.
    """
    if fmt == "vcard":
        yield from (vcard(p, database) for p in people)
    elif fmt == "json":
        yield from json_array({ID_COLUMN: own_id(database, p), **{k: p[k] for k in JSON_KEYS[1:]}} for p in people)
        yield "\n"
    else:
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(CSV_COLUMNS)
        for p in people:
            w.writerow(csv_row(p, database))
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
