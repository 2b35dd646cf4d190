"""The import page: uploads of every supported format saved inside the app's folder under safe names, checked,
imported in the background with progress, then summarised with the quarantine; the dashboard follows."""

from __future__ import annotations

import io
import json
import threading
import time
import zipfile
from datetime import UTC, date, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from closeknit.errors import InputError
from closeknit.store import Store
from closeknit.web import create_app, import_jobs
from closeknit.web.auth import Keys, web_home
from test_search import card
from webkit import TOKEN, open_tab, serving

BEARER = {"Authorization": f"Bearer {TOKEN}"}
CSV = "First Name,Last Name,E-mail Address,Company\nCora,Lindqvist,cora@lind.example,Lind Ltd\n"
BROKEN_CARD = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:;;;;\r\nEND:VCARD\r\n"


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    db = tmp_path / "fresh.db"
    Store(db).close()
    return db


def client(db: Path) -> TestClient:
    return TestClient(create_app(db, TOKEN), base_url="http://127.0.0.1:8765")


def finished(c: TestClient, job_id: str) -> dict[str, Any]:
    for _ in range(600):
        job = c.get(f"/api/imports/{job_id}", headers=BEARER).json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError("the import did not finish")


def uploads(db: Path) -> set[Path]:
    return {p for p in (web_home(db) / "uploads").rglob("*") if p.is_file()}


def test_a_vcard_and_a_csv_are_imported_with_a_summary_and_the_quarantine(fresh: Path) -> None:
    c = client(fresh)
    files = [("files", ("book.vcf", card("Aino Halme", "aino@halme.example") + BROKEN_CARD, "text/vcard")),
             ("files", ("people.csv", CSV, "text/csv"))]
    r = c.post("/api/imports", files=files, headers=BEARER)
    assert r.status_code == 202, r.text
    assert r.headers["location"] == f"/api/imports/{r.json()['id']}"
    assert r.json()["files"] == ["book.vcf", "people.csv"]
    job = finished(c, r.json()["id"])
    assert job["state"] == "done", job["problem"]
    assert job["result"]["people"] == 2 and job["result"]["skipped"] == 1
    assert job["summary"].startswith("2 people added") and job["percent"] == 100
    assert job["errors"] == ["book.vcf record 2: no name, email, phone or organisation"]
    [quarantined] = job["quarantine"]
    assert quarantined["file"] == "book.vcf" and "N:;;;;" in quarantined["raw"]
    assert job["scored_as_of"]
    assert uploads(fresh) == set()  # read into the database, the copy is deleted
    people = c.get("/api/report", headers=BEARER).json()["tiers"]
    assert people["collected"] == 2


def test_an_import_outlives_a_restart_and_one_cut_short_starts_again(fresh: Path) -> None:
    c = client(fresh)
    r = c.post("/api/imports", files=[("files", ("people.csv", CSV, "text/csv"))], headers=BEARER)
    done = finished(c, r.json()["id"])
    assert done["state"] == "done"
    record = web_home(fresh) / "imports" / f"{done['id']}.json"
    assert record.stat().st_mode & 0o777 == 0o600
    # Another app on the same database (the server restarted): the finished import's page is still there.
    again = client(fresh)
    assert again.get(f"/api/imports/{done['id']}", headers=BEARER).json() == done
    assert again.get(f"/import/{done['id']}", headers=BEARER).status_code == 200
    # An import the stop cut short: its upload is still in uploads/ and its record says it was running.
    folder = web_home(fresh) / "uploads" / "0123456789abcdef"
    folder.mkdir()
    (folder / "book.vcf").write_text(card("Aino Halme", "aino@halme.example"), encoding="utf-8")
    cut = {**json.loads(record.read_text(encoding="utf-8")), "id": folder.name, "folder": str(folder),
           "files": ["book.vcf"], "state": "importing", "result": None, "summary": "", "errors": [],
           "quarantine": []}
    (record.parent / f"{folder.name}.json").write_text(json.dumps(cut), encoding="utf-8")
    with TestClient(create_app(fresh, TOKEN), base_url="http://127.0.0.1:8765") as restarted:  # starts it again
        resumed = finished(restarted, folder.name)
    assert resumed["state"] == "done" and resumed["result"]["people"] == 1, resumed
    assert not folder.exists()
    with Store(fresh) as db:
        assert db.scalar("SELECT count(*) FROM identifiers WHERE value = 'aino@halme.example'") == 1
    # A record whose upload is gone (the stop came after the files were read) says so.
    (record.parent / "fedcba9876543210.json").write_text(json.dumps({**cut, "id": "fedcba9876543210",
                                                                     "folder": str(folder)}), encoding="utf-8")
    gone = client(fresh).get("/api/imports/fedcba9876543210", headers=BEARER).json()
    assert gone["state"] == "failed" and "upload is gone" in gone["problem"]


