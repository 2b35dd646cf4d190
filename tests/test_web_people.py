"""The people, person and review API (and their forms) on the demo: filters, pages, sorting, each change, bad input."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from closeknit.answers import person as person_answers
from closeknit.store import Store
from closeknit.store import ignore as ignore_store
from closeknit.store import people as people_store
from closeknit.web import create_app
from closeknit.web.auth import CSRF_FIELD
from webkit import TOKEN

BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def reader(demo_db: dict[str, Any]) -> Iterator[TestClient]:
    """The app on the demo database, for tests that only read."""
    with TestClient(create_app(demo_db["db"], TOKEN), headers=BEARER) as client:
        yield client


@pytest.fixture
def writer(web_db: Path) -> Iterator[TestClient]:
    """The app on a copy of the demo this test may change."""
    with TestClient(create_app(web_db, TOKEN), headers=BEARER) as client:
        yield client


def people(client: TestClient, **params: Any) -> dict[str, Any]:
    r = client.get("/api/people", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_the_list_is_paged_with_a_total_and_matches_the_store(reader: TestClient, demo_db: dict[str, Any]) -> None:
    first = people(reader, sort="name", per_page=50)
    with Store(demo_db["db"]) as db:
        everyone = [p["id"] for p in people_store.iter_people(db, sort="name")]
    assert first["total"] == len(everyone) > 100
    assert first["pages"] == -(-len(everyone) // 50) and first["page"] == 1 and first["per_page"] == 50
    assert [p["id"] for p in first["people"]] == everyone[:50]
    second = people(reader, sort="name", per_page=50, page=2)
    assert [p["id"] for p in second["people"]] == everyone[50:100]
    beyond = people(reader, sort="name", page=first["pages"] + 1)
    assert beyond["people"] == [] and beyond["total"] == len(everyone)


def test_filters_narrow_the_list(reader: TestClient) -> None:
    everyone = people(reader, per_page=500)["people"]
    for tier in ("inner", "active", "collected"):
        found = people(reader, tier=tier, per_page=500)
        assert found["total"] == sum(p["tier"] == tier for p in everyone) > 0
        assert {p["tier"] for p in found["people"]} == {tier}
    tagged = next(p for p in everyone if p["tags"])
    tag = tagged["tags"][0]
    by_tag = people(reader, tag=tag, per_page=500)["people"]
    assert tagged["id"] in {p["id"] for p in by_tag} and all(tag in p["tags"] for p in by_tag)
    org = tagged["organization"]
    assert all(org.lower() in p["organization"].lower() for p in people(reader, org=org, per_page=500)["people"])
    vcard = people(reader, source="vcard", per_page=500)["people"]
    assert vcard and all("vcard" in p["sources"] for p in vcard)
    named = people(reader, q=tagged["name"].split()[-1].lower())["people"]
    assert tagged["id"] in {p["id"] for p in named}
    assert people(reader, q="no such name at all")["total"] == 0


def test_sorting_by_strength_last_contact_and_name(reader: TestClient) -> None:
    strong = [p["strength"] for p in people(reader, sort="strength", per_page=500)["people"]]
    assert strong == sorted(strong, key=lambda s: -1 if s is None else s, reverse=True)
    recent = [p["last_contact"] for p in people(reader, sort="contact", per_page=500)["people"]]
    dated = [d for d in recent if d]
    assert dated == sorted(dated, reverse=True) and recent[:len(dated)] == dated
    names = [p["name"] for p in people(reader, sort="name", tier="inner")["people"]]
    assert names == sorted(names, key=str.casefold)


@pytest.mark.parametrize("params", [
    {"sort": "shoe size"}, {"tier": "best"}, {"page": 0}, {"per_page": 0}, {"per_page": 501}, {"page": "x"},
    {"q": "x" * 201},
])
def test_bad_list_parameters_are_4xx(reader: TestClient, params: dict[str, Any]) -> None:
    assert reader.get("/api/people", params=params).status_code == 422


def test_a_person_is_what_show_gives_with_the_score_explained(reader: TestClient, demo_db: dict[str, Any]) -> None:
    inner = people(reader, tier="inner", per_page=1)["people"][0]
    r = reader.get(f"/api/people/{inner['id']}", params={"timeline": 5})
    assert r.status_code == 200
    got = r.json()
    with Store(demo_db["db"]) as db:
        shown = person_answers.view(db, inner["id"])
    for key in ("name", "emails", "phones", "profiles", "records", "sources", "tags", "strength", "tier",
                "p_contact_90d", "p_lapse_90d", "life_events", "offers", "needs", "edits"):
        assert got[key] == shown[key], key
    assert got["records"] and all(r["file"] and r["source"] for r in got["records"])
    assert got["factors"] and all({"factor", "points"} <= set(f) for f in got["factors"])
    assert got["why"] and got["scored_as_of"] == "2025-12-01"
    assert got["likely"][0].endswith("within 90 days, judging from your own history")
    assert got["likely"][0].startswith(f"{round(100 * got['p_contact_90d'])}% likely")
    assert len(got["timeline"]) == 5 and got["more"] is True
    timeline = reader.get(f"/api/people/{inner['id']}/timeline", params={"limit": 7}).json()
    assert timeline[:5] == got["timeline"] and len(timeline) == 7
    assert reader.get("/api/people/999999").status_code == 404
    assert reader.get("/api/people/999999/timeline").status_code == 404
    assert reader.get("/api/people/0").status_code == 422
    assert reader.get("/api/people/abc").status_code == 422


def test_logging_a_call_adds_it_to_the_timeline_and_rescores(writer: TestClient) -> None:
    tie = people(writer, tier="active", sort="name", per_page=1)["people"][0]
    r = writer.post(f"/api/people/{tie['id']}/interactions",
                    json={"channel": "call", "date": "2025-11-30", "note": "talked about the offsite"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["added"] is True and out["strength_before"] == tie["strength"]
    assert out["strength"] > out["strength_before"]
    newest = writer.get(f"/api/people/{tie['id']}/timeline", params={"limit": 1}).json()[0]
    assert newest["when"].startswith("2025-11-30") and newest["channel"] == "call"
    assert newest["subject"] == "talked about the offsite"
    again = writer.post(f"/api/people/{tie['id']}/interactions",
                        json={"channel": "call", "date": "2025-11-30", "note": "talked about the offsite"})
    assert again.json()["added"] is False  # the same entry twice is one interaction
    assert writer.get(f"/api/people/{tie['id']}").json()["strength"] == out["strength"]
    default_day = writer.post(f"/api/people/{tie['id']}/interactions", json={"channel": "coffee"}).json()
    assert default_day["added"] is True
    assert writer.get(f"/api/people/{tie['id']}/timeline", params={"limit": 1}).json()[0]["when"].startswith(
        "2025-12-01")  # the day the scores are for
    for bad in ({"channel": "pigeon"}, {"direction": "sideways"}, {"date": "2025-13-40"}, {"date": "1066-10-14"},
                {"note": "x" * 2001}):
        assert writer.post(f"/api/people/{tie['id']}/interactions", json=bad).status_code in (400, 422), bad
    assert writer.post("/api/people/999999/interactions", json={"channel": "call"}).status_code == 404


def test_tags_notes_rating_and_edits(writer: TestClient) -> None:
    pid = people(writer, sort="name", per_page=1)["people"][0]["id"]
    r = writer.post(f"/api/people/{pid}/tags", json={"add": ["investor", "<b>bold</b>"]})
    assert r.status_code == 200 and {"investor", "<b>bold</b>"} <= set(r.json()["tags"])
    r = writer.post(f"/api/people/{pid}/tags", json={"remove": ["investor"]})
    assert "investor" not in r.json()["tags"]
    assert writer.post(f"/api/people/{pid}/tags", json={"add": [""]}).status_code == 422
    assert writer.post(f"/api/people/{pid}/tags", json={"add": ["  "]}).status_code == 400

    r = writer.post(f"/api/people/{pid}/notes", json={"text": "met at the robotics meetup"})
    assert r.status_code == 200 and r.json()["notes"][-1]["text"] == "met at the robotics meetup"
    assert writer.post(f"/api/people/{pid}/notes", json={"text": ""}).status_code == 422
    assert writer.post(f"/api/people/{pid}/notes", json={}).status_code == 422

    r = writer.post(f"/api/people/{pid}/rating", json={"rating": "strong"})
    assert r.status_code == 200 and r.json()["rating"] == "strong"
    assert writer.get(f"/api/people/{pid}").json()["rating"] == "strong"
    assert writer.post(f"/api/people/{pid}/rating", json={"rating": "none"}).json()["rating"] is None
    assert writer.post(f"/api/people/{pid}/rating", json={"rating": "best"}).status_code == 422

    r = writer.patch(f"/api/people/{pid}", json={"name": "Jane Q. Doe", "title": "CTO"})
    assert r.status_code == 200
    assert {c["field"]: c["new"] for c in r.json()["changes"]} == {"name": "Jane Q. Doe", "title": "CTO"}
    got = writer.get(f"/api/people/{pid}").json()
    assert got["name"] == "Jane Q. Doe" and got["title"] == "CTO" and len(got["edits"]) == 2
    assert writer.patch(f"/api/people/{pid}", json={}).status_code == 400
    assert writer.patch(f"/api/people/{pid}", json={"name": " "}).status_code == 400
    assert writer.patch(f"/api/people/{pid}", json={"name": "x" * 301}).status_code == 422
    assert writer.patch("/api/people/999999", json={"name": "Nobody"}).status_code == 404


def test_review_merge_and_split_undo_it(writer: TestClient) -> None:
    items = writer.get("/api/review").json()
    assert items and items == sorted(items, key=lambda i: -i["score"])
    first = items[0]
    assert first["records_a"] and first["records_b"] and first["reason"]
    r = writer.post(f"/api/review/{first['id']}", json={"decision": "merge"})
    assert r.status_code == 200
    assert r.json() == {"item": first["id"], "decision": "merge", "person_a": first["person_a"],
                        "person_b": first["person_b"], "kept": first["person_a"]}
    assert writer.get(f"/api/people/{first['person_b']}").status_code == 404
    merged = writer.get(f"/api/people/{first['person_a']}").json()
    moved = [rec["id"] for rec in first["records_b"]]
    assert set(moved) <= {rec["id"] for rec in merged["records"]}
    assert [(m["person"], m["why"], set(m["records"])) for m in merged["merges"]] == [
        (first["person_b"], f"review item {first['id']}", set(moved))]  # the merge, and what a split takes back
    page = writer.get(f"/people/{first['person_a']}").text
    assert "Merged into this person" in page and f"review item {first['id']}" in page
    assert first["id"] not in {i["id"] for i in writer.get("/api/review").json()}
    assert writer.post(f"/api/review/{first['id']}", json={"decision": "merge"}).status_code == 404

    r = writer.post(f"/api/people/{first['person_a']}/split", json={"records": moved})
    assert r.status_code == 200, r.text
    new = r.json()["new_person"]
    assert {rec["id"] for rec in writer.get(f"/api/people/{new}").json()["records"]} == set(moved)
    assert writer.get(f"/api/people/{first['person_a']}").json()["strength"] is not None
    assert writer.post(f"/api/people/{first['person_a']}/split", json={"records": []}).status_code == 422
    assert writer.post(f"/api/people/{first['person_a']}/split", json={"records": [999999]}).status_code == 400
    everything = [rec["id"] for rec in writer.get(f"/api/people/{new}").json()["records"]]
    assert writer.post(f"/api/people/{new}/split", json={"records": everything}).status_code == 400

    second = writer.get("/api/review").json()[0]
    r = writer.post(f"/api/review/{second['id']}", json={"decision": "different"})
    assert r.status_code == 200 and r.json()["kept"] is None
    assert writer.get(f"/api/people/{second['person_b']}").status_code == 200
    assert second["id"] not in {i["id"] for i in writer.get("/api/review").json()}
    assert writer.post(f"/api/review/{second['id']}", json={"decision": "maybe"}).status_code == 422

    r = writer.post("/api/merge", json={"keep": first["person_a"], "other": new})
    assert r.status_code == 200 and r.json() == {"kept": first["person_a"], "merged": new}
    assert writer.post("/api/merge", json={"keep": new, "other": first["person_a"]}).status_code == 404
    assert writer.post("/api/merge", json={"keep": first["person_a"], "other": first["person_a"]}).status_code == 400


def test_the_forms_change_the_person_and_come_back_to_their_page(writer: TestClient) -> None:
    tie = people(writer, tier="active", sort="name", per_page=1)["people"][0]
    pid = tie["id"]
    browser = TestClient(writer.app)
    browser.get(f"/login?token={TOKEN}")
    page = browser.get(f"/people/{pid}")
    assert page.status_code == 200
    csrf = page.text.split(f'name="{CSRF_FIELD}" value="', 1)[1].split('"', 1)[0]

    def post(path: str, data: dict[str, Any]) -> Any:
        return browser.post(path, data={CSRF_FIELD: csrf, **data}, follow_redirects=False)

    r = post(f"/people/{pid}/interactions", {"channel": "call", "direction": "out", "day": "2025-11-30",
                                             "note": "<script>alert(1)</script>"})
    assert r.status_code == 303 and r.headers["location"] == f"/people/{pid}?done=logged"
    shown = browser.get(r.headers["location"]).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown and "<script>alert" not in shown
    assert writer.get(f"/api/people/{pid}").json()["strength"] > tie["strength"]
    assert post(f"/people/{pid}/tags", {"tag": "climbing"}).headers["location"] == f"/people/{pid}?done=tagged#tags"
    assert post(f"/people/{pid}/tags", {"tag": "climbing", "remove": "true"}).status_code == 303
    assert post(f"/people/{pid}/notes", {"text": "likes maps"}).status_code == 303
    assert post(f"/people/{pid}/rating", {"rating": "weak"}).status_code == 303
    assert post(f"/people/{pid}/edit", {"name": "", "organization": "Acme", "title": ""}).status_code == 303
    got = writer.get(f"/api/people/{pid}").json()
    assert "climbing" not in got["tags"] and got["notes"][-1]["text"] == "likes maps"
    assert got["rating"] == "weak" and got["organization"] == "Acme" and got["name"] == tie["name"]
    assert post(f"/people/{pid}/interactions", {"channel": "call", "day": "yesterday"}).status_code == 400
    assert post(f"/people/{pid}/split", {}).status_code == 400
    assert post(f"/people/{pid}/rating", {"rating": "best"}).status_code == 422
    assert browser.post(f"/people/{pid}/notes", data={"text": "no token"}).status_code == 403
    assert browser.get("/people/999999").status_code == 404
    assert browser.get("/people", params={"tier": "bogus", "sort": "bogus"}).status_code == 200
    assert browser.get("/review").status_code == 200


def test_ignoring_a_person_from_their_page_and_taking_them_back(writer: TestClient, web_db: Path) -> None:
    tie = people(writer, tier="active", sort="name", per_page=1)["people"][0]
    pid = tie["id"]
    listed = people(writer, per_page=500)["total"]
    r = writer.post(f"/api/people/{pid}/ignore", json={"ignored": True})
    assert r.status_code == 200 and r.json() == {"person": pid, "ignored": True, "changed": True}
    assert writer.post(f"/api/people/{pid}/ignore", json={"ignored": True}).json()["changed"] is False
    got = writer.get(f"/api/people/{pid}").json()
    assert got["ignored"] is True and got["strength"] is None  # no longer scored
    assert people(writer, per_page=500)["total"] == listed - 1
    with Store(web_db) as db:  # the same rule `closeknit ignore` lists
        assert pid in ignore_store.people(db)

    browser = TestClient(writer.app)
    browser.get(f"/login?token={TOKEN}")
    page = browser.get(f"/people/{pid}").text
    assert "Stop ignoring" in page and "Ignore this person" not in page
    csrf = page.split(f'name="{CSRF_FIELD}" value="', 1)[1].split('"', 1)[0]
    r = browser.post(f"/people/{pid}/ignore", data={CSRF_FIELD: csrf, "ignored": "false"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/people/{pid}?done=unignored"
    back = writer.get(f"/api/people/{pid}").json()
    assert back["ignored"] is False and back["strength"] == tie["strength"]
    assert "Ignore this person" in browser.get(f"/people/{pid}").text
    assert people(writer, per_page=500)["total"] == listed
    assert writer.post("/api/people/999999/ignore", json={"ignored": True}).status_code == 404
    assert browser.post(f"/people/{pid}/ignore", data={"ignored": "true"}).status_code == 403  # no CSRF token


def test_whom_someone_knows_as_show_says_and_recording_it_from_the_page(writer: TestClient, web_db: Path) -> None:
    inner = [p["id"] for p in people(writer, tier="inner", sort="name", per_page=50)["people"]]
    answered = {pid: writer.get(f"/api/people/{pid}/knows", params={"limit": 5}) for pid in inner}
    assert all(r.status_code == 200 for r in answered.values())
    pid, known = next((pid, r) for pid, r in answered.items() if r.json()["knows"])  # one seen with others
    with Store(web_db) as db:  # the answer `closeknit show` and `knows PERSON` give
        assert known.json() == {"person": pid, "knows": [
            {k: n[k] for k in ("id", "name", "knows", "shared", "last")} for n in person_answers.knows(db, pid, 5)]}
    seen = [n for n in known.json()["knows"] if n["knows"] is None]
    assert 0 < len(seen) <= 5 and all(n["shared"] > 0 and n["last"] for n in seen)
    stranger = people(writer, tier="collected", sort="name", per_page=1)["people"][0]["id"]

    browser = TestClient(writer.app)
    browser.get(f"/login?token={TOKEN}")
    page = browser.get(f"/people/{pid}/knows")
    assert page.status_code == 200 and "Known to know" in page.text
    csrf = page.text.split(f'name="{CSRF_FIELD}" value="', 1)[1].split('"', 1)[0]
    r = browser.post(f"/people/{pid}/knows", data={CSRF_FIELD: csrf, "other": str(stranger),
                                                   "how": "<b>rowing</b> club"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/people/{pid}/knows?done=known"
    shown = browser.get(r.headers["location"]).text
    assert "&lt;b&gt;rowing&lt;/b&gt; club" in shown and "<b>rowing" not in shown
    first = writer.get(f"/api/people/{pid}/knows").json()["knows"][0]
    assert first == {**first, "id": stranger, "knows": "<b>rowing</b> club"}  # recorded ones come first
    again = writer.post(f"/api/people/{pid}/knows", json={"other": stranger, "how": "rowing"}).json()
    assert again == {"person": pid, "other": stranger, "how": "rowing", "added": False, "forgotten": False}
    assert writer.get(f"/api/people/{pid}/knows").json()["knows"][0]["knows"] == "rowing"
    r = browser.post(f"/people/{pid}/knows", data={CSRF_FIELD: csrf, "other": str(stranger), "forget": "true"},
                     follow_redirects=False)
    assert r.headers["location"] == f"/people/{pid}/knows?done=unknown"
    assert all(n["id"] != stranger for n in writer.get(f"/api/people/{pid}/knows").json()["knows"])
    assert writer.post(f"/api/people/{pid}/knows", json={"other": stranger, "forget": True}).status_code == 404
    assert writer.post(f"/api/people/{pid}/knows", json={"other": pid}).status_code == 400
    assert writer.post(f"/api/people/{pid}/knows", json={"other": 999999}).status_code == 404
    assert writer.get("/api/people/999999/knows").status_code == 404
    assert browser.post(f"/people/{pid}/knows", data={"other": str(stranger)}).status_code == 403  # no CSRF token


def test_the_list_follows_a_change_made_by_another_process(writer: TestClient, web_db: Path) -> None:
    first = people(writer, sort="name", per_page=5)
    last = people(writer, sort="name", page=first["pages"], per_page=5)["people"][-1]
    assert people(writer, sort="name", per_page=5) == first  # the same answer while nothing changes
    with Store(web_db) as db:  # as `closeknit edit` would, from its own connection
        people_store.edit(db, last["id"], {"name": "Aa Aardvark"})
    now = people(writer, sort="name", per_page=5)
    assert now["total"] == first["total"]
    assert (now["people"][0]["id"], now["people"][0]["name"]) == (last["id"], "Aa Aardvark")
    assert [p["id"] for p in now["people"][1:]] == [p["id"] for p in first["people"][:4]]
