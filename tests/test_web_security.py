"""Across every page and API route, whichever exist: imported markup is shown as text, every route needs the
token, forged posts are refused, uploads stay in their folder, contact data stays out of the logs, and
`closeknit serve` keeps to loopback unless told otherwise."""

from __future__ import annotations

import logging
import os
import re
import socket
import stat
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from closeknit.errors import InputError
from closeknit.pipeline import scoring
from closeknit.pipeline.importer import run_import
from closeknit.store import Store
from closeknit.store.people import find_person
from closeknit.web import create_app
from closeknit.web.auth import COOKIE, CSRF_FIELD, Keys, web_home
from test_search import ME, card, mailbox
from test_web_access import flat
from webkit import TOKEN, copy_db, open_tab, serving

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(2)</script>"
SVG = '"><svg onload=alert(3)>'
PAYLOADS = (IMG, SCRIPT, SVG)
XSS_EMAIL = "xss@evil.example"
SECRET_NAME = "Quentin Zephyrine"  # a contact whose name and address must never reach a log
SECRET_EMAIL = "quentin.zephyrine@private.example"
PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


@dataclass
class Network:
    db: Path
    xss: int  # the person named with markup
    secret: int  # the person whose data must stay out of logs


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Network:
    """An address book and mail in which a person's name, title, organisation, note and subjects are markup."""
    folder = tmp_path_factory.mktemp("hostile-net")
    book = folder / "book.vcf"
    book.write_text(
        card(IMG, XSS_EMAIL, title=SCRIPT, org=SVG, note=f"{SCRIPT} and {SVG} img")
        + card(SECRET_NAME, SECRET_EMAIL, title="Harbour Pilot", org="Zephyr Shipping", note="private note"),
        encoding="utf-8")
    db = folder / "net.db"
    with Store(db) as store:
        run_import(store, book)
        run_import(store, mailbox(folder / "xss.mbox", XSS_EMAIL, [f"{SCRIPT} week {i}" for i in range(6)]),
                   kind="mail", me=[ME])
        run_import(store, mailbox(folder / "secret.mbox", SECRET_EMAIL, [f"harbour plan {i}" for i in range(6)]),
                   kind="mail", me=[ME])
        scoring.compute(store, date(2026, 11, 25))
        return Network(db, find_person(store, XSS_EMAIL), find_person(store, SECRET_EMAIL))


@pytest.fixture
def own_network(network: Network, tmp_path: Path) -> Network:
    """A copy of the network this test may change."""
    return Network(copy_db(network.db, tmp_path / "net.db"), network.xss, network.secret)


def app_routes(app: Any) -> list[tuple[str, str]]:
    """(method, path template) of every route of the app but the static files and HEAD."""
    found = []
    for route in flat(app.routes):
        path, methods = getattr(route, "path", ""), getattr(route, "methods", None)
        if methods and not path.startswith("/static"):
            found += [(m, path) for m in sorted(methods) if m != "HEAD"]
    return found


def fill(path: str, pid: int | str = 1) -> str:
    """A route's path with each parameter filled: a person's id for pid-like names, else 1."""
    return PARAM.sub(lambda m: str(pid) if m.group(1) in ("pid", "person", "person_id", "id") else "1", path)


def client(db: Path, **kwargs: Any) -> TestClient:
    return TestClient(create_app(db, TOKEN), base_url="http://127.0.0.1:8765", raise_server_exceptions=False,
                      **kwargs)


def logged_in(db: Path) -> TestClient:
    c = client(db)
    assert c.get(f"/login?token={TOKEN}", follow_redirects=False).status_code == 303
    return c


BEARER = {"Authorization": f"Bearer {TOKEN}"}


# ---- imported markup -------------------------------------------------------------------------------------------

def page_paths(c: TestClient, pid: int) -> list[str]:
    """Every GET page of the app (path parameters filled with the person's id), each also with hostile queries."""
    paths = []
    for method, path in app_routes(c.app):
        if method != "GET" or path.startswith(("/api/", "/login")):
            continue
        paths.append(fill(path, pid))
        if "{" not in path:
            paths += [f"{path}?q=img", f"{path}?q={SCRIPT}", f"{path}?q={IMG}&page=1"]
    return paths


