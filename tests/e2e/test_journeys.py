"""Shell journeys in a real browser: every demo account lands on its home page; English and back;
the phone layout; keyboard use; no JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e import helpers
from tests.portal.test_home_pages import LANDING

pytestmark = pytest.mark.e2e


def test_each_demo_account_lands_on_its_home_page_and_logs_out(page, login, screenshot):
    for username, (path, heading) in LANDING.items():
        login(page, username)
        assert helpers.path_of(page.url) == path, username
        if path == "/quan-tri/":
            expect(page.locator("#content h1")).to_have_text(heading)
            screenshot(page, f"home-{username}")
            page.goto("/")
        else:
            expect(page.get_by_test_id("home-heading")).to_have_text(heading)
            expect(page.get_by_test_id("current-user")).not_to_be_empty()
            screenshot(page, f"home-{username}")
        helpers.logout(page)
        assert helpers.path_of(page.url) == "/", username
        expect(page.locator("header").get_by_role("link", name="Đăng nhập")).to_be_visible()


def test_english_switch_changes_the_shell_to_english_and_back(page, login, screenshot):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("h1")).to_contain_text("Huyện Quảng Điền")
    screenshot(page, "home-vi")

    helpers.switch_language(page, "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Huyện Quảng Điền public service portal")
    expect(page.locator("header").get_by_role("link", name="Log in")).to_be_visible()
    screenshot(page, "home-en")

    login(page, "congdan")
    expect(page.get_by_test_id("home-heading")).to_have_text("Citizen home")
    expect(page.get_by_text("No data yet").first).to_be_visible()
    screenshot(page, "citizen-home-en")

    helpers.switch_language(page, "vi")
    assert helpers.path_of(page.url) == "/cong-dan/"  # the switch returns to the same page
    expect(page.get_by_test_id("home-heading")).to_have_text("Trang công dân")
    screenshot(page, "citizen-home-vi")


def test_language_switch_and_login_work_without_javascript(browser, live_server, demo_data, artifacts_dir):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, **helpers.PHONE)
    page = context.new_page()
    try:
        page.goto("/")
        # No script, so no menu button: the navigation is simply shown.
        expect(page.locator(".navbar-toggler")).to_be_hidden()
        page.locator("[data-testid=language-switch] button[value=en]").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        helpers.login(page, "chuyenvien")
        expect(page.get_by_test_id("home-heading")).to_have_text("Officer workspace")
        page.screenshot(path=str(artifacts_dir / "no-js-workspace-en.png"), full_page=True)
    finally:
        context.close()


def test_phone_layout_fits_360_pixels_and_the_menu_opens_and_closes(phone_page, login, screenshot):
    page = phone_page
    page.goto("/")
    screenshot(page, "home-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    expect(page.locator("#mainnav")).to_be_hidden()
    toggler.tap()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#mainnav")).to_be_visible()
    screenshot(page, "menu-open-phone", full_page=False)
    page.keyboard.press("Escape")
    expect(page.locator("#mainnav")).to_be_hidden()
    expect(toggler).to_be_focused()

    for username, path in (("congdan", "/cong-dan/"), ("tiepnhan", "/can-bo/"), ("lanhdao", "/lanh-dao/")):
        login(page, username)
        assert helpers.path_of(page.url) == path
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, username
        screenshot(page, f"home-{username}-phone")
        helpers.logout(page)


def test_keyboard_user_can_skip_to_the_content_and_see_where_focus_is(page, demo_data, screenshot):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Bỏ qua, đến nội dung chính")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    screenshot(page, "skip-link-focused", full_page=False)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the first link inside the content
    style = page.evaluate("(() => { const s = getComputedStyle(document.activeElement);"
                          " return [s.outlineStyle, s.outlineColor, s.boxShadow]; })()")
    # Two-tone ring: yellow outline, near-black halo (visible on the red header and on white).
    assert style[:2] == ["solid", "rgb(255, 221, 0)"]
    assert "rgb(11, 12, 12)" in style[2] and "6px" in style[2]
    screenshot(page, "focus-ring", full_page=False)


def test_pages_have_landmarks_labels_and_a_language(page, login):
    login(page, "tiepnhan")
    for path in ("/", "/can-bo/", "/tai-khoan/quen-mat-khau/", "/khong-co/"):
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == "vi"
        assert page.locator("header").count() == 1
        assert page.locator("main#main").count() == 1
        assert page.locator("footer").count() == 1
        assert page.locator("nav[aria-label]").count() >= 1
        assert page.locator("h1").count() == 1, path
        # Every visible form control has an accessible name.
        unnamed = page.evaluate("""() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
            .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                          && !el.getAttribute('aria-labelledby')).map(el => el.name)""")
        assert unnamed == [], (path, unnamed)
        # Images and icons carry text or are hidden from screen readers.
        assert page.locator("img:not([alt])").count() == 0


def test_only_the_small_site_script_and_htmx_load_on_a_page(page, demo_data):
    scripts: list[str] = []
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    page.goto("/")
    names = sorted(re.sub(r"^.*/static/", "", url) for url in scripts)
    assert names == ["django_htmx/htmx-2.min.js", "js/app.js"]
