"""People: listing, lookup, tags and notes, and merge/split that never lose a source record."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import text

from closeknit.errors import InputError, NotFoundError
from closeknit.identity import normalise
from closeknit.identity.shown import display
from closeknit.store import ignore
from closeknit.store.base import Base, now_iso

# Which source's name/organisation wins when a person's display fields are rebuilt.
SOURCE_PRIORITY = {"linkedin": 0, "vcard": 1, "csv": 2, "manual": 3}
DISPLAY_FIELDS = ("name", "given", "family", "organization", "title", "birthday", "connected_on")
_OTHER_FIELDS = DISPLAY_FIELDS[3:]  # all but the name parts

EDITABLE = ("name", "organization", "title")


def name_sql(alias: str) -> str:
    """SQL for a person's name, or lacking one their first address (email, then profile, then phone), to be
    shown through `identity.shown.display`. (`+i.kind`: read through the person's index, never by kind, whatever
    the query around it.)"""
    return (f"coalesce(nullif({alias}.name, ''), (SELECT i.value FROM identifiers i WHERE i.person_id = {alias}.id"
            " AND +i.kind IN ('email', 'linkedin', 'phone') ORDER BY i.kind, i.value LIMIT 1), '')")


def names(db: Base, ids: Sequence[int]) -> dict[int, str]:
    """The name to show for each of these people (one read from an address when they have none)."""
    return {pid: display(n) for pid, n in db.fast_rows(
        f"SELECT p.id, {name_sql('p')} FROM people p WHERE p.id IN (SELECT value FROM json_each(:ids))",
        {"ids": json.dumps(sorted(set(ids)))},
    )}


def edit(db: Base, pid: int, changes: dict[str, str]) -> list[dict[str, str]]:
    """Set a person's name, organisation or title by hand; each change is logged with the value it replaced
    (merge_log, action 'edit') and survives a rebuild of the person's fields. Returns the changes made."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InputError(f"cannot edit {', '.join(sorted(unknown))}: only {', '.join(EDITABLE)}")
    row = db.rows("SELECT name, organization, title FROM people WHERE id = :p", {"p": pid})
    if not row:
        raise NotFoundError(f"no person with id {pid}")
    old = dict(zip(EDITABLE, row[0], strict=True))
    made = [{"field": f, "old": old[f], "new": v.strip()} for f, v in changes.items() if v.strip() != old[f]]
    if not made:
        return []
    with db.transaction() as conn:
        for change in made:
            conn.execute(text(
                "INSERT INTO merge_log(action, kept_id, other_id, detail, at) VALUES ('edit', :p, :p, :d, :at)"
            ), {"p": pid, "d": json.dumps(change), "at": now_iso()})
        _apply(conn, pid, {c["field"]: c["new"] for c in made})
    return made


def _apply(conn: Any, pid: int, values: dict[str, str]) -> None:
    if "name" in values:
        _, given, family, key = normalise.display_name(values["name"], "", "")
        values = {**values, "given": given, "family": family, "name_key": key}
    sets = ", ".join(f"{c} = :{c}" for c in values)
    conn.execute(text(f"UPDATE people SET {sets} WHERE id = :id"), {**values, "id": pid})


def edits(db: Base, pid: int) -> list[dict[str, Any]]:
    """A person's edits by hand, oldest first: field, old and new value, when."""
    return [{**json.loads(d), "at": at} for d, at in db.rows(
        "SELECT detail, at FROM merge_log WHERE action = 'edit' AND kept_id = :p ORDER BY id", {"p": pid}
    )]


NAME_RULES = 1  # the rules that read a stored name; bump when they change, and names stored before are read again
_NAME_RULES = "name_rules"  # setting: the rules the stored names were read by


