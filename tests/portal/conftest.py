"""Portal fixtures: the demo data exactly as ``chinhquyenso demo`` loads it."""

from __future__ import annotations

import pytest

from chinhquyenso.accounts.demo import DEMO_PASSWORD

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def _demo_for_module(django_db_setup, django_db_blocker):
    """Load the demo data once per test module, inside a transaction rolled back at the module's end
    (what Django's ``TestCase.setUpTestData`` does); each test still runs in its own savepoint."""
    from django.db import transaction
    from django.test import override_settings

    from chinhquyenso.core.demodata import demo_load_all

    # Same fast hasher as the autouse fixture in tests/conftest.py (function-scoped, so not active yet).
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            demo_load_all(log=lambda line: None)
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def demo(_demo_for_module, db):
    """The demo locality, accounts and data, exactly as ``chinhquyenso demo`` loads them."""
    from chinhquyenso.portal.selectors import site_info_clear

    site_info_clear()


@pytest.fixture
def login_as(client, demo):
    """Log in through the login form (so login signals run) and return the final response."""

    def _login(username: str, **extra):
        return client.post("/tai-khoan/dang-nhap/", {"username": username, "password": DEMO_PASSWORD},
                           follow=True, **extra)

    return _login


@pytest.fixture
def placeholder_sections_only(monkeypatch):
    """Home pages with the portal's placeholder sections only, as before any app fills them."""
    from chinhquyenso.portal import workspace

    monkeypatch.setattr(workspace, "_SECTIONS", {s.key: s for s in workspace.DEFAULT_SECTIONS})
