"""Helpers for browser journeys (see docs/ui.md, "Writing a browser test").

Fixtures in ``tests/e2e/conftest.py`` hand these out; import them directly when a test needs one
outside a fixture.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page

from chinhquyenso.accounts.demo import DEMO_PASSWORD

LOGIN_PATH = "/tai-khoan/dang-nhap/"
ARTIFACTS_DIR = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# A mid-range Android phone: what most citizens use to reach the portal.
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Mobile Safari/537.36"
    ),
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


def open_menu_if_collapsed(page: Page) -> None:
    """On a narrow screen the main navigation sits behind the menu button."""
    toggler = page.locator(".site-header .navbar-toggler")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()


def login(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the real login form and wait until the browser has left it."""
    page.goto(LOGIN_PATH)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(lambda url: LOGIN_PATH not in url)


def logout(page: Page) -> None:
    open_menu_if_collapsed(page)
    page.locator("[data-testid=logout] button").click()
    page.wait_for_load_state()


def switch_language(page: Page, code: str) -> None:
    """Press the language button of the header (it exists for every language but the current one)."""
    open_menu_if_collapsed(page)
    page.locator(f"[data-testid=language-switch] button[value={code}]").click()
    page.wait_for_load_state()


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)