def reread_names(db: Base) -> int:
    """Names stored by earlier rules read again by today's, once per change of the rules: a mail header's backslash
    escapes gone, "Family, Given" in natural order. A name the user edited stays. Returns how many changed."""
    if db.get_setting(_NAME_RULES, 0) >= NAME_RULES:
        return 0
    edited = {pid for (pid,) in db.fast_rows(
        "SELECT DISTINCT kept_id FROM merge_log WHERE action = 'edit' AND json_extract(detail, '$.field') = 'name'")}
    changes = []
    for pid, name in db.fast_rows("SELECT id, name FROM people WHERE name LIKE '%,%' OR name LIKE '%\\%'"):
        # Backslash escapes are a mail header's debris; other quotes and brackets may be the name as written.
        new = normalise.natural_order(normalise.mail_display_name(name) if "\\" in name else name)
        if pid not in edited and new and new != name:
            changes.append((*normalise.display_name(new, "", ""), pid))
    with db.transaction():
        if changes:
            db.execute_many("UPDATE people SET name = ?, given = ?, family = ?, name_key = ? WHERE id = ?", changes)
        db.set_setting(_NAME_RULES, NAME_RULES)
    return len(changes)


def merges(db: Base, pid: int) -> list[dict[str, Any]]:
    """The people merged into this one, oldest first: why ("manual merge", a review item, the same name with
    addresses of it at one domain), the source records they brought (what `split` takes back out), when."""
    out = []
    for other, detail, at in db.rows(
        "SELECT other_id, detail, at FROM merge_log WHERE action = 'merge' AND kept_id = :p ORDER BY id", {"p": pid}
    ):
        d = json.loads(detail)
        out.append({"person": other, "why": d.get("why", ""), "records": d.get("records", []), "at": at})
    return out


# Tables whose person_id moves with a merge; those with composite keys need OR IGNORE.
_MOVE_PLAIN = ("source_records", "identifiers", "notes", "favors")
_MOVE_KEYED = ("roles", "tags", "interaction_parties", "care", "needs_offers")


def merge_into(db: Base, keep: int, other: int, why: str) -> None:
    """Move everything of `other` onto `keep` and delete `other`; logged in merge_log."""
    if keep == other:
        raise InputError("cannot merge a person with themselves")
    records = [r for (r,) in db.rows("SELECT id FROM source_records WHERE person_id = :o", {"o": other})]
    p = {"k": keep, "o": other}
    with db.transaction() as conn:
        for table in _MOVE_PLAIN:
            conn.execute(text(f"UPDATE {table} SET person_id = :k WHERE person_id = :o"), p)
        for table in _MOVE_KEYED:
            conn.execute(text(f"UPDATE OR IGNORE {table} SET person_id = :k WHERE person_id = :o"), p)
            conn.execute(text(f"DELETE FROM {table} WHERE person_id = :o"), p)
        for table in ("review_queue", "distinct_people"):
            conn.execute(
                text(f"DELETE FROM {table} WHERE (person_a = :k AND person_b = :o)"
                     " OR (person_a = :o AND person_b = :k)"),
                p,
            )
            for col in ("person_a", "person_b"):
                conn.execute(text(f"UPDATE OR IGNORE {table} SET {col} = :k WHERE {col} = :o"), p)
            conn.execute(text(f"DELETE FROM {table} WHERE person_a = :o OR person_b = :o"), p)
        # Who was different from either is different from both: their open items close.
        conn.execute(text(
            "DELETE FROM review_queue WHERE status = 'open' AND :k IN (person_a, person_b) AND EXISTS"
            " (SELECT 1 FROM distinct_people d WHERE d.person_a IN (review_queue.person_a, review_queue.person_b)"
            " AND d.person_b IN (review_queue.person_a, review_queue.person_b))"
        ), p)
        fills = ", ".join(
            f"{c} = CASE WHEN {c} = '' THEN (SELECT {c} FROM people WHERE id = :o) ELSE {c} END"
            for c in (*DISPLAY_FIELDS, "name_key")
        )
        conn.execute(
            text(
                f"UPDATE people SET {fills}, is_me = max(is_me, (SELECT is_me FROM people WHERE id = :o)),"
                " rating = coalesce(rating, (SELECT rating FROM people WHERE id = :o)) WHERE id = :k"
            ),
            p,
        )
        # Who knows whom follows: the kept person's edges are recomputed from their interactions before the
        # graph is next read, and what the user recorded of the other is now of the kept person.
        conn.execute(text(
            "INSERT OR IGNORE INTO knows(person_a, person_b, how, created_at) SELECT min(:k, x), max(:k, x), how,"
            " created_at FROM (SELECT CASE person_a WHEN :o THEN person_b ELSE person_a END AS x, how, created_at"
            " FROM knows WHERE :o IN (person_a, person_b)) WHERE x != :k"), p)
        conn.execute(text("DELETE FROM knows WHERE :o IN (person_a, person_b)"), p)
        conn.execute(text("DELETE FROM graph_edges WHERE person_a = :o"), p)
        conn.execute(text("DELETE FROM graph_edges WHERE person_b = :o"), p)
        conn.execute(text("INSERT OR IGNORE INTO graph_dirty(person_id) VALUES (:k)"), p)
        for col in ("seeker_id", "connector_id", "target_id"):  # introductions follow the person
            conn.execute(text(f"UPDATE intros SET {col} = :k WHERE {col} = :o"), p)
        conn.execute(text("DELETE FROM people WHERE id = :o"), p)
        # The edits made by hand to the person merged away are part of the kept person's history.
        conn.execute(text("UPDATE merge_log SET kept_id = :k, other_id = :k WHERE action = 'edit' AND kept_id = :o"),
                     p)
        conn.execute(
            text("INSERT INTO merge_log(action, kept_id, other_id, detail, at) VALUES ('merge', :k, :o, :d, :at)"),
            {**p, "d": json.dumps({"why": why, "records": records}), "at": now_iso()},
        )
        ignore.follow_merge(db, keep, other, set(records))


