"""The weekly plan and the ledger on the web: the same answers as nudge and ledger, done and snooze, favors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from closeknit.answers import plan as answers
from closeknit.care import plan as care_plan
from closeknit.store import Store
from closeknit.store import scores as score_store
from closeknit.web import create_app
from webkit import DEMO_DAY, TOKEN, Tab

BEARER = {"Authorization": f"Bearer {TOKEN}"}
TOUCH_ONLY = {"fading", "waiting"}  # reasons a logged touch answers


@pytest.fixture
def api(web_db: Path) -> TestClient:
    return TestClient(create_app(web_db, TOKEN), headers=BEARER)


def test_the_plan_is_nudge_on_the_scores_day(api: TestClient, web_db: Path) -> None:
    got = api.get("/api/plan", params={"budget": 4}).json()
    assert got["as_of"] == DEMO_DAY.isoformat() and got["budget"] == 4
    with Store(web_db) as db:
        assert got == answers.as_dict(care_plan.weekly(db, DEMO_DAY, 4), DEMO_DAY, 4)
    assert len(got["plan"]) == 4 and all(n["reasons"] and n["opener"] for n in got["plan"])
    assert api.get("/api/plan", params={"budget": 0}).status_code == 422
    assert api.get("/api/plan", params={"budget": "many"}).status_code == 422
    ics = api.get("/plan.ics", params={"budget": 4})
    assert ics.headers["content-type"].startswith("text/calendar") and ics.text.count("BEGIN:VEVENT") == 4


def test_done_and_snooze_take_people_out_of_the_plan(api: TestClient) -> None:
    plan = api.get("/api/plan", params={"budget": 50}).json()["plan"]
    touched = next(n["person"] for n in plan if {r["kind"] for r in n["reasons"]} <= TOUCH_ONLY)
    done = api.post(f"/api/plan/{touched}/done", json={"channel": "call"})
    assert done.status_code == 200 and done.json()["added"] is True
    assert done.json()["when"].startswith(DEMO_DAY.isoformat())
    snoozed = next(n["person"] for n in plan if n["person"] != touched)
    s = api.post(f"/api/plan/{snoozed}/snooze", json={"period": "2w"})
    assert s.json() == {"person": snoozed, "snoozed_until": "2025-12-15"}
    after = {n["person"] for n in api.get("/api/plan", params={"budget": 50}).json()["plan"]}
    assert touched not in after and snoozed not in after
    assert api.post(f"/api/plan/{snoozed}/snooze", json={"period": "off"}).json()["snoozed_until"] is None
    assert snoozed in {n["person"] for n in api.get("/api/plan", params={"budget": 50}).json()["plan"]}


def test_bad_plan_input_is_a_4xx(api: TestClient) -> None:
    assert api.post("/api/plan/999999/done", json={}).status_code == 404
    assert api.post("/api/plan/0/done", json={}).status_code == 422
    pid = api.get("/api/plan").json()["plan"][0]["person"]
    wrong = api.post(f"/api/plan/{pid}/done", json={"channel": "pigeon"})
    assert wrong.status_code == 400 and "unknown channel" in wrong.json()["detail"]
    assert api.post(f"/api/plan/{pid}/snooze", json={"period": "soon"}).status_code == 400
    assert api.post(f"/api/plan/{pid}/snooze", json={}).status_code == 422


def test_life_events_say_why_to_get_in_touch(api: TestClient) -> None:
    events = api.get("/api/life-events").json()
    assert events and all(e["text"] and e["name"] for e in events)
    assert any(e["kind"] == "employer" and "congratulate" in e["text"] for e in events)


def test_the_ledger_api_records_a_favor_and_rescores(api: TestClient, web_db: Path,
                                                     demo_db: dict[str, Any]) -> None:
    before = api.get("/api/ledger").json()
    assert before["total"]["people"] == len(before["people"]) > 0
    pid = demo_db["result"]["payoff"]["connector"]
    with Store(web_db) as db:
        run = score_store.last_run(db)
    r = api.post("/api/favors", json={"person": pid, "direction": "got", "kind": "advice",
                                      "what": "read my pitch", "value": 40})
    assert r.status_code == 201 and r.json() == {"person": pid, "direction": "got", "kind": "advice", "added": True}
    assert api.post("/api/favors", json={"person": pid, "direction": "got", "kind": "advice",
                                         "what": "read my pitch", "value": 40}).json()["added"] is False
    mine = api.get("/api/ledger", params={"person": pid}).json()
    assert mine["favors"][0]["what"] == "read my pitch" and mine["favors"][0]["on"] == "2025-12-01"
    assert api.get("/api/ledger").json()["total"]["got"] == before["total"]["got"] + 1
    with Store(web_db) as db:
        again = score_store.last_run(db)
    assert run and again and again["as_of"] == run["as_of"] == "2025-12-01"
    assert again["computed_at"] > run["computed_at"]


def test_bad_favors_are_a_4xx(api: TestClient) -> None:
    ok = {"person": 1, "direction": "give", "kind": "help", "what": "moved a sofa"}
    assert api.post("/api/favors", json={**ok, "direction": "lent"}).status_code == 422
    assert api.post("/api/favors", json={**ok, "kind": "bribe"}).status_code == 400
    assert api.post("/api/favors", json={**ok, "value": -3}).status_code == 422
    assert api.post("/api/favors", json={**ok, "what": ""}).status_code == 422
    assert api.post("/api/favors", json={**ok, "person": 999999}).status_code == 404
    assert api.get("/api/ledger", params={"person": 999999}).status_code == 404
    assert api.get("/api/ledger", params={"person": "x"}).status_code == 422


def test_the_plan_page_lists_people_and_done_takes_one_out(tab: Tab) -> None:
    tab.login()
    tab.goto("/plan?budget=5")
    page = tab.page
    cards = page.locator("li.plan-person")
    assert cards.count() == 5
    for i in range(5):
        assert cards.nth(i).locator("ul.reasons li").count() >= 1
        assert "Opener:" in cards.nth(i).inner_text()
    kinds = [set(cards.nth(i).locator(".reasons .tag").all_inner_texts()) for i in range(5)]
    pick = next(i for i, k in enumerate(kinds) if k <= TOUCH_ONLY)
    card = cards.nth(pick)
    pid = card.get_attribute("id")
    name = card.get_by_role("heading", level=2).inner_text()
    assert page.get_by_role("heading", name="Life events").is_visible()
    tab.shot("plan")
    assert tab.axe() == []
    card.get_by_label("How you were in touch").select_option("coffee")
    card.get_by_role("button", name=re.compile("^Done")).click()
    page.wait_for_url(re.compile(r"/plan\?budget=5&done="))
    assert page.get_by_role("status").inner_text() == f"Logged: you were in touch with {name}."
    assert page.locator(f"#{pid}").count() == 0
    assert page.locator("li.plan-person").count() == 5


def test_the_ledger_page_shows_a_favor_recorded_through_its_form(tab: Tab, demo_db: dict[str, Any]) -> None:
    tab.login()
    tab.goto("/ledger")
    page = tab.page
    assert page.get_by_role("heading", name="Give first").is_visible()
    assert page.locator("table[aria-labelledby=balances] tbody tr").count() >= 1
    pid = demo_db["result"]["payoff"]["connector"]
    page.get_by_label("Person (id, email or name)").fill(str(pid))
    page.get_by_label("Who did the favor").select_option("give")
    page.get_by_label("Kind").select_option("referral")
    page.get_by_label("What it was").fill("referred <Arjun> to a recruiter")
    page.get_by_label("Value (optional)").fill("120")
    page.get_by_role("button", name="Record the favor").click()
    page.wait_for_url(re.compile(rf"/ledger\?person={pid}&recorded=1"))
    assert "Favor recorded" in page.get_by_role("status").inner_text()
    row = page.locator("table[aria-labelledby=favors] tbody tr").first
    assert row.inner_text().split("\t") == ["2025-12-01", "you gave", "referral", "120",
                                            "referred <Arjun> to a recruiter"]
    tab.shot("ledger")
    assert tab.axe() == []


def test_done_on_someone_with_another_reason_says_why_they_stay(web_db: Path) -> None:
    from closeknit.web.auth import Keys

    client = TestClient(create_app(web_db, TOKEN))
    client.get(f"/login?token={TOKEN}")
    plan = client.get("/api/plan", params={"budget": 50}).json()["plan"]
    owed = next(n["person"] for n in plan if {r["kind"] for r in n["reasons"]} == {"debt"})
    r = client.post(f"/plan/{owed}/done?budget=50", data={"csrf_token": Keys(TOKEN).csrf, "channel": "call"})
    assert r.status_code == 200 and r.url.path == "/plan"
    assert "They stay in the plan for debt; snooze them once that is dealt with." in r.text
