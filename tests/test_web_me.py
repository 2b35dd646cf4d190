"""Your addresses on the web: the listing of `me list`, added and dismissed by form and by API, scores following."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from closeknit.pipeline import scoring
from closeknit.pipeline.importer import run_import
from closeknit.store import Store
from closeknit.store import scores as score_store
from closeknit.web import create_app
from closeknit.web.auth import CSRF_FIELD
from test_me import EXEC, mailbox, message
from webkit import TOKEN, Tab

HOME = "dana.whitfield70@home.example"  # the user's private address: mail is forwarded to it


def mail_db(tmp_path: Path) -> Path:
    box = mailbox(tmp_path / "mail", [(EXEC, "")] * 10, [EXEC] * 20)
    (box / "sent2.mbox").write_text("".join(message(2000 + i, EXEC, to) for i, to in enumerate(
        [HOME, "lee.whitfield@corp.example"] * 3)), encoding="utf-8")
    db = tmp_path / "t.db"
    with Store(db) as store:
        run_import(store, box)
        scoring.compute(store, None)
    return db


def test_the_api_lists_adds_and_dismisses_addresses_and_scores_again(tmp_path: Path) -> None:
    db = mail_db(tmp_path)
    api = TestClient(create_app(db, TOKEN), headers={"Authorization": f"Bearer {TOKEN}"})
    got = api.get("/api/me").json()
    assert got == {"me": ["dana.whitfield@corp.example"], "other_senders": {}, "look_alike": {HOME: 3},
                   "not_me": []}
    with Store(db) as store:
        runs = len(store.rows("SELECT id FROM score_runs"))
        home_person = store.scalar("SELECT person_id FROM identifiers WHERE value = :a", {"a": HOME})
        assert home_person in score_store.strengths(store)  # a contact, scored as a tie
    added = api.post("/api/me", json={"addresses": [HOME]}).json()
    assert HOME in added["me"] and added["look_alike"] == {}
    with Store(db) as store:
        assert len(store.rows("SELECT id FROM score_runs")) == runs + 1  # scored again
        assert home_person not in score_store.strengths(store)  # no longer a contact
    removed = api.delete(f"/api/me/{HOME}").json()
    assert HOME not in removed["me"] and HOME in removed["not_me"]
    assert api.post("/api/me", json={"addresses": ["not an address"]}).status_code == 400
    assert api.post("/api/me", json={"addresses": []}).status_code == 422


def test_the_page_lists_suggestions_and_its_forms_decide_them(tmp_path: Path) -> None:
    db = mail_db(tmp_path)
    browser = TestClient(create_app(db, TOKEN))
    browser.get(f"/login?token={TOKEN}")
    page = browser.get("/me")
    assert page.status_code == 200 and HOME in page.text and "Maybe yours" in page.text
    csrf = page.text.split(f'name="{CSRF_FIELD}" value="', 1)[1].split('"', 1)[0]

    def post(path: str, address: str) -> Any:
        return browser.post(path, data={CSRF_FIELD: csrf, "address": address}, follow_redirects=False)

    assert post("/me/remove", HOME).headers["location"] == "/me?done=dismissed"
    after = browser.get("/me?done=dismissed").text
    assert "will not be suggested again" in after and "No other address looks like yours" in after
    assert post("/me/add", "dana@home.example").headers["location"] == "/me?done=added"
    assert "dana@home.example" in browser.get("/api/me", headers={"Authorization": f"Bearer {TOKEN}"}).json()["me"]
    assert post("/me/add", "<b>nope</b>").status_code == 400  # not an address: said, nothing changed
    refused = browser.post("/me/add", data={"address": HOME}, follow_redirects=False)
    assert refused.status_code == 403  # no CSRF token: refused


def test_the_you_page_in_a_browser(tab: Tab) -> None:
    tab.login()
    tab.goto("/me")
    page = tab.page
    assert page.get_by_role("heading", name="Your addresses").is_visible()
    page.get_by_label("Email address").fill("me@home.example")
    page.get_by_role("button", name="Add to your addresses").click()
    page.wait_for_url(re.compile(r"/me\?done=added"))
    assert "scored again" in page.get_by_role("status").inner_text()
    page.get_by_role("button", name="Not mine: me@home.example").click()
    page.wait_for_url(re.compile(r"/me\?done=removed"))
    assert page.get_by_role("listitem").filter(has_text="me@home.example").count() == 1  # now under "Not yours"
    tab.shot("me")
    assert tab.axe() == []


def test_the_import_summary_links_to_addresses_that_may_be_yours(tmp_path: Path) -> None:
    sent = "".join(message(i, EXEC, "Contact 1 <c1@other.example>") for i in range(10))
    sent += "".join(message(100 + i, EXEC, HOME) for i in range(3))
    inbox = "".join(message(200 + i, "Contact 1 <c1@other.example>", EXEC) for i in range(5))
    db = tmp_path / "fresh.db"
    Store(db).close()
    c = TestClient(create_app(db, TOKEN), headers={"Authorization": f"Bearer {TOKEN}"})
    job = c.post("/api/imports", files=[("files", ("sent.mbox", sent, "application/mbox")),
                                        ("files", ("inbox.mbox", inbox, "application/mbox"))]).json()["id"]
    for _ in range(600):
        if c.get(f"/api/imports/{job}").json()["state"] in ("done", "failed"):
            break
        time.sleep(0.1)
    page = c.get(f"/import/{job}").text
    assert '<a href="/me">1 other address may be yours: check</a>' in page
