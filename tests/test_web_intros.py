"""Introductions on the web: the board as `intro list`, each step as the CLI takes it, drafts never sent."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from closeknit.intros import view
from closeknit.store import Store
from closeknit.store import intros as intro_store
from closeknit.web import create_app
from webkit import TOKEN, Tab

BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def api(web_db: Path) -> TestClient:
    return TestClient(create_app(web_db, TOKEN), headers=BEARER)


def test_the_board_is_intro_list_and_each_intro_has_its_draft(api: TestClient, web_db: Path,
                                                              demo_db: dict[str, Any]) -> None:
    board = api.get("/api/intros").json()
    with Store(web_db) as db:
        assert board == view.summaries(db, intro_store.intros(db, False))
    payoff = demo_db["result"]["payoff"]
    [intro] = [i for i in board if i["target"]["id"] == payoff["target"]]
    assert intro["connector"]["id"] == payoff["connector"] and intro["waiting_on"]["role"] == "connector"
    full = api.get(f"/api/intros/{intro['id']}").json()
    assert full["draft"] == payoff["intro"]["draft"]
    assert full["draft"]["mailto"].startswith("mailto:") and full["history"][0]["state"] == "requested"
    eml = api.get(f"/intros/{intro['id']}.eml")
    assert eml.status_code == 200 and b"X-Unsent: 1" in eml.content


def test_an_intro_goes_through_every_step_and_the_favor_reaches_the_ledger(api: TestClient,
                                                                          demo_db: dict[str, Any]) -> None:
    payoff = demo_db["result"]["payoff"]
    iid = api.get("/api/intros").json()[0]["id"]
    early = api.post(f"/api/intros/{iid}/done")
    assert early.status_code == 400 and "waits on the connector" in early.json()["detail"]
    assert api.post(f"/api/intros/{iid}/accept").json()["state"] == "connector_agreed"
    assert api.post(f"/api/intros/{iid}/accept", json={"by": "target"}).json()["state"] == "target_agreed"
    done = api.post(f"/api/intros/{iid}/done").json()
    assert done["state"] == "introduced" and done["favor_id"] is not None
    favors = api.get("/api/ledger", params={"person": payoff["connector"]}).json()["favors"]
    assert favors[0]["direction"] == "got" and favors[0]["kind"] == "intro" and favors[0]["on"] == "2025-12-01"
    assert api.post(f"/api/intros/{iid}/outcome", json={}).status_code == 400
    out = api.post(f"/api/intros/{iid}/outcome", json={"text": "audit booked", "value": 900}).json()
    assert out["state"] == "outcome" and out["outcome"] == "audit booked" and "thank" in out["draft"]["body"].lower()
    assert api.get("/api/intros").json() == [] and len(api.get("/api/intros", params={"all": True}).json()) == 1


def test_requests_and_bad_steps_are_4xx(api: TestClient, demo_db: dict[str, Any]) -> None:
    payoff = demo_db["result"]["payoff"]
    seeker = next(p["person"] for p in api.get("/api/plan").json()["plan"])
    made = api.post("/api/intros", json={"target": str(payoff["target"]), "for": str(seeker), "why": "an audit"})
    assert made.status_code == 201 and made.json()["kind"] == "for" and made.json()["seeker"]["id"] == seeker
    assert made.json()["waiting_on"]["role"] == "seeker"
    both = api.post("/api/intros", json={"target": "35", "via": "276", "for": "225"})
    assert both.status_code == 400 and "not both" in both.json()["detail"]
    assert api.post("/api/intros", json={"target": "35"}).status_code == 400
    assert api.post("/api/intros", json={"target": "nobody-at-all@nowhere.example", "via": "276"}).status_code == 404
    assert api.post("/api/intros", json={"via": "276"}).status_code == 422
    assert api.post("/api/intros/1/bogus").status_code == 422
    assert api.post("/api/intros/999999/accept").status_code == 404
    assert api.post("/api/intros/1/accept", json={"by": "nobody"}).status_code == 422
    assert api.post("/api/intros/1/accept", json={"by": "seeker"}).status_code == 400
    assert api.get("/api/intros/0").status_code == 422


def test_match_suggests_the_planted_need(api: TestClient, demo_db: dict[str, Any]) -> None:
    found = api.get("/api/match").json()
    assert found["total"] >= 1 and found["suggestions"][0]["target"] == demo_db["result"]["payoff"]["target"]
    page = api.get("/match")
    assert page.status_code == 200 and found["suggestions"][0]["seeker_name"] in page.text
    assert api.get("/api/match", params={"limit": 0}).status_code == 422


def test_the_board_shows_the_demo_intro_and_accepting_it_moves_it_on(tab: Tab, demo_db: dict[str, Any]) -> None:
    payoff = demo_db["result"]["payoff"]
    draft = payoff["intro"]["draft"]
    tab.login()
    tab.goto("/intros")
    page = tab.page
    card = page.locator("li.intro").first
    assert card.get_by_role("heading", level=3).inner_text() == f"Next: {draft['step']} (a draft, never sent)"
    assert draft["subject"] in card.inner_text()
    assert card.locator("pre.draft-body").inner_text() == draft["body"]
    assert card.get_by_role("link", name="Open in your mail program").get_attribute("href") == draft["mailto"]
    assert "waits on the connector" in card.inner_text()
    tab.shot("intros")
    assert tab.axe() == []
    card.get_by_role("button", name=re.compile("^Accept")).click()
    page.wait_for_url(re.compile(r"/intros\?said=\d+"))
    card = page.locator("li.intro").first
    assert "connector agreed" in card.locator(".tag").first.inner_text()
    assert "waits on the target" in card.inner_text()
    assert page.get_by_role("status").is_visible()


def test_asking_from_a_warm_path_lands_on_the_board(tab: Tab, demo_db: dict[str, Any]) -> None:
    payoff = demo_db["result"]["payoff"]
    tab.login()
    tab.goto("/path/{}".format(payoff["target"]))
    page = tab.page
    warm, other = page.locator("ol.paths > li").nth(0), page.locator("ol.paths > li").nth(1)
    assert warm.get_by_role("link", name=re.compile("on the board$")).get_attribute("href") == "/intros#intro-1"
    button = other.get_by_role("button", name=re.compile("for an introduction$"))
    connector = button.inner_text().removeprefix("Ask ").removesuffix(" for an introduction")
    other.get_by_label(re.compile("^Why you want to meet")).fill("an audit <soon>")
    button.click()
    page.wait_for_url(re.compile(r"/intros\?said=\d+"))
    cards = page.locator("li.intro")
    assert cards.count() == 2
    asked = page.locator(f"#intro-{page.url.split('said=')[1].split('#')[0]}")
    assert f"you ask {connector} to introduce you" in asked.inner_text()
    assert "an audit <soon>" in asked.locator("pre.draft-body").inner_text()


def test_the_match_page_offers_to_start_the_suggested_introduction(tab: Tab, demo_db: dict[str, Any]) -> None:
    tab.login()
    tab.goto("/match")
    page = tab.page
    first = page.locator("ol.intros > li").first
    assert demo_db["result"]["payoff"]["intro"]["target"]["name"] in first.get_by_role("heading", level=2).inner_text()
    tab.shot("intros-match")
    assert tab.axe() == []
    first.get_by_role("button", name=re.compile("^Introduce")).click()
    page.wait_for_url(re.compile(r"/intros\?said=\d+"))
    assert page.locator("li.intro").count() == 2
