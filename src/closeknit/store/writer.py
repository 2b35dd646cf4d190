"""The single write path for imports: batched, idempotent upserts of contacts and interactions."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections import Counter, defaultdict
from collections.abc import Container, Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import fields as dataclass_fields
from functools import cached_property
from hashlib import blake2b
from operator import itemgetter
from typing import Any, NamedTuple, TypeVar

from sqlalchemy.exc import OperationalError

from closeknit.identity import normalise
from closeknit.mailconv import SENT_FOLDER, normal_subject
from closeknit.records import OWN_ID, ContactRecord, InteractionRecord, RecordError, content_hash
from closeknit.store import ignore
from closeknit.store.base import Base, now_iso

# The parsed fields kept as JSON with each source record; the others are its columns.
_COLUMN_FIELDS = {"source", "file", "record", "raw"}
_CONTACT_FIELDS = tuple(f.name for f in dataclass_fields(ContactRecord) if f.name not in _COLUMN_FIELDS)
# Identifier kinds that prove two records are one person.
MATCHING_KINDS = ("email", "phone", "linkedin", "uid")
# The kind of a phone number that could not be normalised: kept as written, matched with nothing.
AS_WRITTEN = "phone_as_written"
# Sources whose organisation/title are the freshest (people keep LinkedIn current).
JOB_AUTHORITY = {"linkedin"}
_LOOKUP_CHUNK = 500  # keys per IN (...) query
BATCH_SIZE = 5000  # records a writer holds before it writes them, in one transaction
# Interactions a writer on a database without any remembers (see Writer._remember); past this many it looks
# them up in the database instead, as it does those stored before it, so that its memory stays bounded.
REMEMBER_MAX = 200_000  # some 200 bytes each
T = TypeVar("T")


def database_id(db: Base) -> str:
    """This database's random id, made by its first export: an exported person's id is only its own here.

    Imports never make it (so two imports of the same files give the same database). A database that
    cannot be written still exports, under an id it cannot keep: its people are then not recognised
    when that export is read back, as with any other file.
    """
    value = db.get_setting("database_id")
    if not value:
        value = uuid.uuid4().hex[:16]
        with suppress(OperationalError):  # a read-only database: the export goes on
            db.set_setting("database_id", value)
    return str(value)


def contact_identifiers(rec: ContactRecord, region: str) -> list[tuple[str, str, str]]:
    """(kind, value, as_written) for every identifier of a contact record, normalised."""
    out: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()

    def add(kind: str, value: str | None, raw: str) -> None:
        if value and (kind, value) not in seen:
            seen.add((kind, value))
            out.append((kind, value, raw))

    for e in rec.emails:
        add("email", normalise.email(e), e)
    for p in (one for value in rec.phones for one in normalise.phone_list(value)):
        e164 = normalise.phone(p, region)
        # A number that cannot be normalised is kept as written, flagged by its kind, never dropped
        # (text without a digit, "mobile", is no number).
        if e164 or any(c.isdigit() for c in p):
            add("phone", e164, p) if e164 else add(AS_WRITTEN, " ".join(p.split()), p)
    for u in rec.urls:
        li = normalise.linkedin_url(u)
        add("linkedin", li, u) if li else add("url", u.strip(), u)
    if rec.uid:
        uid = rec.uid.strip()
        add("uid", uid if uid.startswith(OWN_ID) else f"{rec.source}:{uid}", rec.uid)
    return out


def _profile_form(value: str) -> bool:
    """True for a member-id profile URL (`/in/ACoAA…`, as messages give them), False for a vanity one."""
    return value.startswith("linkedin.com/in/acoa")


PERSON_FIELDS = ("name", "given", "family", "name_key", "organization", "title", "birthday", "connected_on")
_PEOPLE_COLUMNS = ("id", *PERSON_FIELDS, "created_at")
_people_row = itemgetter(*_PEOPLE_COLUMNS)


class PreparedContact(NamedTuple):
    """A contact record reduced to what the store needs, with all the work done that needs no store.

    Small and flat so that a parser process can prepare records and send them over cheaply.
    """

    source: str
    file: str
    record: int
    raw: str
    hash: str
    idents: list[tuple[str, str, str]]  # (kind, normalised value, as written)
    data: str  # JSON of the record's non-empty parsed fields
    fields: tuple[str, ...]  # the person's display fields as this record states them, in PERSON_FIELDS order
    tags: list[str]
    notes: list[str]


def prepare_contact(rec: ContactRecord, region: str, known: Container[tuple[str, str]] = ()) -> PreparedContact:
    """Hash, normalise and serialise one contact record; only hash it when `known` holds its (source, hash)."""
    h = content_hash(rec.raw.replace("\r\n", "\n").strip())
    if (rec.source, h) in known:  # stored by an earlier import: the writer needs no more than the hash
        return PreparedContact(rec.source, rec.file, rec.record, "", h, [], "", (), [], [])
    if rec.uid.startswith(OWN_ID):  # Closeknit's own export states the name parts exactly as they were
        names = (rec.name, rec.given, rec.family, normalise.name_key(rec.name) if rec.name else "")
    else:
        names = normalise.contact_name(rec.name, rec.given, rec.family)
    fields = (*names, rec.organization, rec.title, rec.birthday, rec.connected_on)
    data = {f: v for f in _CONTACT_FIELDS if (v := getattr(rec, f))}  # empty fields left out
    return PreparedContact(
        rec.source, rec.file, rec.record, rec.raw, h,
        contact_identifiers(rec, region), json.dumps(data, ensure_ascii=False), fields,
        [t.strip() for t in rec.tags if t.strip()], [n.strip() for n in rec.notes if n.strip()],
    )


NAMES_NO_ONE = "names no one: no name, valid email, phone, profile or organisation"


def names_no_one(prep: PreparedContact) -> bool:
    """True for a prepared record that would make a person with nothing to show or find them by: no name but a
    stand-in ("e-mail", an address), no identifier, no organisation. Not one only hashed (stored before)."""
    return bool(prep.fields) and not prep.idents and not prep.fields[0] and not prep.fields[4]


class PreparedInteraction(NamedTuple):
    """An interaction record as rows for the store (dates formatted, references joined), parties unresolved.

    Flat, so that a parser process prepares it and sends it over cheaply (see `prepare_file`).
    """

    channel: str
    key: str
    source: str
    file: str
    record: int
    folder: str
    bulk: str
    direction: str  # as the source states it
    parties: list[tuple[str, str, str, str]]  # (address, name, role, status)
    head: tuple[Any, ...]  # columns channel .. folder of its interactions row
    middle: tuple[Any, ...]  # columns size .. refs
    tail: tuple[Any, ...]  # columns stated_direction .. record, then its raw text


def prepare_interaction(rec: InteractionRecord) -> PreparedInteraction:
    """Format one interaction record's columns in the order of the writer's interactions rows."""
    when = rec.when
    return PreparedInteraction(
        rec.channel, rec.key, rec.source, rec.file, rec.record, rec.folder, rec.bulk, rec.direction,
        [(p.address, p.name, p.role, p.status) for p in rec.parties],
        (rec.channel, rec.key, rec.source, when.isoformat() if when else None,
         int(when.timestamp()) if when else None, rec.when_flagged, rec.subject, rec.folder),
        (rec.size, rec.duration_minutes, int(rec.cancelled), rec.in_reply_to, " ".join(rec.references)),
        (rec.direction, rec.note, rec.file, rec.record, rec.raw),
    )


def file_region(phones: Iterable[str]) -> str | None:
    """The region of most numbers written with a country code, or None when there are none or they disagree."""
    codes = Counter(c for p in phones if (c := normalise.country_code(p)))
    if not codes:
        return None
    code, n = codes.most_common(1)[0]
    return normalise.region_of(code) if 2 * n > codes.total() else None


def prepare_file(items: Iterable[T], region: str,
                 known: Container[tuple[str, str]] = ()) -> Iterator[T | PreparedContact | PreparedInteraction]:
    """`prepare_contact` for each contact record of one file (numbers without a country code read in
    `region`), `prepare_interaction` for each interaction record, other items as they are."""
    for item in items:
        if isinstance(item, ContactRecord):
            yield prepare_contact(item, region, known)
        elif isinstance(item, InteractionRecord):
            yield prepare_interaction(item)
        else:
            yield item


def default_region(db: Base) -> str:
    """The region for numbers nothing else places: the configured one, else the owner's own numbers', else US."""
    configured = db.get_setting("region", "")
    if configured:
        return str(configured)
    owner = [v for (v,) in db.fast_rows(
        "SELECT i.value FROM identifiers i JOIN people p ON p.id = i.person_id WHERE p.is_me = 1 AND i.kind = 'phone'"
    )]
    return file_region(owner) or "US"


def renormalise_phones(db: Base, files: Iterable[str], region: str) -> int:
    """Read again, in `region`, the stored numbers of `files` written without a country code; returns
    how many records changed. (Numbers with a country code read the same in any region.)"""
    changed: set[int] = set()
    rows = []
    for kind, value, rid, label in db.fast_rows(
        "SELECT i.kind, i.value, i.source_record_id, i.label FROM identifiers i"
        " JOIN source_records r ON r.id = i.source_record_id"
        " WHERE r.file IN (SELECT value FROM json_each(:files)) AND i.kind IN ('phone', :raw)",
        {"files": json.dumps(list(files)), "raw": AS_WRITTEN},
    ):
        e164 = normalise.phone(label, region)
        new = ("phone", e164) if e164 else (AS_WRITTEN, " ".join(label.split()))
        if new != (kind, value):
            changed.add(rid)
            rows.append((*new, kind, value, rid))
    if rows:
        with db.transaction():
            cur = db.dbapi().cursor()
            cur.executemany("UPDATE OR IGNORE identifiers SET kind = ?, value = ? WHERE kind = ? AND value = ?"
                            " AND source_record_id = ?", rows)
            # A record holding the same number twice, now spelled alike: the old row is a duplicate.
            cur.executemany("DELETE FROM identifiers WHERE kind = ? AND value = ? AND source_record_id = ?",
                            [r[2:] for r in rows])
            cur.close()
    return len(changed)


class Writer:
    """One import session: in-memory identity index, id allocation, batched inserts."""

    def __init__(self, db: Base, region: str = "US", batch_size: int | None = None) -> None:
        self.db = db
        self.region = region
        self.batch_size = batch_size or BATCH_SIZE
        self.stamp = now_iso()
        r = db.rows(
            "SELECT (SELECT coalesce(max(id), 0) FROM people), (SELECT coalesce(max(id), 0) FROM source_records),"
            " (SELECT coalesce(max(id), 0) FROM organizations), (SELECT coalesce(max(id), 0) FROM interactions)"
        )[0]
        self.next_person, self.next_record, self.next_org, self.next_interaction = (int(x) + 1 for x in r)
        self.first_interaction = self.next_interaction  # ids from here on were added by this writer
        # On a database without interactions, each one is numbered as it is added: its key and, for mail, its
        # copy key are remembered (as digests), so duplicates and copies are known at once, without reading
        # the database back. Otherwise (and once past REMEMBER_MAX or a merge) they are found when the batch is
        # written (see `_drop_stored_interactions`).
        self._remember = self.next_interaction == 1
        self._stored_keys: set[bytes] = set()  # digests of (channel, key)
        self._stored_copies: dict[bytes, int] = {}  # copy key digest -> id * 4 + folder rank
        self.hashes: set[tuple[str, str]] = set()
        self._loaded_sources: set[str] = set()
        self.me_ids: set[int] = {p for (p,) in db.rows("SELECT id FROM people WHERE is_me = 1")}
        self.ignore = ignore.load(db)  # what an ignored address or person sends is bulk
        # Interactions by outcome: "added", "duplicate" (met earlier in this import) or "unchanged"
        # (stored by an earlier one); known when their batch is written.
        self.outcomes: Counter[str] = Counter()
        self._names: dict[str, list[int]] | None = None
        self.people_created = 0
        self._collected: dict[tuple[str, str], int] = {}
        # Merged-away person -> the person kept; lookups go through canon() instead of
        # rewriting every index entry on each merge.
        self.alias: dict[int, int] = {}
        self._addr_cache: dict[str, int] = {}  # raw address -> person (maybe merged since: see canon)
        self.touched: set[int] = set()  # people created or changed: candidates for review
        self._stored_refiled: dict[int, str] = {}  # see _copies
        self.name_hints: dict[str, int] = {}  # name key -> the person a party of that name is (see person_for)
        self._profile_forms: dict[int, set[bool]] = {}  # hinted person -> forms of profile URL they have
        self._reset_batch()

    @cached_property
    def index(self) -> dict[tuple[str, str], int]:
        """(kind, value) -> person for every matching identifier, and every person's id as this database's
        exports write it (so a person re-imported from an export is recognised); loaded on first use."""
        index = {
            (k, v): p
            for k, v, p in self.db.fast_rows(
                "SELECT kind, value, person_id FROM identifiers WHERE kind IN ('email','phone','linkedin','uid')"
            )
        }
        exported = self.db.get_setting("database_id")
        if exported:
            own = f"{OWN_ID}{exported}:"
            index.update((("uid", f"{own}{p}"), p) for (p,) in self.db.fast_rows("SELECT id FROM people"))
        return index

    @cached_property
    def orgs(self) -> dict[str, int]:
        return {n: i for i, n in self.db.rows("SELECT id, name FROM organizations")}

    def _reset_batch(self) -> None:
        self.new_people: dict[int, dict[str, Any]] = {}
        self.fill_people: dict[int, dict[str, Any]] = {}
        # Rows are positional tuples in the column order of their INSERT: cheaper to bind than dicts.
        self.b_records: list[tuple[Any, ...]] = []
        self.b_idents: list[tuple[Any, ...]] = []
        self.b_orgs: list[tuple[Any, ...]] = []
        self.b_roles: list[tuple[Any, ...]] = []
        self.b_tags: list[tuple[Any, ...]] = []
        self.b_notes: list[tuple[Any, ...]] = []
        self.b_quarantine: list[tuple[Any, ...]] = []
        self.b_interactions: list[tuple[Any, ...]] = []
        self.b_parties: list[tuple[Any, ...]] = []
        self.b_keys: set[tuple[str, str]] = set()
        self._batch_first = self.next_interaction  # the id of the batch's first interaction, when remembering
        self._refiled: dict[int, str] = {}  # see _copies
        self.pending = 0

    # lookups ---------------------------------------------------------------
    def known_hashes(self, source: str) -> set[tuple[str, str]]:
        """(source, hash) of the stored records: all of `source`'s, and those of other sources met so far."""
        if source not in self._loaded_sources:
            self._loaded_sources.add(source)
            self.hashes.update(
                (source, x) for (x,) in self.db.fast_rows(
                    "SELECT content_hash FROM source_records WHERE source = :s", {"s": source}
                )
            )
        return self.hashes

    def _known(self, source: str, h: str) -> bool:
        return (source, h) in self.known_hashes(source)

    def _collected_person(self, source: str, h: str) -> int:
        pid = self._collected.get((source, h))
        if pid is not None:
            return self.canon(pid)
        self.flush()
        pid = int(self.db.scalar(
            "SELECT person_id FROM source_records WHERE source = :s AND content_hash = :h", {"s": source, "h": h}
        ))
        self._collected[(source, h)] = pid
        return pid

    def _names_index(self) -> dict[str, list[int]]:
        if self._names is None:
            self._names = defaultdict(list)
            for pid, key in self.db.fast_rows("SELECT id, name_key FROM people WHERE name_key != ''"):
                self._names[key].append(pid)
        return self._names

    # contacts --------------------------------------------------------------
    def add_contact(self, rec: ContactRecord | PreparedContact) -> str:
        """Store one contact record; returns "added", "updated" or "unchanged"."""
        prep = rec if isinstance(rec, PreparedContact) else prepare_contact(rec, self.region)
        if self._known(prep.source, prep.hash):
            return "unchanged"
        self.hashes.add((prep.source, prep.hash))
        matches = sorted({self.canon(self.index[(k, v)]) for k, v, _ in prep.idents if (k, v) in self.index})
        if len(matches) > 1:
            pid = self.merge_people(matches[0], matches[1:], "same identifier")
            outcome = "updated"
        elif matches:
            pid, outcome = matches[0], "updated"
        else:
            pid = 0
        if pid and prep.notes and any(k == "uid" and v.startswith(OWN_ID) for k, v, _ in prep.idents):
            # An export of this database read back: its notes are the person's notes, already here.
            prep = prep._replace(notes=self._new_notes(pid, prep.notes))
        if not pid:
            pid, outcome = self._new_person(), "added"
        self._attach_contact(pid, prep)
        return outcome

    def _new_notes(self, pid: int, notes: list[str]) -> list[str]:
        """`notes` less those the person has already (a note written twice counts twice)."""
        have = Counter(t for (t,) in self.db.fast_rows("SELECT text FROM notes WHERE person_id = :p", {"p": pid}))
        fresh = []
        for note in notes:
            if have[note]:
                have[note] -= 1
            else:
                fresh.append(note)
        return fresh

    def _new_person(self) -> int:
        self.people_created += 1
        pid = self.next_person
        self.next_person += 1
        self.new_people[pid] = {"id": pid, **dict.fromkeys(PERSON_FIELDS, ""), "created_at": self.stamp}
        return pid

    def _new_record(self, pid: int, source: str, h: str, file: str, record: int, raw: str, data: str) -> int:
        rid = self.next_record
        self.next_record += 1
        self.b_records.append((rid, source, h, file, record, raw, data, pid, self.stamp))
        return rid

    def _attach_contact(self, pid: int, rec: PreparedContact) -> None:
        rid = self._new_record(pid, rec.source, rec.hash, rec.file, rec.record, rec.raw, rec.data)
        for kind, value, raw in rec.idents:
            self.b_idents.append((kind, value, rid, pid, raw))
            if kind in MATCHING_KINDS:
                self.index[(kind, value)] = pid
        fields = dict(zip(PERSON_FIELDS, rec.fields, strict=True))
        self._set_fields(pid, fields, overwrite_job=rec.source in JOB_AUTHORITY)
        if org := fields["organization"]:
            oid = self.orgs.get(org)
            if oid is None:
                oid = self.orgs[org] = self.next_org
                self.next_org += 1
                self.b_orgs.append((oid, org))
            self.b_roles.append((pid, oid, rid, fields["title"]))
        self.b_tags += [(pid, tag, rec.source) for tag in rec.tags]
        self.b_notes += [(pid, note, rid, self.stamp) for note in rec.notes]
        self.touched.add(pid)
        self._tick()

    def _set_fields(self, pid: int, fields: dict[str, str], overwrite_job: bool = False) -> None:
        target = self.new_people.get(pid)
        if target is None:
            target = self.fill_people.setdefault(pid, {"id": pid})
            if overwrite_job and fields.get("organization"):
                # Fresher job data replaces, rather than fills, the stored organisation and title.
                target["_force_job"] = True
                target["organization"], target["title"] = fields["organization"], fields.get("title", "")
        for key, value in fields.items():
            if not value:
                continue
            job = key in ("organization", "title")
            if not target.get(key) or (overwrite_job and job):
                target[key] = value
        if self._names is not None and fields.get("name_key"):
            self._names[fields["name_key"]].append(pid)

    def add_error(self, err: RecordError, source: str) -> None:
        self.b_quarantine.append(
            (source, err.file, err.record, err.reason, err.raw, content_hash(err.raw), self.stamp)
        )
        self._tick()

    # interactions ------------------------------------------------------------
    def person_for(self, addr: str, display: str, source: str, file: str, record: int) -> int | None:
        """The person with this address (or, lacking one, this unique name); new when unknown.

        A placeholder name ("e-mail", "LinkedIn Member") is no name: it neither names nor finds anyone.
        A name in `name_hints` (a LinkedIn export's connections) is that person's, before any other
        by that name; an unknown address with such a name becomes one of its identifiers. A name once
        taken for a person stays theirs in this source, though others come to share it.
        """
        kind, value = "", ""
        if addr:
            hit = self._addr_cache.get(addr)
            if hit is not None:
                return self.canon(hit)
            if "@" in addr:
                value, kind = normalise.email(addr) or "", "email"
            else:
                value, kind = normalise.linkedin_url(addr) or "", "linkedin"
        if display and normalise.placeholder_name(display):
            display = ""
        hint = self.name_hints.get(normalise.name_key(display)) if display and self.name_hints else None
        if value:
            pid = self.index.get((kind, value))
            if pid is not None:
                pid = self.canon(pid)
                self._addr_cache[addr] = pid
                return pid
        elif display:
            key = normalise.name_key(display)
            if not key:
                return None
            kind, value = "name", key
            h = content_hash(f"{kind}:{value}")
            known = self._known(source, h)
            if known and hint is None:
                return self._collected_person(source, h)
            named = [hint] if hint is not None else self._names_index().get(key, [])
            found = {self.canon(p) for p in named}
            if len(found) == 1:
                pid = found.pop()
                if not known:
                    self._record_party(pid, kind, value, addr, display, source, h, file, record)
                return pid
        else:
            return None
        h = content_hash(f"{kind}:{value}")
        if self._known(source, h):  # collected before, under a name that is now ambiguous
            return self._collected_person(source, h)
        if hint is not None and self._takes_profile(self.canon(hint), kind, value):
            pid = self.canon(hint)
            self._record_party(pid, kind, value, addr, display, source, h, file, record)
            self._addr_cache[addr] = pid
            return pid
        pid = self._new_person()
        self._record_party(pid, kind, value, addr, display, source, h, file, record)
        if kind != "name":
            self._addr_cache[addr] = pid  # as the index now says: the next message naming it finds it here
        self.touched.add(pid)  # a collected person may be a contact under another address
        name = normalise.natural_order(display.strip().strip("'\""))
        if name:
            self._set_fields(pid, {"name": name, "name_key": normalise.name_key(name)})
        elif kind == "name":
            self._names_index()[value].append(pid)
        return pid

    def _record_party(self, pid: int, kind: str, value: str, addr: str, display: str, source: str, h: str,
                      file: str, record: int) -> None:
        """Keep, as a source record of `source`, that this address or name is person `pid`."""
        raw = f"{display} <{addr}>" if addr else display
        self.hashes.add((source, h))
        self._collected[(source, h)] = pid
        data = json.dumps({"name": display, "kind": kind, "value": value})
        rid = self._new_record(pid, source, h, file, record, raw, data)
        if kind != "name":
            self.b_idents.append((kind, value, rid, pid, addr))
            self.index[(kind, value)] = pid

    def _takes_profile(self, pid: int, kind: str, value: str) -> bool:
        """Whether profile `value` may be person `pid`'s: a member has one profile of each form (the
        member-id URL of messages, the vanity URL of connections), so a second one is someone else."""
        if kind != "linkedin":
            return False
        forms = self._profile_forms.get(pid)
        if forms is None:
            forms = self._profile_forms[pid] = {_profile_form(v) for (v,) in self.db.fast_rows(
                "SELECT value FROM identifiers WHERE person_id = :p AND kind = 'linkedin'", {"p": pid}
            )}
        form = _profile_form(value)
        if form in forms:
            return False
        forms.add(form)
        return True

    def names_of(self, source: str) -> dict[str, int]:
        """Name key -> person, for the names that exactly one person with a record of `source` holds."""
        self.flush()
        found: dict[str, set[int]] = defaultdict(set)
        for pid, key in self.db.fast_rows(
            "SELECT DISTINCT p.id, p.name_key FROM people p JOIN source_records s ON s.person_id = p.id"
            " WHERE s.source = :s AND p.name_key != ''", {"s": source}
        ):
            found[key].add(pid)
        return {key: next(iter(pids)) for key, pids in found.items() if len(pids) == 1}

    def add_interaction(self, rec: InteractionRecord | PreparedInteraction,
                        known: Sequence[tuple[int, str]] = ()) -> None:
        """Queue one interaction; its outcome is counted in `outcomes` once its batch is written.

        `known` adds participants already resolved to person ids, as (person id, role).
        """
        prep = rec if isinstance(rec, PreparedInteraction) else prepare_interaction(rec)
        if (prep.channel, prep.key) in self.b_keys:
            self.outcomes["duplicate"] += 1
            return
        self.b_keys.add((prep.channel, prep.key))
        remember = self._remember
        if remember:
            key_digest = _digest(f"{prep.channel}\n{prep.key}")
            if key_digest in self._stored_keys:  # stored from an earlier batch
                self.outcomes["duplicate"] += 1
                return
        cache = self._addr_cache  # the usual case, inlined: an address met before
        source, file, record = prep.source, prep.file, prep.record
        resolved = [
            (cache.get(address) or self.person_for(address, name, source, file, record), role, status, address)
            for address, name, role, status in prep.parties
        ]
        if known:
            resolved += [(pid, role, "", "") for pid, role in known]
        # Its id, when remembering; else its place in the batch (the id is given when it is written). Taken once
        # its parties are resolved: that may have written the batch.
        iid = self.next_interaction if remember else len(self.b_interactions)
        mine: list[tuple[Any, ...]] = []
        seen: set[tuple[int, str]] = set()
        sender_me = other_me = False
        bulk = prep.bulk
        if not bulk and self.ignore and any(
            role in ignore.SENDER_ROLES and self.ignore.covers(address, pid) for pid, role, _, address in resolved
        ):
            bulk = ignore.IGNORED
        alias, me_ids, add = self.alias, self.me_ids, mine.append
        for pid, role, status, address in resolved:
            if pid is None:
                continue
            if alias:
                pid = self.canon(pid)
            if (pid, role) in seen:
                continue
            seen.add((pid, role))
            if pid in me_ids:
                if role in ("from", "sender", "organizer"):
                    sender_me = True
                else:
                    other_me = True
            add((iid, pid, role, status, address))
        direction = prep.direction or ("out" if sender_me else "in" if other_me else "other" if self.me_ids else "")
        if direction == "other" and "inbox" in prep.folder.lower():
            direction = "in"  # in my inbox without naming me: a list or a Bcc, still received
        elif direction == "other" and SENT_FOLDER.search(prep.folder):
            direction = "out"  # in my sent mail without my address: sent on my behalf
        if remember:
            ts = prep.head[4]
            if prep.channel == "email" and ts is not None:
                copy_key = _copy_key(ts, prep.head[6], mine)
                if copy_key is not None:
                    copy_digest = _digest(repr(copy_key))
                    first = self._stored_copies.get(copy_digest)
                    if first is not None:  # a copy of a message stored before: a duplicate
                        self._copy_met(copy_digest, first, prep.folder)
                        self.outcomes["duplicate"] += 1
                        self._tick()
                        return
                    self._stored_copies[copy_digest] = iid * 4 + _folder_rank(prep.folder)
            self._stored_keys.add(key_digest)
            self.next_interaction += 1
            self.outcomes["added"] += 1
        self.b_parties += mine
        # The row: id (or its place, for now), channel .. folder, bulk, size .. refs, direction, stated_direction
        # .. record, and its raw text (which goes to its own table).
        self.b_interactions.append((iid, *prep.head, bulk, *prep.middle, direction, *prep.tail))
        self._tick()

    def _copy_met(self, digest: bytes, first: int, folder: str) -> None:
        """A copy, filed in `folder`, of the message stored as `first` (id * 4 + folder rank), remembered: the
        message takes the more telling folder (see `_copies`)."""
        rank = _folder_rank(folder)
        iid, kept = divmod(first, 4)
        if rank > kept:
            self._stored_copies[digest] = iid * 4 + rank
            (self._refiled if iid >= self._batch_first else self._stored_refiled)[iid] = folder

    # merging ---------------------------------------------------------------
    def canon(self, pid: int) -> int:
        """The surviving id of a person who may have been merged away during this import."""
        while pid in self.alias:
            pid = self.alias[pid]
        return pid

    def merge_people(self, keep: int, others: list[int], why: str) -> int:
        """Merge `others` into `keep` (flushing first so the SQL sees every row)."""
        self.flush()
        from closeknit.store.people import merge_into

        for other in others:
            if other != keep:
                merge_into(self.db, keep, other, why)
        gone = set(others) - {keep}
        self.ignore = ignore.load(self.db)  # a rule on a person follows the merge
        self._forget()  # a merge may drop party rows: copy keys are read back from the database from now on
        for other in gone:
            self.alias[other] = keep
        self.touched -= gone
        self.touched.add(keep)
        return keep

    # flushing --------------------------------------------------------------
    def _tick(self) -> None:
        self.pending += 1
        if self.pending >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        """Write the batch in one transaction; a crash loses at most this batch."""
        if not self.pending and not self.new_people and not self.fill_people:
            return
        with self.db.unchecked_references(), self.db.transaction():
            # Bulk rows go straight to the driver: SQLAlchemy's per-row parameter handling
            # costs more than SQLite's own insert on this path.
            cur = self.db.dbapi().cursor()

            def run(sql: str, rows: list[dict[str, Any]] | list[tuple[Any, ...]]) -> None:
                if rows:
                    cur.executemany(sql, rows)

            def insert(table: str, columns: str, rows: list[tuple[Any, ...]], ignore: bool = False) -> None:
                verb = "INSERT OR IGNORE" if ignore else "INSERT"
                run(f"{verb} INTO {table}({columns}) VALUES ({', '.join('?' * (columns.count(',') + 1))})", rows)

            insert("people", ", ".join(_PEOPLE_COLUMNS), list(map(_people_row, self.new_people.values())))
            updates: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for row in self.fill_people.values():
                force = row.pop("_force_job", False)
                cols = [c for c in row if c != "id"]
                if cols:
                    sets = ", ".join(
                        f"{c} = :{c}"
                        if force and c in ("organization", "title")
                        else f"{c} = CASE WHEN {c} = '' THEN :{c} ELSE {c} END"
                        for c in cols
                    )
                    updates[f"UPDATE people SET {sets} WHERE id = :id"].append(row)
            for sql, rows in updates.items():
                run(sql, rows)
            insert("organizations", "id, name", self.b_orgs)
            insert("source_records", "id, source, content_hash, file, record, raw, data, person_id, imported_at",
                   self.b_records)
            insert("identifiers", "kind, value, source_record_id, person_id, label", self.b_idents, ignore=True)
            insert("roles", "person_id, organization_id, source_record_id, title", self.b_roles, ignore=True)
            insert("tags", "person_id, tag, origin", self.b_tags, ignore=True)
            insert("notes", "person_id, text, source_record_id, created_at", self.b_notes)
            insert("quarantine", "source, file, record, reason, raw, content_hash, created_at", self.b_quarantine,
                   ignore=True)
            if self._remember:
                self._refile_remembered(cur)
            else:
                self._drop_stored_interactions(cur)
            insert("interactions", "id, channel, key, source, occurred_at, ts, when_flagged, subject, folder, bulk,"
                   " size, duration_minutes, cancelled, in_reply_to, refs, direction, stated_direction, note, file,"
                   " record, thread_id", [(*r[:-1], r[0] if r[1] == "email" else None) for r in self.b_interactions])
            insert("interaction_raw", "interaction_id, raw", [(r[0], r[-1]) for r in self.b_interactions])
            insert("interaction_parties", "interaction_id, person_id, role, status, address", self.b_parties,
                   ignore=True)
            self._check_references(cur)
            cur.close()
        self._reset_batch()
        if len(self._stored_keys) > REMEMBER_MAX:
            self._forget()

    def _check_references(self, cur: Any) -> None:
        """When SQLite did not check the foreign keys of the batch's rows (see `Base.unchecked_references`),
        check them here, before they commit: each refers to a row the batch wrote or one the database holds
        (a person merged away by another process meanwhile is not). Raises the error SQLite would have."""
        if cur.execute("PRAGMA foreign_keys").fetchone()[0]:
            return
        people = {r[7] for r in self.b_records}
        people.update(r[3] for r in self.b_idents)
        for rows in (self.b_roles, self.b_tags, self.b_notes):
            people.update(r[0] for r in rows)
        people.update(p[1] for p in self.b_parties)
        records = {r[2] for r in self.b_idents}
        records.update(r[2] for r in self.b_roles)
        records.update(r[2] for r in self.b_notes if r[2] is not None)
        for table, ids, written in (
            ("people", people, self.new_people.keys()),
            ("source_records", records, {r[0] for r in self.b_records}),
            ("organizations", {r[1] for r in self.b_roles}, {r[0] for r in self.b_orgs}),
            ("interactions", {p[0] for p in self.b_parties}, {r[0] for r in self.b_interactions}),
        ):
            rest = ids.difference(written)
            if rest and cur.execute(
                f"SELECT count(*) FROM {table} WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(list(rest)),)
            ).fetchone()[0] != len(rest):
                raise sqlite3.IntegrityError("FOREIGN KEY constraint failed")

    def _forget(self) -> None:
        """Stop remembering the interactions stored (the batch is written): from now on they are looked up."""
        self._remember = False
        self._stored_keys = set()
        self._stored_copies = {}

    def _refile_remembered(self, cur: Any) -> None:
        """Move the messages whose copies this batch met to the folder they take (see `_copy_met`)."""
        refiled = self._refiled
        if refiled:
            self.b_interactions = [_refile(row, refiled[row[0]]) if row[0] in refiled else row
                                   for row in self.b_interactions]
        self._refile_stored(cur)

    def _drop_stored_interactions(self, cur: Any) -> None:
        """Drop the batch's interactions already stored (found by their unique key) and the copies of a
        message met before (see `_copies`), number the rest, count both.

        Looking keys up in the index, batch by batch, keeps memory flat however large the mailbox.
        """
        by_channel: dict[str, list[str]] = defaultdict(list)
        for row in self.b_interactions:
            by_channel[row[1]].append(row[2])
        stored: dict[tuple[str, str], int] = {}
        for channel, keys in by_channel.items():
            for i in range(0, len(keys), _LOOKUP_CHUNK):
                chunk = keys[i:i + _LOOKUP_CHUNK]
                sql = f"SELECT key, id FROM interactions WHERE channel = ? AND key IN ({','.join('?' * len(chunk))})"
                stored.update(((channel, k), iid) for k, iid in cur.execute(sql, [channel, *chunk]))
        copies = self._copies(cur, [r for r in self.b_interactions if (r[1], r[2]) not in stored])
        ids: dict[int, int] = {}  # place in the batch -> id, for the rows to write
        rows = []
        for row in self.b_interactions:
            iid = stored.get((row[1], row[2]))
            if iid is not None:
                self.outcomes["duplicate" if iid >= self.first_interaction else "unchanged"] += 1
                continue
            if row[0] in copies:  # a copy is a duplicate, whenever the message it repeats was stored
                self.outcomes["duplicate"] += 1
                continue
            if row[0] in self._refiled:
                row = _refile(row, self._refiled.pop(row[0]))
            ids[row[0]] = self.next_interaction
            rows.append((self.next_interaction, *row[1:]))
            self.next_interaction += 1
        if rows:
            self.outcomes["added"] += len(rows)
        self.b_interactions = rows
        self.b_parties = [(ids[i], pid, role, status, address) for i, pid, role, status, address in self.b_parties
                          if i in ids]
        self._refile_stored(cur)

    def _refile_stored(self, cur: Any) -> None:
        """Move the stored messages whose copies this batch met to the folder they take."""
        if self._stored_refiled:
            cur.executemany(
                "UPDATE interactions SET folder = ?, direction = CASE WHEN direction = 'other' THEN ? ELSE direction"
                " END WHERE id = ?",
                [(folder, _FOLDER_DIRECTION.get(_folder_rank(folder), "other"), iid)
                 for iid, folder in self._stored_refiled.items()],
            )
        self._stored_refiled.clear()

    def _copies(self, cur: Any, rows: list[tuple[Any, ...]]) -> set[int]:
        """Places in the batch of the copies of a message stored before or met earlier in the batch.

        The same message filed in several folders may carry a different Message-ID in each: it is one
        message when its Date, From, To/Cc addresses and normalised subject agree. The message kept
        takes the telling folder of its copies (sent, then inbox), in `_refiled` and `_stored_refiled`.
        """
        self._refiled = {}  # place in the batch -> the folder the kept message takes
        self._stored_refiled = {}  # stored interaction id -> the folder it takes
        mail = [r for r in rows if r[1] == "email" and r[5] is not None]
        if not mail:
            return set()
        addresses: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for p in self.b_parties:
            addresses[p[0]].append(p)
        seen: dict[tuple[Any, ...], tuple[bool, int, str]] = {}  # copy key -> (stored?, id or place, folder)
        # Copies share their time: a message alone at its time, in the batch and stored, needs no key.
        in_batch = Counter(r[5] for r in mail)
        shared = {ts for ts, n in in_batch.items() if n > 1}
        times = sorted(in_batch)
        for i in range(0, len(times), _LOOKUP_CHUNK):
            chunk = times[i:i + _LOOKUP_CHUNK]
            found = list(cur.execute(
                # "+channel": found through the ts index; the (channel, key) one would read every email row.
                "SELECT id, ts, subject, folder FROM interactions WHERE +channel = 'email'"
                f" AND ts IN ({','.join('?' * len(chunk))})", chunk,
            ))
            parties: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
            for j in range(0, len(found), _LOOKUP_CHUNK):
                part = [f[0] for f in found[j:j + _LOOKUP_CHUNK]]
                for row in cur.execute(
                    "SELECT interaction_id, person_id, role, status, address FROM interaction_parties WHERE"
                    f" interaction_id IN ({','.join('?' * len(part))})", part,
                ):
                    parties[row[0]].append(row)
            for iid, ts, subject, folder in found:
                shared.add(ts)
                if (key := _copy_key(ts, subject, parties[iid])) is not None:
                    seen.setdefault(key, (True, iid, folder))
        out: set[int] = set()
        for r in mail:  # in batch order, so that the first copy is the one kept
            if r[5] not in shared:
                continue
            key = _copy_key(r[5], r[7], addresses[r[0]])
            if key is None:
                continue
            kept = seen.get(key)
            if kept is None:
                seen[key] = (False, r[0], r[8])
                continue
            out.add(r[0])
            if _folder_rank(r[8]) > _folder_rank(kept[2]):
                seen[key] = (kept[0], kept[1], r[8])
                (self._stored_refiled if kept[0] else self._refiled)[kept[1]] = r[8]
        return out


