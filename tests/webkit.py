"""Shared by the web tests: a demo database, the app served on loopback, a real browser (Debian's chromium)."""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "web"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
# Quiet and offline: nothing but what a page asks for leaves the browser.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
DEMO_DAY = date(2025, 12, 1)
TOKEN = "test-token-" + "x" * 40


@dataclass
class Served:
    base: str
    token: str
    db_path: Path

    def url(self, path: str) -> str:
        return self.base + path

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def copy_db(source: Path, target: Path) -> Path:
    """A copy of a database (with what its write-ahead log holds)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


@contextmanager
def serving(db_path: Path, token: str = TOKEN) -> Iterator[Served]:
    """The web app on a free loopback port in a thread of this process, stopped at the end."""
    import uvicorn

    from closeknit.web import create_app

    app = create_app(db_path, token)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web app did not start")
        time.sleep(0.02)
    try:
        yield Served(f"http://127.0.0.1:{port}", token, db_path)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo network imported once per test session: its database, its files and what it planted."""
    from closeknit.demo import run_demo

    folder = tmp_path_factory.mktemp("web-demo")
    result = run_demo(folder / "demo.db", folder / "files", today=DEMO_DAY)
    return {"db": Path(result["database"]), "folder": folder / "files", "result": result}


@pytest.fixture
def web_db(demo_db: dict[str, Any], tmp_path: Path) -> Path:
    """A copy of the demo database this test may change."""
    return copy_db(demo_db["db"], tmp_path / "web.db")


@pytest.fixture
def served(web_db: Path) -> Iterator[Served]:
    with serving(web_db) as s:
        yield s


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (bash scripts/test.sh installs it)")
    from playwright.sync_api import sync_playwright

    # One browser per test process, shared by every browser test: Playwright's sync API cannot run twice at once.
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class Tab:
    """A browser page that remembers console errors and uncaught exceptions."""

    page: Any
    served: Served
    errors: list[str] = field(default_factory=list)

    def goto(self, path: str) -> Any:
        return self.page.goto(self.served.url(path))

    def login(self) -> None:
        self.goto(f"/login?token={self.served.token}")

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def axe(self) -> list[dict[str, Any]]:
        """Serious and critical accessibility violations axe-core finds on the page as it is now."""
        if not AXE.exists():
            pytest.skip("axe-core is not installed (bash scripts/test.sh runs npm install)")
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.evaluate(AXE.read_text(encoding="utf-8"))
        result = self.page.evaluate("async () => (await axe.run(document)).violations.map("
                                    "v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length}))")
        return [v for v in result if v["impact"] in ("serious", "critical")]


@contextmanager
def open_tab(browser: Any, served: Served) -> Iterator[Tab]:
    """A fresh browser context on the served app; fails at the end on any console error or page error."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    t = Tab(page, served)
    page.on("console", lambda m: t.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: t.errors.append(f"page error: {e}"))
    try:
        yield t
    finally:
        context.close()
    assert not t.errors, t.errors


@pytest.fixture
def tab(browser: Any, served: Served) -> Iterator[Tab]:
    with open_tab(browser, served) as t:
        yield t