def refresh_person(db: Base, pid: int) -> None:
    """Rebuild a person's display fields from their source records (after a split)."""
    rows = db.rows("SELECT source, data FROM source_records WHERE person_id = :p ORDER BY id", {"p": pid})
    ranked = sorted(rows, key=lambda r: SOURCE_PRIORITY.get(r[0], 9))
    fields = dict.fromkeys(DISPLAY_FIELDS, "")
    names = ("", "", "", "")
    for _source, data in ranked:
        d = json.loads(data)
        if not names[0]:  # the name parts of the first record that names the person (not "e-mail", an address)
            names = normalise.contact_name(d.get("name", ""), d.get("given", ""), d.get("family", ""))
        for f in _OTHER_FIELDS:
            if not fields[f] and d.get(f):
                fields[f] = d[f]
    fields["name"], fields["given"], fields["family"], fields["name_key"] = names
    sets = ", ".join(f"{c} = :{c}" for c in fields)
    latest = {e["field"]: e["new"] for e in edits(db, pid)}  # the user's own edits win
    with db.transaction() as conn:
        conn.execute(text(f"UPDATE people SET {sets} WHERE id = :id"), {**fields, "id": pid})
        if latest:
            _apply(conn, pid, latest)


def split(db: Base, pid: int, record_ids: list[int]) -> int:
    """Move the given source records (and what came from them) to a new person; returns its id."""
    mine = {r for (r,) in db.rows("SELECT id FROM source_records WHERE person_id = :p", {"p": pid})}
    moving = set(record_ids)
    if not moving or not moving <= mine:
        raise InputError(f"records {sorted(moving - mine)} do not belong to person {pid}")
    if moving == mine:
        raise InputError("a split must leave at least one source record with the person")
    ids = {"ids": sorted(moving)}
    moved_values = [
        v for (v,) in db.rows(
            "SELECT value FROM identifiers WHERE source_record_id IN (SELECT value FROM json_each(:ids))",
            {"ids": json.dumps(ids["ids"])},
        )
    ]
    with db.transaction() as conn:
        new = conn.execute(
            text("INSERT INTO people(name, created_at) VALUES ('', :at) RETURNING id"), {"at": now_iso()}
        ).scalar_one()
        q = {"n": new, "p": pid, "ids": json.dumps(ids["ids"])}
        sel = "IN (SELECT value FROM json_each(:ids))"
        conn.execute(text(f"UPDATE source_records SET person_id = :n WHERE id {sel}"), q)
        conn.execute(text(f"UPDATE identifiers SET person_id = :n WHERE source_record_id {sel}"), q)
        conn.execute(text(f"UPDATE roles SET person_id = :n WHERE source_record_id {sel}"), q)
        conn.execute(text(f"UPDATE notes SET person_id = :n WHERE source_record_id {sel}"), q)
        conn.execute(
            text(
                "UPDATE OR IGNORE interaction_parties SET person_id = :n WHERE person_id = :p"
                " AND lower(address) IN (SELECT value FROM json_each(:vals))"
            ),
            {**q, "vals": json.dumps(moved_values)},
        )
        conn.execute(
            text("INSERT OR IGNORE INTO distinct_people(person_a, person_b) VALUES (:a, :b)"),
            {"a": min(pid, new), "b": max(pid, new)},
        )
        conn.execute(
            text("INSERT INTO merge_log(action, kept_id, other_id, detail, at) VALUES ('split', :p, :n, :d, :at)"),
            {**q, "d": json.dumps({"records": ids["ids"]}), "at": now_iso()},
        )
        ignore.follow_split(db, pid, new, moving)
        conn.execute(text("INSERT OR IGNORE INTO graph_dirty(person_id) VALUES (:p), (:n)"), q)
    refresh_person(db, pid)
    refresh_person(db, new)
    return int(new)


