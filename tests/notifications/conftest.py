"""Helpers for the notifications tests: the immediate task backend, the simulators in a thread."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest
import requests

from chinhquyenso.accounts.services import citizen_register
from chinhquyenso.core.events import outbox_deliver_due
from chinhquyenso.notifications.services import notification_templates_load_all
from chinhquyenso.simulators.server import MOUNTS, running

QUEUES = ["default", "outbox", "notifications"]


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": QUEUES}}


@dataclass
class Sims:
    base: str

    def get(self, prefix: str) -> dict:
        return requests.get(f"{self.base}{prefix}/api/messages", timeout=5).json()

    def sms(self) -> list[dict]:
        return self.get("/sms")["messages"]

    def zalo(self) -> dict:
        return self.get("/zalo")

    def post(self, path: str, json: dict) -> dict:
        return requests.post(f"{self.base}{path}", json=json, timeout=5).json()

    def wait_for(self, predicate, timeout: float = 10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError("simulator did not reach the expected state in time")


@pytest.fixture
def sims(settings, monkeypatch):
    """SMS and Zalo simulators on a free port; providers point at them. Delivery reports go to
    a sink unless a test points them at the live server (``live_callbacks``)."""
    monkeypatch.setenv("SIMULATOR_DLR_DELAY", "0")
    mounts = {"/sms": MOUNTS["/sms"], "/zalo": MOUNTS["/zalo"]}
    with running(mounts=mounts) as base:
        settings.SMS_API_URL = f"{base}/sms/api/send"
        settings.ZALO_ZNS_URL = f"{base}/zalo/message/template"
        settings.SMS_CALLBACK_URL = f"{base}/sink"  # the index app answers 200 to any path
        settings.ZALO_SIM_WEBHOOK_URL = f"{base}/sink"
        yield Sims(base)


@pytest.fixture
def live_callbacks(settings, live_server, monkeypatch):
    """Delivery reports reach our real webhook views through the live server."""
    monkeypatch.setenv("SIMULATOR_DLR_DELAY", "0.3")  # let the sender finish its own write first
    settings.SITE_URL = live_server.url
    settings.SMS_CALLBACK_URL = ""
    settings.ZALO_SIM_WEBHOOK_URL = ""
    return live_server


@pytest.fixture
def templates(db):
    notification_templates_load_all()


_n = iter(range(1, 10_000))


def register(phone: str | None = None, **extra):
    """A citizen account (with its ``accounts.citizen_registered`` event); a unique phone by default."""
    n = next(_n)
    phone = f"093{n:07d}" if phone is None else phone
    return citizen_register(username=f"nguoidan{n}", password="mat-khau-dai-123",
                            full_name=extra.pop("full_name", "Nguyễn Văn An"), phone=phone, **extra)


@pytest.fixture
def relay(django_capture_on_commit_callbacks):
    """Run the outbox relay and then what it queued on commit (the send tasks)."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return outbox_deliver_due()

    return run
