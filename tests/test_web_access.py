"""The web app is private: the token opens it, every other request is turned away; forged posts are refused."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from closeknit.store import Store
from closeknit.web import create_app
from closeknit.web.app import SECURITY_HEADERS
from closeknit.web.auth import load_or_create_token, web_home

TOKEN = "t" * 43


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    db = tmp_path / "net.db"
    Store(db).close()
    return TestClient(create_app(db, TOKEN), base_url="http://127.0.0.1:8765")


def flat(routes: list[Any]) -> list[Any]:
    """Routes with included routers opened up (newer FastAPI keeps them as one entry each)."""
    out = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        out += flat(inner.routes) if inner is not None else [route]
    return out


def routes(client: TestClient) -> list[tuple[str, str]]:
    """Every page and API route the app has, with a method it answers."""
    found = []
    for route in flat(client.app.routes):  # type: ignore[attr-defined]
        path = getattr(route, "path", "")
        if path.startswith(("/static", "/login", "/logout")) or not hasattr(route, "methods"):
            continue
        concrete = path.replace("{", "").replace("}", "")  # /people/{pid} → /people/pid: refused before parsing
        found += [(m, concrete) for m in sorted(route.methods) if m != "HEAD"]
    return found


def test_the_token_is_made_once_and_readable_by_its_owner_only(tmp_path: Path) -> None:
    home = web_home(tmp_path / "net.db")
    token = load_or_create_token(home)
    assert len(token) >= 32
    assert stat.S_IMODE(os.stat(home / "token").st_mode) == 0o600
    assert load_or_create_token(home) == token


def test_without_the_token_pages_go_to_login_and_the_api_answers_401(client: TestClient) -> None:
    checked = routes(client)
    assert ("GET", "/") in checked and ("GET", "/api/openapi.json") in checked
    for method, path in checked:
        r = client.request(method, path, follow_redirects=False)
        if path.startswith("/api/"):
            assert r.status_code == 401, (method, path)
        else:
            assert r.status_code == 303 and r.headers["location"] == "/login", (method, path)
    wrong = client.get("/api/openapi.json", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    client.cookies.set("closeknit_session", "forged")
    assert client.get("/", follow_redirects=False).status_code == 303


def test_the_login_link_sets_a_session_cookie_and_forgets_the_token_in_the_url(client: TestClient) -> None:
    assert client.get("/login?token=wrong").status_code == 401
    r = client.get(f"/login?token={TOKEN}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    page = client.get("/")
    assert page.status_code == 200 and "Your network" in page.text
    assert TOKEN not in page.text


def test_a_bearer_token_opens_the_api(client: TestClient) -> None:
    r = client.get("/api/openapi.json", headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200 and r.json()["info"]["title"] == "Closeknit"


def test_a_forged_post_without_the_csrf_token_is_refused(client: TestClient) -> None:
    client.get(f"/login?token={TOKEN}")
    forged = client.post("/logout", follow_redirects=False)
    assert forged.status_code == 403 and "CSRF" in forged.text
    other_site = client.post("/logout", data={"csrf_token": "x"}, headers={"Origin": "http://evil.example"},
                             follow_redirects=False)
    assert other_site.status_code == 403
    from closeknit.web.auth import Keys

    ok = client.post("/logout", data={"csrf_token": Keys(TOKEN).csrf}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/login"


def test_every_answer_carries_the_security_headers(client: TestClient) -> None:
    for r in (client.get("/login"), client.get("/", follow_redirects=False), client.get("/api/openapi.json")):
        for name, value in SECURITY_HEADERS.items():
            assert r.headers[name] == value
    csp = SECURITY_HEADERS["content-security-policy"]
    assert "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp


def test_an_unexpected_error_names_its_type_only(client: TestClient, monkeypatch: pytest.MonkeyPatch,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    from closeknit.web.pages import people

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("ana.secret@example.com said something private")

    monkeypatch.setattr(people, "listing", broken)
    client.raise_server_exceptions = False
    caplog.set_level(logging.DEBUG)
    api = client.get("/api/people", headers={"Authorization": f"Bearer {TOKEN}"})
    assert api.status_code == 500 and api.json() == {"detail": "internal error (RuntimeError)"}
    client.get(f"/login?token={TOKEN}")
    page = client.get("/people")
    assert page.status_code == 500 and "secret" not in page.text
    assert page.headers["content-security-policy"] == SECURITY_HEADERS["content-security-policy"]
    assert "RuntimeError" in caplog.text and "secret" not in caplog.text
