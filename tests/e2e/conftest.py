"""Browser journeys: pytest + Playwright (sync API) driving Debian's Chromium against Django's live server.

Fixtures for every engineer's journeys:

- ``browser``: one headless Chromium for the session (``/usr/bin/chromium``; never downloaded).
- ``page``: a desktop tab (1280×800, Vietnamese locale) whose ``goto("/…")`` is relative to the live server.
- ``phone_page``: a phone tab (360×740, Android user agent, touch).
- ``demo_data``: the demo locality and accounts, loaded by the same loaders as ``chinhquyenso demo``.
- ``login``: ``login(page, "congdan")`` logs in through the real form with the demo password.
- ``screenshot``: ``screenshot(page, "after-login")`` saves ``test-artifacts/e2e/<test>/NN-after-login.png``.

Every tab refuses requests that leave the machine (no CDN, no call home: DESIGN.md principle 8) and
fails the test on an uncaught JavaScript error. A failing test leaves a screenshot of each open tab.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.e2e import helpers

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a thread with a
# running loop unless told it is safe (it is: the loop only talks to the browser).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed:  # read by the tab fixtures at teardown: screenshot what the user saw
        item.stash[_FAILED] = True
    return report


@pytest.fixture(scope="session")
def _playwright():
    if not Path(CHROMIUM).exists():
        message = f"Chromium không có tại {CHROMIUM} (cài bằng: scripts/system-deps.sh --test)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(_playwright):
    # headless=False because the real flag is passed in args ("--headless=new"); Playwright would
    # otherwise add the old "--headless" as well.
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, headless=False, args=helpers.CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def artifacts_dir(request) -> Path:
    name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("tests/e2e/")[-1].replace(".py::", "__"))
    path = helpers.ARTIFACTS_DIR / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def screenshot(artifacts_dir):
    counter = iter(range(1, 1000))

    def take(page, name: str, *, full_page: bool = True) -> Path:
        path = artifacts_dir / f"{next(counter):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture
def demo_data(transactional_db):
    """The demo locality and accounts, exactly as ``chinhquyenso demo`` loads them."""
    from chinhquyenso.core.demodata import demo_load_all
    from chinhquyenso.portal.selectors import site_info_clear

    demo_load_all(log=lambda line: None)
    site_info_clear()


def _new_tab(request, browser, live_server, artifacts_dir, options: dict, label: str):
    context = browser.new_context(base_url=live_server.url, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                                  **options)
    context.set_default_timeout(15_000)
    blocked: list[str] = []

    def only_this_machine(route):
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_this_machine)
    page = context.new_page()
    js_errors: list[str] = []
    page.on("pageerror", lambda exc: js_errors.append(str(exc)))
    yield page
    if request.node.stash.get(_FAILED, False):
        page.screenshot(path=str(artifacts_dir / f"failure-{label}.png"), full_page=True)
    context.close()
    assert not blocked, f"the page asked for something outside this machine: {blocked}"
    assert not js_errors, f"JavaScript errors: {js_errors}"


@pytest.fixture
def page(request, browser, live_server, artifacts_dir):
    yield from _new_tab(request, browser, live_server, artifacts_dir, helpers.DESKTOP, "desktop")


@pytest.fixture
def phone_page(request, browser, live_server, artifacts_dir):
    yield from _new_tab(request, browser, live_server, artifacts_dir, helpers.PHONE, "phone")


@pytest.fixture
def login(demo_data):
    """``login(page, username)``: log in as a demo account (the demo data is loaded first)."""
    return helpers.login


@pytest.fixture
def gateway(monkeypatch, settings):
    """The VNPAY simulator on a free port with the demo merchant; the platform pointed at it."""
    from chinhquyenso.simulators import server
    from chinhquyenso.simulators import vnpay as sim

    monkeypatch.delenv("VNPAY_TMN_CODE", raising=False)
    monkeypatch.delenv("VNPAY_HASH_SECRET", raising=False)
    settings.VNPAY_TMN_CODE, settings.VNPAY_HASH_SECRET = sim.DEFAULT_TMN_CODE, sim.DEFAULT_HASH_SECRET
    with server.running(mounts={"/vnpay": server.MOUNTS["/vnpay"]}) as base:
        settings.VNPAY_PAY_URL = f"{base}/vnpay/paymentv2/vpcpay.html"
        settings.VNPAY_API_URL = f"{base}/vnpay/merchant_webapi/api/transaction"
        yield base