def test_imported_markup_is_escaped_in_every_page_and_the_api_answers_json(network: Network) -> None:
    c = logged_in(network.db)
    problems = []
    for path in page_paths(c, network.xss):
        r = c.get(path)
        if r.status_code >= 500:
            problems.append(f"GET {path}: {r.status_code}")
        for payload in PAYLOADS:
            if payload in r.text:
                problems.append(f"GET {path}: {payload!r} unescaped")
        if "<script" in r.text.replace('<script src="', ""):
            problems.append(f"GET {path}: an inline <script>")
    for method, path in app_routes(c.app):
        if method == "GET" and path.startswith("/api/") and path != "/api/openapi.json":
            r = c.get(fill(path, network.xss), headers=BEARER)
            if not r.headers.get("content-type", "").startswith("application/json"):
                problems.append(f"GET {path}: {r.status_code} {r.headers.get('content-type')}, not JSON")
    assert not problems, problems
    if ("GET", "/people/{pid}") in app_routes(c.app):
        person = c.get(f"/people/{network.xss}")
        assert person.status_code == 200
        assert "&lt;img src=x onerror=alert(1)&gt;" in person.text


def test_a_browser_shows_the_markup_as_text_and_runs_none_of_it(browser: Any, own_network: Network) -> None:
    with serving(own_network.db) as served, open_tab(browser, served) as tab:
        page = tab.page
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(f"{page.url}: {d.message}"), d.dismiss()))
        tab.login()
        nav = page.eval_on_selector_all("nav a[href^='/']", "links => links.map(a => a.getAttribute('href'))")
        assert "/people" in nav
        routes = app_routes(client(own_network.db).app)
        person = f"/people/{own_network.xss}"
        wanted = [*nav, person, "/people?q=img", f"/people?q={IMG}", "/find?q=img", "/find?q=script"]
        visited = []
        for path in dict.fromkeys(wanted):
            seen = len(tab.errors)
            response = tab.goto(path)
            if response.status == 404 and not (path == person and ("GET", "/people/{pid}") in routes):
                del tab.errors[seen:]  # a page not built yet: its 404 is not an error of the page
                continue
            assert response.status == 200, path
            # Whatever the page does with the text, none of it became an element or a handler.
            assert page.locator("img[src='x'], svg[onload], [onerror], [onload]").count() == 0, path
            assert page.locator("script:not([src])").count() == 0, path
            visited.append(path)
            if path == person:
                assert page.get_by_text(IMG).first.is_visible()
                tab.shot("security-xss-person")
        page.wait_for_timeout(300)  # a handler that fires late still counts
        assert dialogs == [], dialogs
        assert "/" in visited



def test_pages_given_hostile_ids_and_queries_answer_4xx_never_5xx(network: Network) -> None:
    c = logged_in(network.db)
    problems = []
    for method, path in app_routes(c.app):
        if method != "GET" or path.startswith(("/api/", "/login")):
            continue
        urls = [PARAM.sub(bad, path) for bad in (str(2**63), str(2**64), "-1", "0", "abc", "%00", "1.5")]
        queries = ("q=%00", "q=a%00b", "q=%22", "q=*", "q=a%20OR%20NEAR(", "page=-1", f"page={2**63}", "page=abc")
        urls += [] if "{" in path else [f"{path}?{query}" for query in queries]
        for url in dict.fromkeys(urls):
            r = c.get(url)
            if r.status_code >= 500:
                problems.append(f"GET {url}: {r.status_code}")
    assert not problems, problems


# ---- the token ---------------------------------------------------------------------------------------------------

def test_every_route_without_the_token_goes_to_login_or_answers_401(network: Network) -> None:
    c = client(network.db)
    impostor = client(network.db, cookies={COOKIE: Keys("other" * 9).session})  # another token's session
    checked = [(m, p) for m, p in app_routes(c.app) if p != "/login"]
    assert ("POST", "/logout") in checked
    for method, path in checked:
        url = fill(path)
        r = c.request(method, url, follow_redirects=False)
        if path.startswith("/api/"):
            assert r.status_code == 401, (method, url, r.status_code)
            assert r.headers["www-authenticate"] == "Bearer"
        else:
            assert (r.status_code, r.headers.get("location")) == (303, "/login"), (method, url, r.status_code)
        # a session cookie or a bearer token that is not the app's opens nothing either
        forged = impostor.request(method, url, follow_redirects=False,
                                  headers={"Authorization": "Bearer " + "other" * 9})
        assert forged.status_code == r.status_code, (method, url)


# ---- forged posts ------------------------------------------------------------------------------------------------

