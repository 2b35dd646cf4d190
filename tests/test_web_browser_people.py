"""People, a person and the review queue in a real browser: search, open, log a call, merge and split again."""

from __future__ import annotations

import re

import httpx

from webkit import Tab


def test_find_a_person_log_a_call_and_see_the_timeline_and_the_score_change(tab: Tab) -> None:
    api = httpx.get(tab.served.url("/api/people"), params={"tier": "active", "sort": "name", "per_page": 1},
                    headers=tab.served.bearer).json()
    person = api["people"][0]  # an active tie, not yet strong: a call moves it
    tab.login()
    tab.goto("/people")
    page = tab.page
    assert page.get_by_role("heading", level=1).inner_text() == "People"
    assert re.match(r"[\d,]+ people, showing 1–50", page.locator("#people-count").inner_text())
    assert page.get_by_role("navigation", name="Pages").is_visible()
    tab.shot("people")
    assert tab.axe() == []
    page.get_by_label("Name contains").fill(person["name"])
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/people?q=*")
    assert page.locator("#people-count").inner_text().startswith("1 person")

    page.get_by_role("link", name=person["name"], exact=True).click()
    page.wait_for_url(f"**/people/{person['id']}")
    assert page.get_by_role("heading", level=1).inner_text() == person["name"]
    before = int(page.locator("#strength").inner_text())
    assert page.locator("#tier").inner_text() == "active"
    assert "likely that you and they write to each other" in page.locator(".likely").inner_text()

    form = page.locator("form[action$='/interactions']")
    form.get_by_label("Channel").select_option("call")
    form.get_by_label("Date").fill("2025-11-30")
    form.get_by_label("Note").fill("called about the offsite <b>plans</b>")
    form.get_by_role("button", name="Log it").click()
    page.wait_for_url(f"**/people/{person['id']}?done=logged")
    assert page.get_by_role("status").inner_text() == "Interaction logged; the scores are updated."
    newest = page.locator("#timeline tbody tr").first
    assert newest.locator("td").nth(0).inner_text().startswith("2025-11-30")
    assert newest.locator("td").nth(1).inner_text() == "call"
    assert newest.locator("td").nth(3).inner_text() == "called about the offsite <b>plans</b>"  # shown as text
    after = int(page.locator("#strength").inner_text())
    assert after > before
    tab.shot("person")
    assert tab.axe() == []


def test_merge_the_first_suggestion_then_split_it_back_into_two_people(tab: Tab) -> None:
    first = httpx.get(tab.served.url("/api/review"), headers=tab.served.bearer).json()[0]
    tab.login()
    tab.goto("/review")
    page = tab.page
    assert page.get_by_role("heading", level=1).inner_text() == "Possible duplicates"
    pair = page.locator("article.pair").first
    assert pair.get_by_role("heading", level=2).inner_text() == f"{first['name_a']} and {first['name_b']}"
    assert first["reason"] in pair.inner_text()
    for value in first["identifiers_a"] + first["identifiers_b"]:
        assert value in pair.inner_text()
    tab.shot("review")
    assert tab.axe() == []

    pair.get_by_role("button", name=re.compile(r"^Same person \(merge\)")).click()
    page.wait_for_url(f"**/review?merged={first['person_a']}")
    assert page.get_by_role("status").inner_text().startswith("Merged into")
    assert page.get_by_role("heading", name=f"{first['name_a']} and {first['name_b']}").count() == 0
    page.get_by_role("status").get_by_role("link").click()
    page.wait_for_url(f"**/people/{first['person_a']}")
    moved = [r["id"] for r in first["records_b"]]
    for rid in [r["id"] for r in first["records_a"]] + moved:
        assert page.locator("#sources").get_by_text(f"#{rid}", exact=True).is_visible()
    for rid in moved:
        page.get_by_label(re.compile(rf"^Split off record #{rid} ")).check()
    page.get_by_role("button", name="Split the chosen records off into a new person").click()
    page.wait_for_url(f"**/people/{first['person_a']}?split=*")
    assert "now make a new person" in page.get_by_role("status").inner_text()
    assert tab.axe() == []
    page.get_by_role("status").get_by_role("link").click()
    page.wait_for_url(re.compile(r"/people/\d+$"))
    assert page.locator("#sources").get_by_text(f"#{moved[0]}", exact=True).is_visible()

    tab.goto(f"/people?q={first['name_a']}&sort=name")
    assert page.locator("#people-count").inner_text().startswith("2 people")
