"""Who can do X on the web: capability search as `find`, warm paths as `path`, each hop said in words."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from closeknit.answers import find as answers
from closeknit.answers.find import marked
from closeknit.search import find as search
from closeknit.store import Store
from closeknit.web import create_app
from webkit import TOKEN, Tab

BEARER = {"Authorization": f"Bearer {TOKEN}"}
QUERY = "safety certification"  # the capability the demo plants (demo/network.py Capability)


@pytest.fixture
def api(web_db: Path) -> TestClient:
    return TestClient(create_app(web_db, TOKEN), headers=BEARER)


def test_find_is_the_cli_search_and_finds_the_planted_capability(api: TestClient, web_db: Path,
                                                                 demo_db: dict[str, Any]) -> None:
    got = api.get("/api/find", params={"q": QUERY}).json()
    with Store(web_db) as db:
        assert got == search.find(db, QUERY)
    target = demo_db["result"]["payoff"]["target"]
    assert got["results"][0]["id"] == target
    why = got["results"][0]["why"][0]
    assert why["field"] == "offer" and [w.lower() for w in why["matched"]] == ["safety", "certification"]
    assert api.get("/api/find", params={"q": QUERY, "limit": 0}).status_code == 422
    assert api.get("/api/find").status_code == 422
    assert api.get("/api/find", params={"q": ""}).status_code == 422
    assert api.get("/api/find", params={"q": "x" * 501}).status_code == 422


def test_the_page_says_which_words_it_left_out_and_when_some_words_answer(api: TestClient, web_db: Path) -> None:
    query = "who knows safety zzyzx"  # "zzyzx" is in no one's fields: no one matches every word
    got = api.get("/api/find", params={"q": query}).json()
    assert got["ignored"] == ["who", "knows"] and got["every_word"] is False and got["results"]
    page = api.get("/find", params={"q": query}).text
    assert "Left out as common words: who, knows." in page
    assert "No one matches every word: these people match some of them" in page


def test_warm_paths_are_the_cli_paths(api: TestClient, web_db: Path, demo_db: dict[str, Any]) -> None:
    payoff = demo_db["result"]["payoff"]
    got = api.get(f"/api/paths/{payoff['target']}").json()
    with Store(web_db) as db:
        assert got == answers.routes(db, str(payoff["target"])).as_dict()
    best = got["paths"][0]
    assert best["warm"] and best["people"][0]["id"] == payoff["connector"]
    assert best["steps"][0]["from"] is None and all(s["text"] for s in best["steps"])
    assert any(not p["warm"] and p["why_not_warm"] for p in got["paths"])
    assert api.get(f"/api/paths/{payoff['target']}", params={"limit": 21}).status_code == 422
    assert api.get("/api/paths/0").status_code == 422
    assert api.get("/api/paths/999999").status_code == 404


def test_matched_words_are_marked_as_text() -> None:
    assert marked("Safety <b>first</b>", ["safety"]) == [("Safety", True), (" <b>first</b>", False)]
    assert marked("nothing", []) == [("nothing", False)]


def test_find_lists_the_planted_person_and_their_path_is_warm(tab: Tab, demo_db: dict[str, Any]) -> None:
    payoff = demo_db["result"]["payoff"]
    tab.login()
    tab.goto("/find")
    page = tab.page
    page.get_by_label("What you need").fill(QUERY)
    page.get_by_role("button", name="Find", exact=True).click()
    page.wait_for_url(re.compile(r"/find\?q=safety"))
    first = page.locator("ol.find-results > li").first
    name = first.get_by_role("heading", level=3).inner_text()
    assert first.get_by_role("link", name=name, exact=True).get_attribute("href") == f"/people/{payoff['target']}"
    assert first.locator("mark").all_inner_texts() == ["safety", "certification"]
    tab.shot("find")
    assert tab.axe() == []
    first.get_by_role("link", name=f"How to reach {name}").click()
    page.wait_for_url(re.compile(rf"/path/{payoff['target']}$"))
    assert page.get_by_role("heading", level=1).inner_text() == f"Warm paths to {name}"
    best = page.locator("ol.paths > li").first
    assert "warm" in best.get_by_role("heading", level=2).inner_text()
    hops = best.locator("ol.hops > li").all_inner_texts()
    assert hops[0].startswith("You →") and "strong" in hops[0]
    assert best.locator("ol.hops a").first.get_attribute("href") == f"/people/{payoff['connector']}"
    assert "asked" in best.inner_text()  # the demo asked this connector for the introduction already
    assert page.locator("li.weak").count() >= 1
    tab.shot("path")
    assert tab.axe() == []
