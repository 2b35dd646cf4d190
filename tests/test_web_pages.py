"""Every page in a narrow window and by keyboard: nothing spills sideways, the skip link comes first, every
control is named, and axe-core finds no serious violation."""

from __future__ import annotations

import httpx
import pytest

from webkit import Tab

PAGES = ["/", "/people", "/review", "/import", "/plan", "/ledger", "/find?q=safety+certification", "/intros",
         "/match"]


@pytest.fixture
def narrow(tab: Tab) -> Tab:
    tab.page.set_viewport_size({"width": 380, "height": 800})
    tab.login()
    return tab


def test_every_page_reads_in_a_narrow_window(narrow: Tab) -> None:
    person = httpx.get(narrow.served.url("/api/people"), params={"tier": "inner", "per_page": 1},
                       headers=narrow.served.bearer).json()["people"][0]["id"]
    for path in [*PAGES, f"/people/{person}", f"/path/{person}", f"/people/{person}/knows"]:
        response = narrow.goto(path)
        assert response.status == 200, path
        assert narrow.page.locator("h1").count() == 1, path
        # The page itself never scrolls sideways; a wide table scrolls inside its own box.
        width = narrow.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 380 + 1, (path, width)
        unnamed = narrow.page.evaluate(
            "[...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]"
            ".filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')"
            " && !e.getAttribute('aria-labelledby') && !(e.tagName === 'BUTTON' && e.innerText.trim()))"
            ".map(e => e.outerHTML.slice(0, 80))")
        assert unnamed == [], (path, unnamed)
        assert narrow.axe() == [], path
        narrow.shot("narrow-" + (path.split("?")[0].strip("/").replace("/", "-") or "dashboard"))


def test_the_keyboard_reaches_the_skip_link_first_and_it_moves_to_the_content(narrow: Tab) -> None:
    page = narrow.page
    narrow.goto("/people")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the next stop is inside the page's content
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")