def find_person(db: Base, ref: str) -> int:
    """A person id from an id, an email, a phone, a LinkedIn URL or an unambiguous name."""
    ref = ref.strip()
    if ref.isdigit() and db.scalar("SELECT 1 FROM people WHERE id = :i", {"i": int(ref)}):
        return int(ref)
    for kind, value in (
        ("email", normalise.email(ref)),
        ("linkedin", normalise.linkedin_url(ref)),
        ("phone", normalise.phone(ref) if any(c.isdigit() for c in ref) else None),
    ):
        if value:
            pid = db.scalar("SELECT person_id FROM identifiers WHERE kind = :k AND value = :v", {"k": kind, "v": value})
            if pid is not None:
                return int(pid)
    key = normalise.name_key(ref)
    exact = [p for (p,) in db.rows("SELECT id FROM people WHERE name_key = :k", {"k": key})] if key else []
    if len(exact) == 1:
        return exact[0]
    like = exact or [
        p for (p,) in db.rows(
            "SELECT id FROM people WHERE name LIKE :q ESCAPE '\\' LIMIT 20",
            {"q": "%" + ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"},
        )
    ]
    if len(like) == 1:
        return like[0]
    if not like:
        raise NotFoundError(f"no person matches {ref!r}")
    raise InputError(f"{len(like)} people match {ref!r}; use an id ({', '.join(map(str, like[:10]))})")


_IN_CHUNK = "IN (SELECT value FROM json_each(:ids))"
# What `people_details` gathers for each person: (key, query of person_id first, then the fields).
_DETAIL_PARTS = (
    ("identifiers", f"SELECT DISTINCT person_id, kind, value FROM identifiers WHERE person_id {_IN_CHUNK}"
                    " ORDER BY person_id, kind, value"),
    ("records", "SELECT person_id, id, source, file, record, imported_at FROM source_records"
                f" WHERE person_id {_IN_CHUNK} ORDER BY person_id, id"),
    ("roles", "SELECT DISTINCT r.person_id, o.name, r.title FROM roles r"
              f" JOIN organizations o ON o.id = r.organization_id WHERE r.person_id {_IN_CHUNK}"
              " ORDER BY r.person_id, o.name, r.title"),
    ("tags", f"SELECT person_id, tag FROM tags WHERE person_id {_IN_CHUNK} ORDER BY person_id, tag"),
    ("notes", f"SELECT person_id, text, created_at FROM notes WHERE person_id {_IN_CHUNK} ORDER BY person_id, id"),
)
_IDENTIFIER_LISTS = {"email": "emails", "phone": "phones", "linkedin": "profiles", "url": "urls"}
DETAIL_CHUNK = 1000  # people per round of queries: memory stays flat however many are exported


def person_ids(db: Base) -> list[int]:
    """Every person's id but the user's own, ascending."""
    return [i for (i,) in db.fast_rows("SELECT id FROM people WHERE is_me = 0 ORDER BY id")]


def person_detail(db: Base, pid: int) -> dict[str, Any]:
    """Everything known about one person: fields, identifiers, sources, roles, tags, notes."""
    for person in people_details(db, [pid]):
        return person
    raise NotFoundError(f"no person with id {pid}")


def people_details(db: Base, ids: Sequence[int]) -> Iterator[dict[str, Any]]:
    """`person_detail` of each id in `ids` (missing ones left out), a chunk of people per round of queries."""
    for start in range(0, len(ids), DETAIL_CHUNK):
        chunk = ids[start:start + DETAIL_CHUNK]
        params = {"ids": json.dumps(chunk)}
        people = {r.id: dict(r._mapping) for r in db.rows(f"SELECT * FROM people WHERE id {_IN_CHUNK}", params)}
        parts: dict[str, dict[int, list[tuple[Any, ...]]]] = {}
        for key, sql in _DETAIL_PARTS:
            grouped = parts[key] = {}
            for row in db.fast_rows(sql, params):
                grouped.setdefault(row[0], []).append(row[1:])
        for pid in chunk:
            person = people.get(pid)
            if person is None:
                continue
            person["is_me"] = bool(person["is_me"])
            for name in _IDENTIFIER_LISTS.values():
                person[name] = []
            for kind, value in parts["identifiers"].get(pid, ()):
                if kind in _IDENTIFIER_LISTS:
                    person[_IDENTIFIER_LISTS[kind]].append(value)
            person["records"] = [
                {"id": i, "source": s, "file": f, "record": n, "imported_at": at}
                for i, s, f, n, at in parts["records"].get(pid, ())
            ]
            person["sources"] = sorted({r["source"] for r in person["records"]})
            person["roles"] = [{"organization": o, "title": t} for o, t in parts["roles"].get(pid, ())]
            person["tags"] = [t for (t,) in parts["tags"].get(pid, ())]
            person["notes"] = [{"text": t, "created_at": c} for t, c in parts["notes"].get(pid, ())]
            yield person


_ORDER = {
    "name": "p.name = '', p.name COLLATE NOCASE, p.id",
    "org": "p.organization = '', p.organization COLLATE NOCASE, p.name COLLATE NOCASE",
    "id": "p.id",
    "connected": "p.connected_on DESC, p.id",
    "strength": "s.strength IS NULL, s.strength DESC, p.id",
    "contact": "s.last_contact IS NULL, s.last_contact DESC, p.id",
}
SORTS = tuple(_ORDER)


def _order(sort: str) -> str:
    order = _ORDER.get(sort)
    if order is None:
        raise InputError(f"unknown sort {sort!r}: use {', '.join(SORTS)}")
    return order


def _people_filter(
    db: Base, name: str | None, org: str | None, tag: str | None, source: str | None, tier: str | None,
    ignored: bool,
) -> tuple[str, dict[str, Any]]:
    """The WHERE clause (over people p joined to scores s) and its parameters for these filters."""
    where: list[str] = ["is_me = 0"]
    params: dict[str, Any] = {}
    if not ignored:
        hidden = ignore.people(db)
        if hidden:
            clause, extra = ignore.id_filter("p.id", hidden)
            where.append(clause)
            params.update(extra)
    if name:
        where.append("(p.name LIKE :name OR p.name_key LIKE :key)")
        params["name"] = f"%{name}%"
        params["key"] = f"%{normalise.name_key(name)}%"
    if org:
        where.append("p.organization LIKE :org")
        params["org"] = f"%{org}%"
    if tag:
        where.append("EXISTS (SELECT 1 FROM tags t WHERE t.person_id = p.id AND t.tag = :tag)")
        params["tag"] = tag
    if source:
        where.append("EXISTS (SELECT 1 FROM source_records s WHERE s.person_id = p.id AND s.source = :source)")
        params["source"] = source
    if tier:
        where.append("s.tier = :tier")
        params["tier"] = tier
    return " AND ".join(where), params


def iter_people(
    db: Base,
    name: str | None = None,
    org: str | None = None,
    tag: str | None = None,
    source: str | None = None,
    sort: str = "name",
    limit: int | None = None,
    tier: str | None = None,
    ignored: bool = False,
    offset: int = 0,
) -> Iterator[dict[str, Any]]:
    """People with their identifiers and sources, filtered and sorted in SQL, read as they are consumed;
    ignored people only when `ignored` is set; with `limit`, that many after the first `offset`."""
    where, params = _people_filter(db, name, org, tag, source, tier, ignored)
    order = _order(sort)
    # The page's ids are chosen first, so the lists of identifiers are read for the rows shown only.
    chosen = (f"SELECT p.id, row_number() OVER (ORDER BY {order}) FROM people p LEFT JOIN scores s"
              f" ON s.person_id = p.id WHERE {where} ORDER BY {order}")
    if limit:
        chosen += " LIMIT :limit OFFSET :offset"
        params.update(limit=limit, offset=max(0, offset))
    sql = f"WITH chosen(id, n) AS ({chosen}) {_LISTED}"
    return map(_listed, db.stream(sql, params))  # a bad option is refused above, before any row is read


# One row of a list of people, for the ids in `chosen(id, n)`, in the order of n.
_LISTED = (
    f"SELECT p.id, {name_sql('p')}, p.organization, p.title, p.connected_on,"
    " (SELECT json_group_array(DISTINCT value) FROM identifiers i WHERE i.person_id = p.id AND i.kind = 'email'),"
    " (SELECT json_group_array(DISTINCT value) FROM identifiers i WHERE i.person_id = p.id AND i.kind = 'phone'),"
    " (SELECT json_group_array(DISTINCT source) FROM source_records s WHERE s.person_id = p.id),"
    " (SELECT json_group_array(DISTINCT tag) FROM tags t WHERE t.person_id = p.id),"
    " s.strength, s.tier, s.last_contact, s.p_contact_90d, s.p_lapse_90d"
    " FROM chosen c JOIN people p ON p.id = c.id LEFT JOIN scores s ON s.person_id = p.id ORDER BY c.n"
)


def people_ids(
    db: Base,
    name: str | None = None,
    org: str | None = None,
    tag: str | None = None,
    source: str | None = None,
    sort: str = "name",
    tier: str | None = None,
    ignored: bool = False,
) -> list[int]:
    """The ids `iter_people` lists with these filters, in its order (a list to page through: `listed`)."""
    where, params = _people_filter(db, name, org, tag, source, tier, ignored)
    order = _order(sort)
    sql = f"SELECT p.id FROM people p LEFT JOIN scores s ON s.person_id = p.id WHERE {where} ORDER BY {order}"
    return [pid for (pid,) in db.fast_rows(sql, params)]


def listed(db: Base, ids: list[int]) -> list[dict[str, Any]]:
    """The rows `iter_people` gives, for these people in this order."""
    sql = f"WITH chosen(id, n) AS (SELECT value, key FROM json_each(:ids)) {_LISTED}"
    return [_listed(r) for r in db.fast_rows(sql, {"ids": json.dumps(ids)})]


def _listed(r: tuple[Any, ...]) -> dict[str, Any]:
    return {
        "id": r[0], "name": display(r[1]), "organization": r[2], "title": r[3], "connected_on": r[4],
        "emails": sorted(json.loads(r[5])), "phones": sorted(json.loads(r[6])),
        "sources": sorted(json.loads(r[7])), "tags": sorted(json.loads(r[8])),
        "strength": r[9], "tier": r[10], "last_contact": r[11], "p_contact_90d": r[12], "p_lapse_90d": r[13],
    }


def sources(db: Base) -> list[str]:
    """The sources people came from in this database."""
    return [s for (s,) in db.rows("SELECT DISTINCT source FROM source_records ORDER BY source")]


def add_tags(db: Base, pid: int, tags: list[str], remove: bool = False) -> None:
    sql = ("DELETE FROM tags WHERE person_id = :p AND tag = :t" if remove
           else "INSERT OR IGNORE INTO tags(person_id, tag, origin) VALUES (:p, :t, 'user')")
    db.execute(sql, [{"p": pid, "t": tag} for tag in tags])  # one transaction


def add_note(db: Base, pid: int, body: str) -> None:
    db.execute(
        "INSERT INTO notes(person_id, text, created_at) VALUES (:p, :t, :at)", {"p": pid, "t": body, "at": now_iso()}
    )