def test_a_file_of_no_known_format_is_refused_with_its_name(fresh: Path) -> None:
    c = client(fresh)
    r = c.post("/api/imports", headers=BEARER, files=[
        ("files", ("book.vcf", card("Aino Halme", "aino@halme.example"), "text/vcard")),
        ("files", ("notes.txt", b"\x00\x01 nothing to read", "text/plain"))])
    assert r.status_code == 400 and "notes.txt" in r.json()["detail"] and "book.vcf" not in r.json()["detail"]
    assert uploads(fresh) == set()
    assert c.post("/api/imports", headers=BEARER, files=[("files", ("..", b"x", "text/plain"))]).status_code == 400
    assert c.post("/api/imports", headers=BEARER,
                  files=[("files", ("a\x00.vcf", b"x", "text/plain"))]).status_code == 400
    assert c.post("/api/imports", headers=BEARER).status_code == 422
    bad_me = c.post("/api/imports", headers=BEARER, data={"me": "me@home.example, not-an-address"},
                    files=[("files", ("book.vcf", card("A", "a@a.example"), "text/vcard"))])
    assert bad_me.status_code == 400 and "not-an-address" in bad_me.json()["detail"]
    assert uploads(fresh) == set()


def test_a_file_name_that_climbs_is_stored_inside_the_uploads_folder(fresh: Path, tmp_path: Path) -> None:
    home = web_home(fresh)
    folder = import_jobs.save(home, [("../../../evil.vcf", io.BytesIO(card("E", "e@e.example").encode())),
                                     ("..\\..\\evil.vcf", io.BytesIO(card("F", "f@f.example").encode()))])
    assert folder.parent == home / "uploads"
    assert sorted(p.name for p in folder.iterdir()) == ["evil-2.vcf", "evil.vcf"]
    assert not (tmp_path / "evil.vcf").exists() and not tmp_path.parent.joinpath("evil.vcf").exists()
    r = client(fresh).post("/api/imports", headers=BEARER,
                           files=[("files", ("../../sub/../evil.vcf", card("G", "g@g.example"), "text/vcard"))])
    assert r.status_code == 202 and r.json()["files"] == ["evil.vcf"]


@pytest.mark.parametrize(("given", "stored"), [
    ("book.vcf", "book.vcf"), ("/etc/passwd", "passwd"), ("C:\\Users\\me\\mail.mbox", "mail.mbox"),
    (".hidden.ics", "hidden.ics"), ("a<b>:c.csv", "a_b__c.csv"), ("x" * 300 + ".vcf", "x" * 116 + ".vcf"),
])
def test_safe_names(given: str, stored: str) -> None:
    assert import_jobs.safe_name(given) == stored


@pytest.mark.parametrize("given", ["", "..", ".", "../", "a\x00b.vcf", "....", "dir/"])
def test_unusable_names_are_refused(given: str) -> None:
    with pytest.raises(InputError):
        import_jobs.safe_name(given)


def test_an_upload_over_the_limit_is_refused_with_413(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_jobs, "MAX_UPLOAD_BYTES", 1000)
    c = client(fresh)
    big = card("Aino Halme", "aino@halme.example") * 20
    r = c.post("/api/imports", headers=BEARER, files=[("files", ("book.vcf", big, "text/vcard"))])
    assert r.status_code == 413 and "larger than" in r.json()["detail"]
    assert uploads(fresh) == set()
    c.get(f"/login?token={TOKEN}")
    page = c.post("/import", data={"csrf_token": Keys(TOKEN).csrf}, files=[("files", ("book.vcf", big, "text/vcard"))])
    assert page.status_code == 413 and "<h1>Error</h1>" in page.text