def test_a_state_changing_request_with_the_cookie_needs_the_csrf_token_and_a_bearer_one_does_not(
        web_db: Path) -> None:
    c = logged_in(web_db)
    unsafe = [(m, p) for m, p in app_routes(c.app) if m in UNSAFE and p != "/login"]
    assert ("POST", "/logout") in unsafe
    problems = []
    for method, path in unsafe:
        url = fill(path)
        forged = {
            "no body": c.request(method, url, follow_redirects=False),
            "a form": c.request(method, url, data={"note": "x", "tag": "x"}, follow_redirects=False),
            "a wrong token": c.request(method, url, data={CSRF_FIELD: "0" * 64}, follow_redirects=False),
            "JSON": c.request(method, url, json={"note": "x"}, follow_redirects=False),
            "a wrong header": c.request(method, url, headers={"X-CSRF-Token": "0" * 64}, follow_redirects=False),
            "another site's origin": c.request(method, url, data={CSRF_FIELD: Keys(TOKEN).csrf},
                                               headers={"Origin": "http://evil.example"}, follow_redirects=False),
        }
        problems += [f"{method} {url} with {how}: {r.status_code}" for how, r in forged.items() if r.status_code != 403]
    bearer = client(web_db)
    for method, path in unsafe:
        url = fill(path)
        r = bearer.request(method, url, headers=BEARER, follow_redirects=False)
        if r.status_code == 403 or r.status_code >= 500:
            problems.append(f"{method} {url} with a bearer token: {r.status_code} {r.text[:200]}")
    assert not problems, problems


# ---- uploads -----------------------------------------------------------------------------------------------------

def body_params(dependant: Any) -> list[Any]:
    """The body parameters of a route and of everything it depends on."""
    return [*dependant.body_params, *(p for d in dependant.dependencies for p in body_params(d))]


def upload_routes(app: Any) -> list[tuple[str, str, list[str]]]:
    """(method, path, file fields) of every route that takes uploaded files."""
    found = []
    for route in flat(app.routes):
        dependant = getattr(route, "dependant", None)
        if dependant is None:
            continue
        fields = [f.alias for f in body_params(dependant)
                  if "UploadFile" in repr(f.field_info.annotation)]
        if fields:
            found += [(m, route.path, fields) for m in sorted(route.methods) if m in UNSAFE]
    return found


def files_under(root: Path) -> set[Path]:
    return {Path(d, f) for d, _, names in os.walk(root) for f in names}


WRITES: list[Path] | None = None  # while set, every file this process opens for writing (any thread)


def _note_writes(event: str, args: tuple[Any, ...]) -> None:
    if event == "open" and WRITES is not None and isinstance(args[0], (str, bytes, os.PathLike)):
        mode, flags = args[1] or "", args[2] or 0
        if any(c in str(mode) for c in "wax+") or flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            WRITES.append(Path(os.fsdecode(args[0])).absolute())


@contextmanager
def writes_noted() -> Iterator[list[Path]]:
    """The files opened for writing inside the block (an audit hook: it sees files removed again before the end)."""
    global WRITES
    if not getattr(writes_noted, "hooked", False):
        sys.addaudithook(_note_writes)
        writes_noted.hooked = True  # type: ignore[attr-defined]
    WRITES = noted = []
    try:
        yield noted
    finally:
        WRITES = None


def test_an_uploaded_file_name_never_writes_outside_the_uploads_folder(tmp_path: Path, network: Network) -> None:
    # The database sits four folders down, so a climbing name lands inside tmp_path, where it is seen.
    db = copy_db(network.db, tmp_path / "a" / "b" / "c" / "net.db")
    c = client(db)
    uploads = upload_routes(c.app)
    if not uploads:
        pytest.skip("no route takes uploaded files yet")
    outside = tmp_path / "abs" / "evil-abs.vcf"
    names = ["../../../../evil-1.vcf", "..\\..\\..\\..\\evil-2.vcf", "sub/../../../../../evil-3.vcf",
             str(outside), "..", ".", "", "....//....//evil-4.vcf", "%2e%2e%2f%2e%2e%2fevil-5.vcf",
             "evil-6.vcf\x00.txt"]
    content = card("Upload Person", "upload@person.example").encode()
    before = files_under(tmp_path)
    answers = []
    with writes_noted() as written:
        for method, path, fields in uploads:
            for name in names:
                r = c.request(method, fill(path), headers=BEARER, follow_redirects=False,
                              files=[(field, (name, content, "text/vcard")) for field in fields])
                answers.append(r.status_code)
                assert r.status_code < 500, (method, path, name, r.status_code, r.text[:300])
        time.sleep(1)  # an import started in the background writes its files soon after
    home = web_home(db)

    def allowed(p: Path) -> bool:  # the uploads, the token, the imports' records (named by the app), the database's
        # own journal and lock files
        return p.is_relative_to(home / "uploads") or p == home / "token" or (
            p.parent == home / "imports" and re.fullmatch(r"[0-9a-f]{16}\.json(\.part)?", p.name) is not None) or (
            p.parent == db.parent and p.name.startswith(db.name))

    strays = [p for p in files_under(tmp_path) - before if not allowed(p)]
    assert not strays, strays
    uploaded = [p for p in written if p.is_relative_to(home / "uploads")]
    assert uploaded, f"no upload was written where expected: {written}"
    assert all(".." not in p.relative_to(home / "uploads").parts for p in uploaded), uploaded
    assert not [p for p in written if not allowed(p) and p.is_relative_to(tmp_path)], written
    assert not outside.exists()
    assert any(s < 400 for s in answers), f"no upload was accepted: {answers}"


