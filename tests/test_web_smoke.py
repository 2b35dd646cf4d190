"""The web app in a real browser: logging in with the token lands on the dashboard, with no console error."""

from __future__ import annotations

from webkit import Tab


def test_logging_in_with_the_token_opens_the_dashboard(tab: Tab) -> None:
    tab.goto("/")
    assert tab.page.url.endswith("/login")
    tab.login()
    assert tab.page.url == tab.served.url("/")
    assert tab.page.get_by_role("heading", level=1).inner_text() == "Your network"
    tab.shot("dashboard")
    assert tab.axe() == []