def test_the_form_works_without_javascript(fresh: Path) -> None:
    c = client(fresh)
    c.get(f"/login?token={TOKEN}")
    form = c.get("/import")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    assert c.post("/import", files=[("files", ("book.vcf", card("A", "a@a.example"), "text/vcard"))],
                  follow_redirects=False).status_code == 403  # no CSRF token
    r = c.post("/import", data={"csrf_token": Keys(TOKEN).csrf, "me": "me@home.example"},
               files=[("files", ("book.vcf", card("Aino Halme", "aino@halme.example"), "text/vcard"))],
               follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/import/")
    job_id = r.headers["location"].rsplit("/", 1)[1]
    finished(c, job_id)
    page = c.get(r.headers["location"])
    assert "Import summary" in page.text and "1 people added" in page.text
    assert f'href="/import/{job_id}"' in c.get("/import").text
    assert c.get("/import/nope").status_code == 404
    assert c.get("/api/imports/nope", headers=BEARER).status_code == 404


def test_a_linkedin_exports_csv_files_sent_together_are_read_as_the_export(demo_db: dict[str, Any],
                                                                           fresh: Path) -> None:
    export = demo_db["folder"] / "linkedin"
    files = [("files", (p.name, p.read_bytes(), "text/csv")) for p in sorted(export.iterdir())]
    c = client(fresh)
    r = c.post("/api/imports", headers=BEARER, files=files)
    assert r.status_code == 202, r.text
    assert all(f.startswith("linkedin/") for f in r.json()["files"])
    job = finished(c, r.json()["id"])
    assert job["result"]["files"] == {"the upload": "linkedin"} and job["result"]["people"] > 100
    assert job["result"]["me"]  # the export's Email Addresses.csv says whose it is


def demo_upload(folder: Path, into: Path) -> list[Path]:
    """The demo's files as a user would pick them: the LinkedIn export zipped as LinkedIn sends it."""
    export = into / "Basic_LinkedInDataExport.zip"
    with zipfile.ZipFile(export, "w") as z:
        for p in sorted((folder / "linkedin").iterdir()):
            z.write(p, p.name)
    return [export, folder / "contacts.vcf", folder / "google_contacts.csv", folder / "calendar.ics",
            *sorted((folder / "mail").iterdir())]


def test_uploading_the_demo_into_a_fresh_database_in_a_browser(
        browser: Any, demo_db: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    go = threading.Event()  # the import waits for it: the page shows its progress first
    real = import_jobs.run_import

    def held(*args: Any, **kwargs: Any) -> Any:
        go.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(import_jobs, "run_import", held)
    db = tmp_path / "fresh.db"
    Store(db).close()
    picked = demo_upload(demo_db["folder"], tmp_path)
    with serving(db) as served, open_tab(browser, served) as tab:
        page = tab.page
        tab.login()
        tab.goto("/import")
        assert tab.axe() == []
        page.get_by_label("Files to import").set_input_files([str(p) for p in picked])
        page.get_by_role("button", name="Import", exact=True).click()
        page.wait_for_url("**/import/*", wait_until="commit")
        page.get_by_label("Importing…").wait_for(state="visible")  # the <progress> bar, labelled
        assert tab.axe() == []
        go.set()
        summary = page.get_by_role("heading", name="Import summary")
        summary.wait_for(timeout=60_000)  # import.js follows the progress, then shows the summary
        text = page.locator("#import-summary").inner_text()
        assert "people added" in text and "interactions added" in text
        assert page.get_by_role("link", name="See your network").is_visible()
        assert "scored as of 2025-11-29" in page.locator("main").inner_text()  # the day the demo's mail ends
        tab.shot("import")
        assert tab.axe() == []
        page.get_by_role("link", name="See your network").click()
        page.wait_for_url(served.url("/"))  # counting before the home page has loaded would count nothing
        rows = page.locator("#favor-list tbody tr")
        rows.first.wait_for()
        assert rows.count() > 0
        assert rows.first.get_by_role("link").get_attribute("href").startswith("/people/")



def test_an_old_archive_imported_after_the_contacts_is_scored_as_of_its_last_day(fresh: Path) -> None:
    """Contacts alone are scored as of today; mail that ended years ago then moves the scores to its own end,
    or every tie would look dormant."""
    c = client(fresh)
    first = finished(c, c.post("/api/imports", headers=BEARER,
                               files=[("files", ("people.csv", CSV, "text/csv"))]).json()["id"])
    assert first["scored_as_of"] == date.today().isoformat()
    box = "".join(
        f"From x Mon Jan  1 00:00:00 2001\nFrom: {a}\nTo: {b}\n"
        f"Date: {format_datetime(datetime(2001, 3, d, 9 + i, tzinfo=UTC))}\n"
        f"Message-ID: <m{d}-{i}@old.example>\nSubject: budget\n\nnumbers\n\n"
        for d in range(1, 29) for i, (a, b) in enumerate((("me@old.example", "cora@lind.example"),
                                                         ("cora@lind.example", "me@old.example"))))
    old = finished(c, c.post("/api/imports", headers=BEARER, data={"me": "me@old.example"},
                             files=[("files", ("old.mbox", box, "application/mbox"))]).json()["id"])
    assert old["state"] == "done", old["problem"]
    assert old["scored_as_of"] == "2001-03-28"
    assert c.get("/api/report", headers=BEARER).json()["tiers"]["dormant"] == 0