_FOLDER_DIRECTION = {2: "out", 1: "in"}  # what a folder says of mail that does not name "me"


def _folder_rank(folder: str) -> int:
    """How much a folder tells of a message: a sent folder (2), an inbox (1), any other (0)."""
    return 2 if SENT_FOLDER.search(folder) else 1 if "inbox" in folder.lower() else 0


def _refile(row: tuple[Any, ...], folder: str) -> tuple[Any, ...]:
    """An interaction row moved to `folder`, its direction following when only the folder told it."""
    direction = _FOLDER_DIRECTION.get(_folder_rank(folder), "other") if row[15] == "other" else row[15]
    return (*row[:8], folder, *row[9:15], direction, *row[16:])


def _copy_key(ts: int | None, subject: str, parties: list[tuple[Any, ...]]) -> tuple[Any, ...] | None:
    """What makes two copies of a mail message one message: Date, From, To/Cc and normalised subject.

    `parties` are rows of interaction_parties: (interaction, person, role, status, address).
    """
    senders = [p[4] for p in parties if p[2] == "from" and p[4]]
    if ts is None or not senders:
        return None
    sender = senders[0].lower() if len(senders) == 1 else min(a.lower() for a in senders)
    recipients = tuple(sorted({p[4].lower() for p in parties if (p[2] == "to" or p[2] == "cc") and p[4]}))
    subject_key = _SUBJECT_KEYS.get(subject)
    if subject_key is None:
        if len(_SUBJECT_KEYS) >= _SUBJECT_KEYS_MAX:
            _SUBJECT_KEYS.clear()
        subject_key = _SUBJECT_KEYS[subject] = normal_subject(subject)
    return ts, sender, recipients, subject_key


_SUBJECT_KEYS: dict[str, str] = {}  # subject -> normal_subject(subject): copies and replies repeat subjects
_SUBJECT_KEYS_MAX = 20_000


def _digest(text: str) -> bytes:
    """128 bits standing for `text`: a key remembered without keeping it."""
    return blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
