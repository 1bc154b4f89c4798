"""Portal fixtures: the demo data exactly as ``chinhquyenso demo`` loads it."""

from __future__ import annotations

import pytest

from chinhquyenso.accounts.demo import DEMO_PASSWORD


@pytest.fixture
def demo(db):
    from chinhquyenso.core.demodata import demo_load_all
    from chinhquyenso.portal.selectors import site_info_clear

    demo_load_all(log=lambda line: None)
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
