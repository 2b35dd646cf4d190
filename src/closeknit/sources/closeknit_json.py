"""Closeknit's own JSON export read back: every person with everything the export holds, under its own id."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from closeknit.records import OWN_ID, ContactItem, ContactRecord, RecordError
from closeknit.sources import csvutil, registry
from closeknit.sources.base import Format, Yields

SOURCE = "closeknit"
_SIGNATURE = b'"closeknit_id": "' + OWN_ID.encode()
_TEXT_FIELDS = ("name", "given", "family", "organization", "title", "birthday", "connected_on")
_LIST_FIELDS = ("emails", "phones", "profiles", "urls", "tags")


def sniff(path: Path | str) -> bool:
    """True for a JSON array whose first person carries a Closeknit id."""
    try:
        head = csvutil.read_head(Path(path), 4096)
    except OSError:
        return False
    return head.lstrip().startswith(b"[") and _SIGNATURE in head


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _text(person: dict[str, Any], key: str) -> str:
    value = person.get(key)
    return value if isinstance(value, str) else ""


def parse(path: Path | str) -> Iterator[ContactItem]:
    """A ContactRecord per person, plus one per further role (organisation and title) the person holds."""
    file = str(path)
    data = csvutil.read_file(Path(path))
    if isinstance(data, RecordError):
        yield data
        return
    try:
        people = json.loads(data)
    except (ValueError, RecursionError) as exc:
        yield RecordError(file, 0, f"not a readable JSON export: {type(exc).__name__}")
        return
    del data
    if not isinstance(people, list):
        yield RecordError(file, 0, "not a Closeknit JSON export (no list of people)")
        return
    for number, person in enumerate(people, 1):
        raw = json.dumps(person, ensure_ascii=False, sort_keys=True)
        uid = _text(person, "closeknit_id") if isinstance(person, dict) else ""
        if not uid.startswith(OWN_ID):
            yield RecordError(file, number, "person without a Closeknit id", raw)
            continue
        text = {key: _text(person, key) for key in _TEXT_FIELDS}
        lists = {key: _strings(person.get(key)) for key in _LIST_FIELDS}
        notes = [n["text"] for n in person.get("notes") or [] if isinstance(n, dict) and isinstance(n.get("text"), str)]
        yield ContactRecord(
            source=SOURCE, file=file, record=number, raw=raw, name=text["name"], given=text["given"],
            family=text["family"], organization=text["organization"], title=text["title"],
            birthday=text["birthday"], connected_on=text["connected_on"],
            emails=lists["emails"], phones=lists["phones"],
            urls=[f"https://www.{u}" for u in lists["profiles"]] + lists["urls"],
            tags=lists["tags"], notes=notes, uid=uid,
        )
        job = (text["organization"], text["title"])
        for role in person.get("roles") or []:
            if not isinstance(role, dict):
                continue
            other = (_text(role, "organization"), _text(role, "title"))
            if other[0] and other != job:  # the person's own job came with the record above
                yield ContactRecord(
                    source=SOURCE, file=file, record=number, uid=uid, organization=other[0], title=other[1],
                    raw=json.dumps({"closeknit_id": uid, "role": role}, ensure_ascii=False, sort_keys=True),
                )


FORMAT = registry.register(Format(SOURCE, Yields.CONTACTS, sniff, parse))