# ---- logs --------------------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def serve_cli(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """`closeknit serve` with uvicorn.run recorded: its arguments, and (when asked) the server it would run."""
    import uvicorn

    calls: list[dict[str, Any]] = []

    def run(app: Any, **kwargs: Any) -> None:
        calls.append({"app": app, **kwargs})

    monkeypatch.setattr(uvicorn, "run", run)
    yield calls


def invoke(db: Path, *args: str) -> Any:
    from closeknit.cli.main import app

    return CliRunner().invoke(app, ["--db", str(db), "serve", *args])


# Not uvicorn.access: a handler there would switch the access log on (uvicorn logs requests when it has one).
LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.asgi", "fastapi", "starlette", "closeknit")


def test_no_contact_data_reaches_the_logs(own_network: Network, serve_cli: list[dict[str, Any]],
                                          caplog: pytest.LogCaptureFixture) -> None:
    import uvicorn

    port = free_port()
    result = invoke(own_network.db, "--port", str(port))
    assert result.exit_code == 0, result.output
    [call] = serve_cli
    app = call.pop("app")
    # Served exactly as `closeknit serve` configures uvicorn; then every logger is opened to DEBUG.
    server = uvicorn.Server(uvicorn.Config(app, **call))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.02)
    # No access log: request paths and queries name contacts.
    assert not logging.getLogger("uvicorn.access").hasHandlers()
    levels = {name: logging.getLogger(name).level for name in LOGGERS}
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
        logging.getLogger(name).addHandler(caplog.handler)  # uvicorn's loggers do not propagate
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=30, follow_redirects=True) as web:
            assert web.get(f"/login?token={app.state.keys.token}").status_code == 200
            paths = page_paths(client(own_network.db), own_network.secret)
            paths += [f"/people?q={SECRET_NAME}", f"/find?q={SECRET_NAME.split()[1]}", f"/people?q={SECRET_EMAIL}",
                      f"/api/people?q={SECRET_NAME}", f"/api/people/{own_network.secret}", f"/people/{SECRET_NAME}",
                      f"/api/people/{SECRET_EMAIL}", f"/people/{own_network.secret}/{SECRET_NAME}"]
            for path in paths:
                web.get(path)
            web.post(f"/people/{own_network.secret}/notes", data={"body": SECRET_NAME})  # refused: no CSRF token
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        for name in LOGGERS:
            logging.getLogger(name).removeHandler(caplog.handler)
            logging.getLogger(name).setLevel(levels[name])
    server_side = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]  # not the client's
    assert any(r.name.startswith("uvicorn") for r in server_side)  # the capture works: the server's start is there
    said = "\n".join([result.output, *(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in server_side)])
    for secret in (SECRET_NAME, *SECRET_NAME.split(), SECRET_EMAIL, "harbour plan", "private note"):
        assert secret.lower() not in said.lower(), secret


# ---- closeknit serve ---------------------------------------------------------------------------------------------

def test_serve_listens_on_loopback_and_prints_a_login_link_with_the_token(
        own_network: Network, serve_cli: list[dict[str, Any]]) -> None:
    result = invoke(own_network.db)
    assert result.exit_code == 0, result.output
    [call] = serve_cli
    assert call["host"] == "127.0.0.1" and call["access_log"] is False
    token_file = web_home(own_network.db) / "token"
    token = token_file.read_text(encoding="ascii").strip()
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert f"http://127.0.0.1:{call['port']}/login?token={token}" in result.output
    assert call["app"].state.keys.token == token
    assert "warning" not in result.output.lower()


def test_serve_refuses_another_address_unless_allowed(own_network: Network, serve_cli: list[dict[str, Any]],
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    refused = invoke(own_network.db, "--host", "0.0.0.0")
    assert refused.exit_code != 0 and isinstance(refused.exception, InputError)
    assert "--allow-remote" in str(refused.exception) and "\n" not in str(refused.exception)
    assert serve_cli == []
    # Through the real entry point: one line on stderr and the exit status of an input error.
    from closeknit.cli.main import run

    monkeypatch.setattr("sys.argv", ["closeknit", "--db", str(own_network.db), "serve", "--host", "0.0.0.0"])
    with pytest.raises(SystemExit) as stop:
        run()
    assert stop.value.code == InputError.exit_code
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "--allow-remote" in err
    assert serve_cli == []

    allowed = invoke(own_network.db, "--host", "0.0.0.0", "--allow-remote")
    assert allowed.exit_code == 0, allowed.output
    assert "warning" in allowed.output.lower() and "0.0.0.0" in allowed.output
    [call] = serve_cli
    assert call["host"] == "0.0.0.0"
