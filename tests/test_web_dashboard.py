"""The dashboard: the network reality report the CLI prints, as cards, tiers, the favor list, fading ties and
charts; its JSON twin; cached per score run."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from closeknit.answers import report as report_answers
from closeknit.pipeline import scoring
from closeknit.store import Store
from closeknit.store import scores as score_store
from closeknit.web import create_app
from webkit import TOKEN, Tab

BEARER = {"Authorization": f"Bearer {TOKEN}"}


def client(db: Path) -> TestClient:
    return TestClient(create_app(db, TOKEN), base_url="http://127.0.0.1:8765")


def test_the_report_json_is_what_closeknit_report_prints(web_db: Path) -> None:
    from closeknit.cli.main import app

    api = client(web_db).get("/api/report", headers=BEARER)
    assert api.status_code == 200
    got = api.json()
    cli = CliRunner().invoke(app, ["--db", str(web_db), "report", "--json"])
    assert cli.exit_code == 0, cli.output
    printed = json.loads(cli.stdout)
    assert got["favor_list"] == printed["favor_list"] and got["tiers"] == printed["tiers"]
    assert got["as_of"] == "2025-12-01" and got["data_ends"] == printed["data_ends"]
    assert len(got["favor_list"]) == sum(got["tiers"][t] for t in ("inner", "close", "favor")) > 0
    schema = client(web_db).get("/api/openapi.json", headers=BEARER).json()
    assert "favor_list" in schema["components"]["schemas"]["ReportOut"]["properties"]


def test_the_dashboard_shows_the_figures_the_favor_list_and_the_charts(web_db: Path) -> None:
    c = client(web_db)
    c.get(f"/login?token={TOKEN}")
    data = c.get("/api/report").json()
    page = c.get("/")
    assert page.status_code == 200 and "<h1>Your network</h1>" in page.text
    first = data["favor_list"][0]
    assert f'<a href="/people/{first["id"]}">' in page.text
    assert f"{round(100 * first['p_contact_90d'])}%" in page.text
    for layer in data["pyramid"]:
        assert f'<span class="figure">{layer["count"]:,}</span>' in page.text
    assert data["fading"] and f'<a href="/people/{data["fading"][0]["id"]}">' in page.text
    for name in ("pyramid", "strength", "monthly", "reciprocity", "fading", "calibration"):
        assert f'src="/charts/{name}.svg?run=' in page.text
        chart = c.get(f"/charts/{name}.svg")
        assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg+xml")
        assert chart.text.startswith("<svg")
    assert c.get("/charts/pyramid.png").content.startswith(b"\x89PNG")
    assert c.get("/charts/nothing.svg").status_code == 404
    assert 'style="' not in page.text and "<style" not in page.text


def test_the_report_is_built_once_per_score_run(web_db: Path) -> None:
    with Store(web_db) as db:
        assert isinstance(db, Store)
        first = report_answers.current(db)
        assert report_answers.current(db) is first
        scoring.rescore(db)
        again = report_answers.current(db)
    assert again is not first and again.key[0] > first.key[0]
    assert again.data["favor_list"] == first.data["favor_list"]


def test_an_empty_database_shows_an_empty_report_and_stays_unscored(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    Store(db).close()
    c = client(db)
    c.get(f"/login?token={TOKEN}")
    page = c.get("/")
    assert page.status_code == 200 and "No favor list yet" in page.text and 'href="/import"' in page.text
    report = c.get("/api/report").json()
    assert report["favor_list"] == [] and report["as_of"] == date.today().isoformat()
    with Store(db) as store:
        assert score_store.last_run(store) is None  # the first import chooses the scoring day


def test_the_dashboard_in_a_browser(tab: Tab) -> None:
    tab.login()
    page = tab.page
    assert page.get_by_role("heading", level=1).inner_text() == "Your network"
    rows = page.locator("#favor-list tbody tr")
    assert rows.count() > 0
    link = rows.first.get_by_role("link")
    assert link.get_attribute("href").startswith("/people/")
    bar = page.locator("a.dash-bar").first
    bar.hover()
    hover = page.locator("#tier-hover")
    assert hover.inner_text().startswith("inner: ")
    assert bar.locator("title").text_content() == hover.inner_text()
    page.locator("a.dash-bar").nth(2).focus()
    assert hover.inner_text().startswith("favor list: ")
    page.get_by_text("Who is in the inner").click()
    assert page.locator("ul.dash-members a").first.is_visible()
    images = page.locator(".dash-figs img")
    for i in range(images.count()):
        images.nth(i).scroll_into_view_if_needed()
    for _ in range(100):
        if images.evaluate_all("imgs => imgs.every(i => i.complete && i.naturalWidth > 0)"):
            break
        page.wait_for_timeout(100)
    assert images.evaluate_all("imgs => imgs.every(i => i.complete && i.naturalWidth > 0)")
    page.locator("h1").scroll_into_view_if_needed()
    tab.shot("dashboard")
    assert tab.axe() == []
